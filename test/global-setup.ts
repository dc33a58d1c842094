/**
 * Fails fast, with the fix, when no Redis answers: integration tests need a real one.
 * (.ci/run starts redis-server itself when none answers.)
 */
import { Redis } from 'ioredis';

export default async function setup(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new Error(`No Redis at ${url} (${(e as Error).message}). Start one: redis-server --daemonize yes --port 6379 (Debian: apt-get install redis-server), or run bash .ci/run which does this.`);
  } finally {
    r.disconnect();
  }
}
