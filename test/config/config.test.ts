import { describe, it, expect } from 'vitest';
import { inspect } from 'node:util';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfig, ConfigError, describeConfig, Secret } from '../../config/index.js';

describe('config', () => {
  it('applies defaults and freezes the result', () => {
    const cfg = loadConfig({});
    expect(cfg.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(cfg.NATIONAL_TIMEOUT_MS).toBe(10000);
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(() => {
      (cfg as { NATIONAL_TIMEOUT_MS: number }).NATIONAL_TIMEOUT_MS = 1;
    }).toThrow();
  });

  it('keeps the client-side limits under the national limits by default (20 req/s, 8 in flight)', () => {
    const cfg = loadConfig({});
    expect(cfg.NATIONAL_RATE_LIMIT_RPS).toBeLessThan(20);
    expect(cfg.NATIONAL_MAX_IN_FLIGHT).toBeLessThan(8);
  });

  it('names every invalid variable and what is wrong, all at once', () => {
    let err: unknown;
    try {
      loadConfig({ NATIONAL_TIMEOUT_MS: 'soon', REDIS_URL: 'not a url', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const vars = (err as ConfigError).problems.map((p) => p.variable).sort();
    expect(vars).toEqual(['LOG_LEVEL', 'NATIONAL_TIMEOUT_MS', 'REDIS_URL']);
    expect((err as Error).message).toContain('NATIONAL_TIMEOUT_MS');
  });

  it('never prints secrets: JSON, inspect, template strings, describeConfig', () => {
    const cfg = loadConfig({ NATIONAL_CLIENT_SECRET: 'hunter2-very-secret' });
    expect(cfg.NATIONAL_CLIENT_SECRET).toBeInstanceOf(Secret);
    expect(cfg.NATIONAL_CLIENT_SECRET.reveal()).toBe('hunter2-very-secret');
    const shown = [JSON.stringify(cfg), inspect(cfg, { depth: 5 }), `${cfg.NATIONAL_CLIENT_SECRET}`, JSON.stringify(describeConfig(cfg))].join('\n');
    expect(shown).not.toContain('hunter2');
  });

  it('does not echo a secret value in a validation error', () => {
    let msg = '';
    try {
      loadConfig({ NATIONAL_CLIENT_SECRET: 42 as unknown as string, JOB_ATTEMPTS: '0' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('JOB_ATTEMPTS');
    expect(msg).toContain('NATIONAL_CLIENT_SECRET');
    expect(msg).not.toContain('42');
  });

  it('reads a JSON config file, with the environment winning, and rejects unknown settings in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kntc-cfg-'));
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ NATIONAL_TIMEOUT_MS: 1234, WORKER_CONCURRENCY: 3 }));
    const cfg = loadConfig({ KNTC_CONFIG_FILE: f, WORKER_CONCURRENCY: '7' });
    expect(cfg.NATIONAL_TIMEOUT_MS).toBe(1234);
    expect(cfg.WORKER_CONCURRENCY).toBe(7);
    writeFileSync(f, JSON.stringify({ NATIONAL_TIMEOUT: 1 }));
    expect(() => loadConfig({ KNTC_CONFIG_FILE: f })).toThrow(/NATIONAL_TIMEOUT.*unknown setting/);
  });

  it('the CLI exits non-zero (78) naming the variable on invalid config', () => {
    const r = spawnSync(process.execPath, ['bin/kntc.js', 'config'], {
      env: { ...process.env, NATIONAL_RETRIES: 'many' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('NATIONAL_RETRIES');
  });
});
