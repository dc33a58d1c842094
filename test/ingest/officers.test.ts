/**
 * Officer accounts: the file format and its refusals, the demo set, constant-time lookup,
 * the token helpers of `kntc serve`, and `kntc serve` mounting the officer routes with the
 * demo officers (a real process, like test/ingest/serve-cli.test.ts).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, projectPath } from '../../config/index.js';
import { hashKey } from '../../src/ingest/keys.js';
import { DEMO_OFFICERS, OfficerFileError, OfficerStore, demoOfficerEntries, loadOfficerFile, resolveOfficers } from '../../src/ingest/officers.js';
import { dropPrefix, uniquePrefix } from '../helpers/redis.js';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'kntc-officers-unit-'));
function file(content: unknown): string {
  const p = join(tmp, `o${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}
const entry = { id: 'canbo-01', hash: hashKey('officer-token-0123456789abcdef'), role: 'can-bo', agencies: ['000.00.00.H29'] };

describe('officers file', () => {
  it('loads a valid file; the token finds its account with role, agencies and id', () => {
    const store = new OfficerStore(loadOfficerFile(file([entry, { ...entry, id: 'tc-01', hash: hashKey('other-token-0123456789abcdef'), role: 'can-bo-to-cao' }])));
    expect(store.size).toBe(2);
    const v = store.find('other-token-0123456789abcdef');
    expect(v?.id).toBe('tc-01');
    expect(v?.role).toBe('can-bo-to-cao');
    expect([...(v?.agencies ?? [])]).toEqual(['000.00.00.H29']);
    expect(v?.canDecide).toBe(true);
    expect(store.find('officer-token-0123456789abcdeF')).toBeUndefined();
    expect(store.find(entry.hash)).toBeUndefined();
  });

  it.each([
    ['unknown field', [{ ...entry, name: 'Nguyễn Văn A' }]],
    ['plaintext instead of hash', [{ ...entry, hash: 'officer-token-0123456789abcdef' }]],
    ['unknown role', [{ ...entry, role: 'admin' }]],
    ['role operator (reserved for the admin token)', [{ ...entry, role: 'operator' }]],
    ['agency code malformed', [{ ...entry, agencies: ['H29'] }]],
    ['no agencies', [{ ...entry, agencies: [] }]],
    ['duplicate id', [entry, { ...entry, hash: hashKey('x-token-0123456789abcdef') }]],
    ['reserved id operator', [{ ...entry, id: 'operator' }]],
    ['reused hash', [entry, { ...entry, id: 'canbo-02' }]],
    ['not JSON', '[{"id": '],
    ['not a list', { entry }],
  ])('refuses %s', (_name, content) => {
    expect(() => loadOfficerFile(file(content))).toThrow(OfficerFileError);
  });

  it('OFFICERS_FILE is a setting; empty means the demo officers', () => {
    const path = file([entry]);
    const fromFile = resolveOfficers(loadConfig({ OFFICERS_FILE: path }));
    expect(fromFile.demo).toBe(false);
    expect(fromFile.store.find('officer-token-0123456789abcdef')?.id).toBe('canbo-01');
    expect(fromFile.store.find(DEMO_OFFICERS[0]!.plaintext)).toBeUndefined();
    const demo = resolveOfficers(loadConfig({}));
    expect(demo.demo).toBe(true);
    for (const d of DEMO_OFFICERS) expect(demo.store.find(d.plaintext)?.role).toBe(d.role);
  });

  it('the demo set has one officer per role, stores hashes only, and matches config/officers.example.json', () => {
    expect(DEMO_OFFICERS.map((d) => d.role).sort()).toEqual(['can-bo', 'can-bo-to-cao']);
    const entries = demoOfficerEntries();
    for (const [i, e] of entries.entries()) {
      expect(JSON.stringify(e)).not.toContain(DEMO_OFFICERS[i]!.plaintext);
      expect(e.hash).toBe(hashKey(DEMO_OFFICERS[i]!.plaintext));
    }
    const example = new OfficerStore(loadOfficerFile(projectPath('config', 'officers.example.json')));
    for (const d of DEMO_OFFICERS) expect(example.find(d.plaintext)?.id).toBe(d.id);
  });
});

describe('kntc serve helpers', () => {
  const kntc = (...args: string[]) => run(process.execPath, [projectPath('bin', 'kntc.js'), 'serve', ...args], { env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 30_000 });

  it('--new-officer prints a fresh token and an entry that loads and finds that token', async () => {
    const { stdout } = await kntc('--new-officer', 'can-bo-to-cao');
    const token = /token[^:]*: (\S+)/.exec(stdout)?.[1];
    const json = /entry: (\{.*\})/.exec(stdout)?.[1];
    expect(token && json).toBeTruthy();
    const e = { ...JSON.parse(json!), id: 'canbo-new', agencies: ['000.00.00.H29'] };
    const store = new OfficerStore(loadOfficerFile(file([e])));
    expect(store.find(token!)).toMatchObject({ id: 'canbo-new', role: 'can-bo-to-cao' });
    const again = await kntc('--new-officer');
    expect(again.stdout).not.toContain(token!);
  }, 60_000);

  it('--hash-key makes an OFFICERS_FILE hash; --help documents the routes and the demo officers', async () => {
    const { stdout } = await kntc('--hash-key', 'some-officer-token-0123456789');
    expect(stdout.trim()).toBe(hashKey('some-officer-token-0123456789'));
    const help = await kntc('--help');
    expect(help.stdout).toContain('/duplicates/clusters');
    for (const d of DEMO_OFFICERS) expect(help.stdout).toContain(d.plaintext);
  }, 60_000);
});

describe('kntc serve mounts the officer routes', () => {
  const prefix = uniquePrefix('officers_serve');
  afterAll(async () => {
    await dropPrefix(prefix);
  });

  it('with OFFICERS_FILE empty: warns, the demo officer token is let in, no token is refused', async () => {
    const child = spawn(process.execPath, ['bin/kntc.js', 'serve', '--port', '0', '--host', '127.0.0.1', '--no-board'], {
      cwd: projectPath(),
      env: { ...process.env, KNTC_PREFIX: prefix, INGEST_KEYS_FILE: '', OFFICERS_FILE: '', LOG_LEVEL: 'info' },
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
      expect(out).toContain('DEMO officer tokens');
      const none = await fetch(`${url}/duplicates`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { code: string }).code).toBe('KNTC_ERR_OFFICER_AUTH');
      for (const d of DEMO_OFFICERS) {
        const ok = await fetch(`${url}/duplicates/clusters`, { headers: { authorization: `Bearer ${d.plaintext}` } });
        expect(ok.status).toBe(200);
        expect(await ok.json()).toEqual({ duLieu: [] });
      }
      const missing = await fetch(`${url}/duplicates/P0000000000000000`, { headers: { authorization: `Bearer ${DEMO_OFFICERS[0]!.plaintext}` } });
      expect(missing.status).toBe(404);
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
