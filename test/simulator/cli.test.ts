import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { projectPath } from '../../config/index.js';

describe('kntc simulator (CLI)', () => {
  it('prints the base URL, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [projectPath('bin', 'kntc.js'), 'simulator', '--port', '0', '--quiet', '--no-limits'], {
      cwd: projectPath(),
      env: { ...process.env, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let out = '';
        const t = setTimeout(() => reject(new Error('no base URL within 25 s')), 25_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString('utf8');
          const line = out.split('\n')[0];
          if (out.includes('\n') && line) {
            clearTimeout(t);
            resolve(line.trim());
          }
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
      const health = await fetch(base.replace(/\/api\/v1$/, '') + '/_sim/health');
      expect(await health.json()).toEqual({ ok: true });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 40_000);
});
