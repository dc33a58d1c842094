import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log/logger.js';

function capture() {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, log: createLogger({ level: 'info' }, dest) };
}

describe('logger redaction', () => {
  it('removes personal fields and secrets, at the top level and one level down', () => {
    const { lines, log } = capture();
    const person = { hoTen: 'Sùng Văn Toàn', soDinhDanh: '012083004719', soDienThoai: '0912884301', diaChi: { maTinh: '12', chiTiet: 'Bản Nà Tăm' } };
    log.info({ record: person, hoTen: person.hoTen, child: { soDinhDanh: person.soDinhDanh, phone: '0912884301' }, access_token: 'tok-123', recordId: 'LC25-000118' }, 'pushed');
    const out = lines.join('');
    for (const v of ['Sùng Văn Toàn', '012083004719', '0912884301', 'Bản Nà Tăm', 'tok-123']) expect(out).not.toContain(v);
    expect(out).toContain('LC25-000118');
  });

  it('child loggers carry correlation ids', () => {
    const { lines, log } = capture();
    log.child({ correlationId: 'c-42', component: 'push' }).info('x');
    const rec = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(rec.correlationId).toBe('c-42');
    expect(rec.component).toBe('push');
  });
});
