/**
 * A Redis lock with expiry for periodic work that any number of replicas schedule (the
 * requeue sweep, the duplicate link pull and sweep): only one of them runs at a time.
 * The lock is renewed while its holder works and expires by itself when the holder dies,
 * so a killed replica never blocks the others for longer than `ttlMs`.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type LockedRun<T> = { ran: true; value: T } | { ran: false };

/** Run `fn` while holding `key`; when another holder has it, return `{ ran: false }` at once. */
export async function withRedisLock<T>(redis: Redis, key: string, ttlMs: number, fn: () => Promise<T>): Promise<LockedRun<T>> {
  const token = randomBytes(12).toString('hex');
  const got = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (got !== 'OK') return { ran: false };
  const renew = setInterval(() => {
    void redis.eval(RENEW, 1, key, token, ttlMs).catch(() => undefined);
  }, Math.max(50, Math.floor(ttlMs / 3)));
  renew.unref();
  try {
    return { ran: true, value: await fn() };
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
