/**
 * `kntc serve` as a process: starts on a random port with the demo keys, answers, and on
 * SIGTERM stops accepting, closes Redis and exits 0 (a bounded wait, then the test fails).
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../config/index.js';
import { dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { qldtRecord } from './fakes.js';

const prefix = uniquePrefix('ingest_serve');
afterAll(async () => {
  await dropPrefix(prefix);
});

describe('kntc serve', () => {
  it('serves with the demo keys and shuts down cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/kntc.js', 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: projectPath(),
      env: { ...process.env, KNTC_PREFIX: prefix, INGEST_KEYS_FILE: '', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      let url: string | undefined;
      for (let i = 0; i < 300 && !url; i++) {
        url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 100));
      }
      expect(url, out).toBeDefined();
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const res = await fetch(`${url}/v1/records/qldt`, { method: 'POST', headers: { authorization: 'Bearer demo-qldt-key', 'content-type': 'application/json' }, body: JSON.stringify({ record: qldtRecord('LC-SERVE-1') }) });
      expect(res.status).toBe(202);
      expect(out).toContain('DEMO API keys');

      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
      expect(code).toBe(0);
      expect(out).toContain('stopped');
      expect(out).not.toContain('Nguyễn Thị Kiều Oanh');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
