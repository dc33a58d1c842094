/**
 * Key files, key lookup, the token bucket, envelope details and the status text — the
 * small parts the HTTP tests rely on.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../config/index.js';
import { SOURCE_NAMES } from '../../mappers/registry.js';
import { DEMO_KEYS, KeyFileError, KeyStore, demoKeyEntries, hashKey, loadKeyFile, presentedKey } from '../../src/ingest/keys.js';
import { TokenBuckets } from '../../src/ingest/rate-limit.js';
import { parseBatch, parseSingle } from '../../src/ingest/envelope.js';
import { IngestError, INGEST_ERRORS } from '../../src/ingest/errors.js';
import { formatStatus } from '../../src/ingest/status-text.js';
import { publicStatus } from '../../src/ingest/views.js';

const tmp = mkdtempSync(join(tmpdir(), 'kntc-keys-'));
function keyFile(content: unknown): string {
  const p = join(tmp, `k${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}
const entry = { id: 'a', hash: hashKey('key-a-0123456789abcdef'), source: 'qldt', agencies: ['000.00.00.H29'] };

describe('key file', () => {
  it('the example file is valid and its keys are the documented demo plaintexts', () => {
    const entries = loadKeyFile(projectPath('config', 'ingest-keys.example.json'), SOURCE_NAMES);
    const store = new KeyStore(entries);
    for (const d of DEMO_KEYS) {
      const k = store.find(d.plaintext);
      expect(k?.source).toBe(d.source);
      expect([...(k?.agencies ?? [])]).toEqual(d.agencies);
    }
  });

  it.each([
    ['unknown field', [{ ...entry, plaintext: 'x' }]],
    ['plaintext instead of hash', [{ ...entry, hash: 'key-a-0123456789abcdef' }]],
    ['agency code malformed', [{ ...entry, agencies: ['H29'] }]],
    ['no agencies', [{ ...entry, agencies: [] }]],
    ['duplicate id', [entry, { ...entry, hash: hashKey('other-key-0123456789') }]],
    ['duplicate hash', [entry, { ...entry, id: 'b' }]],
    ['unknown source', [{ ...entry, source: 'excel' }]],
    ['not JSON', '[{"id": '],
  ])('refuses %s', (_name, content) => {
    expect(() => loadKeyFile(keyFile(content), SOURCE_NAMES)).toThrow(KeyFileError);
  });

  it('never keeps a plaintext: demo entries carry sha256 hashes only', () => {
    const text = JSON.stringify(demoKeyEntries());
    for (const d of DEMO_KEYS) expect(text).not.toContain(d.plaintext);
    for (const e of demoKeyEntries()) expect(e.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('key lookup', () => {
  const store = new KeyStore([entry, { ...entry, id: 'b', hash: hashKey('key-b-0123456789abcdef'), source: 'pakn' }]);
  it('finds by exact plaintext only', () => {
    expect(store.find('key-a-0123456789abcdef')?.id).toBe('a');
    expect(store.find('key-b-0123456789abcdef')?.id).toBe('b');
    expect(store.find('key-a-0123456789abcde')).toBeUndefined();
    expect(store.find('')).toBeUndefined();
  });
  it('reads Bearer or X-Api-Key, nothing else', () => {
    expect(presentedKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedKey({ authorization: 'bearer  abc ' })).toBe('abc');
    expect(presentedKey({ 'x-api-key': 'xyz' })).toBe('xyz');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({ authorization: 'Bearer a b' })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });
});

describe('token bucket', () => {
  it('allows the burst, then refuses with the time to the next token, per key', () => {
    let t = 0;
    const b = new TokenBuckets(4, 2, () => t);
    expect(b.take('k').ok).toBe(true);
    expect(b.take('k').ok).toBe(true);
    const r = b.take('k');
    expect(r).toEqual({ ok: false, retryAfterSec: 1 });
    expect(b.take('other').ok).toBe(true);
    t += 250; // 4/s → one token back
    expect(b.take('k').ok).toBe(true);
    expect(b.take('k').ok).toBe(false);
  });
});

describe('envelopes', () => {
  it('report pointers and zod codes, never the submitted values', () => {
    const e = (() => {
      try {
        parseSingle({ record: { ho_ten: 'Lò Thị Secret' }, maDonVi: 'Lò Thị Secret' });
      } catch (x) {
        return x as IngestError;
      }
      throw new Error('expected a refusal');
    })();
    expect(e.code).toBe('KNTC_ERR_ENVELOPE_INVALID');
    expect(e.details).toEqual([{ pointer: '/maDonVi', reason: 'unrecognized_keys' }]);
    expect(JSON.stringify(e.toBody())).not.toContain('Secret');
  });
  it('count a batch before reading its records', () => {
    expect(() => parseBatch({ records: [1, 2, 3, 4] }, 3)).toThrow(expect.objectContaining({ code: 'KNTC_ERR_BATCH_TOO_LARGE' }));
    expect(() => parseBatch({ records: [1, 2] }, 3)).toThrow(expect.objectContaining({ code: 'KNTC_ERR_ENVELOPE_INVALID' }));
    expect(parseBatch({ records: [{ a: 1 }] }, 3)).toEqual([{ a: 1 }]);
  });
  it('every catalogue entry has an English message and a Vietnamese thongDiep', () => {
    for (const [code, s] of Object.entries(INGEST_ERRORS)) {
      expect(code).toMatch(/^KNTC_ERR_[A-Z_]+$/);
      expect(s.message).toMatch(/^[\x20-\x7e]+$/);
      expect(s.thongDiep).toMatch(/[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i);
    }
  });
});

describe('status text', () => {
  it('shows Vietnamese labels with codes and pointers', () => {
    const text = formatStatus(
      publicStatus({
        source: 'qldt', agency: '000.00.00.H29', localId: 'LC25-000248', trackingId: 't1', state: 'rejected', latestVersion: 2, nationalIds: {},
        issues: [{ code: 'DINH_DANH_KHONG_HOP_LE', severity: 'error', source: '/nguoi_dung_don/0/cmnd_cccd', national: '/nguoiDungDon/0/soDinhDanh', message: 'Số định danh không khớp năm sinh' }],
        history: [{ at: '2026-01-01T00:00:00Z', state: 'rejected', version: 2 }],
      }),
    );
    expect(text).toContain('Bị từ chối, cần cán bộ xem xét [rejected]');
    expect(text).toContain('LỖI [DINH_DANH_KHONG_HOP_LE] /nguoi_dung_don/0/cmnd_cccd → /nguoiDungDon/0/soDinhDanh');
  });
});
