/**
 * Redis for the demo: use the one on REDIS_URL when it answers; otherwise start a
 * throw-away `redis-server` (no persistence, noeviction) on a free loopback port in a
 * temp folder and stop it at the end; without redis-server say exactly what to install.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class DemoError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'DemoError';
  }
}

export const INSTALL_REDIS = [
  'No Redis answers and `redis-server` is not installed. Install one of:',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  macOS:          brew install redis',
  '  Docker:         docker run -d -p 6379:6379 redis:7 --maxmemory-policy noeviction',
  'then run the demo again (or set REDIS_URL to a Redis you have).',
].join('\n');

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) };
}

/** PING over a raw socket (no client library, no retries). Handles AUTH-less Redis only. */
export function pingRedis(url: string, timeoutMs = 1500): Promise<boolean> {
  const { host, port } = hostPort(url);
  return new Promise((resolve) => {
    const s = connect(port, host);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => done(String(d).startsWith('+PONG') || String(d).startsWith('-NOAUTH')));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Is `port` free on 127.0.0.1? */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export function hasRedisServer(): boolean {
  const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

export interface DemoRedis {
  url: string;
  /** true when the demo started (and will stop) this Redis */
  started: boolean;
  pid?: number;
  stop(): Promise<void>;
}

/**
 * A Redis for the demo. `url` is tried first; when nothing answers and redis-server is
 * on PATH, one is started (`--save "" --appendonly no --maxmemory-policy noeviction`).
 * Throws DemoError(exit 2) with install instructions when neither works.
 */
export async function ensureDemoRedis(url: string): Promise<DemoRedis> {
  if (await pingRedis(url)) return { url, started: false, stop: async () => undefined };
  if (!hasRedisServer()) throw new DemoError(`${INSTALL_REDIS}\n(tried ${url})`, 2);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kntc-demo-redis-'));
  const child: ChildProcess = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--maxmemory-policy', 'noeviction', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning',
  ], { stdio: 'ignore' });
  const ownUrl = `redis://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 50 && !exited; i++) {
    if (await pingRedis(ownUrl, 300)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (exited || !(await pingRedis(ownUrl, 500))) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new DemoError(`redis-server did not start on 127.0.0.1:${port}`, 2);
  }
  return {
    url: ownUrl,
    started: true,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    async stop() {
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
