/**
 * The table of requests the ingest API must refuse, shared by the fake-pipeline and the
 * real-Redis tests. Every case is a full request a misbehaving or hostile local system
 * could send; none may leave a job or a ledger key behind.
 */
import type { InjectOptions } from 'fastify';
import { hashKey, type KeyEntry } from '../../src/ingest/keys.js';
import { qldtRecord } from './fakes.js';

export const TEST_KEYS = {
  qldt: 'test-qldt-key-0123456789abcdef',
  pakn: 'test-pakn-key-0123456789abcdef',
  get entries(): KeyEntry[] {
    return [
      { id: 'lai-chau-qldt', hash: hashKey(this.qldt), source: 'qldt', agencies: ['000.00.00.H29', '000.00.01.H29'] },
      { id: 'lao-cai-pakn', hash: hashKey(this.pakn), source: 'pakn', agencies: ['000.00.00.H37'] },
    ];
  },
};

/** Small limits so the size cases stay cheap. */
export const TEST_LIMITS = { INGEST_MAX_BODY_BYTES: 4096, INGEST_MAX_BATCH: 3, METRICS_ENABLED: true, KNTC_ADMIN_TOKEN: 'test-admin-token' } as const;

export interface RefusalCase {
  name: string;
  status: number;
  code: string;
  request(): InjectOptions;
}

const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
const post = (url: string, headers: Record<string, string>, payload: unknown): InjectOptions => ({ method: 'POST', url, headers, payload: payload as InjectOptions['payload'] });

export const REFUSAL_CASES: RefusalCase[] = [
  { name: 'no key', status: 401, code: 'KNTC_ERR_AUTH_MISSING', request: () => post('/v1/records/qldt', {}, { record: qldtRecord('LC-R-01') }) },
  { name: 'unknown key', status: 401, code: 'KNTC_ERR_AUTH_INVALID', request: () => post('/v1/records/qldt', bearer('not-a-key'), { record: qldtRecord('LC-R-02') }) },
  { name: 'unknown key in X-Api-Key', status: 401, code: 'KNTC_ERR_AUTH_INVALID', request: () => post('/v1/records/qldt', { 'x-api-key': TEST_KEYS.qldt + 'x' }, { record: qldtRecord('LC-R-03') }) },
  { name: 'Basic auth is not a key', status: 401, code: 'KNTC_ERR_AUTH_MISSING', request: () => post('/v1/records/qldt', { authorization: `Basic ${Buffer.from('a:' + TEST_KEYS.qldt).toString('base64')}` }, { record: qldtRecord('LC-R-04') }) },
  { name: 'qldt record sent with the pakn key (wrong source)', status: 403, code: 'KNTC_ERR_SOURCE_FORBIDDEN', request: () => post('/v1/records/qldt', bearer(TEST_KEYS.pakn), { record: qldtRecord('LC-R-05') }) },
  { name: 'batch on a source the key is not for', status: 403, code: 'KNTC_ERR_SOURCE_FORBIDDEN', request: () => post('/v1/records/pakn/batch', bearer(TEST_KEYS.qldt), { records: [qldtRecord('LC-R-06')] }) },
  { name: 'agency outside the key scope', status: 403, code: 'KNTC_ERR_AGENCY_FORBIDDEN', request: () => post('/v1/records/qldt', bearer(TEST_KEYS.qldt), { record: qldtRecord('LC-R-07', '000.00.00.H37') }) },
  {
    name: 'mixed batch: one record of another agency → whole batch',
    status: 403,
    code: 'KNTC_ERR_AGENCY_FORBIDDEN',
    request: () => post('/v1/records/qldt/batch', bearer(TEST_KEYS.qldt), { records: [qldtRecord('LC-R-08a'), qldtRecord('LC-R-08b', '000.00.09.H29'), qldtRecord('LC-R-08c', '000.00.01.H29')] }),
  },
  { name: 'status of another agency', status: 403, code: 'KNTC_ERR_AGENCY_FORBIDDEN', request: () => ({ method: 'GET', url: '/v1/records/qldt/000.00.09.H29/LC-R-09', headers: bearer(TEST_KEYS.qldt) }) },
  { name: 'status on another source', status: 403, code: 'KNTC_ERR_SOURCE_FORBIDDEN', request: () => ({ method: 'GET', url: '/v1/records/pakn/000.00.00.H37/X', headers: bearer(TEST_KEYS.qldt) }) },
  { name: 'unknown source', status: 404, code: 'KNTC_ERR_UNKNOWN_SOURCE', request: () => post('/v1/records/excel', bearer(TEST_KEYS.qldt), { record: qldtRecord('LC-R-10') }) },
  {
    name: 'body over INGEST_MAX_BODY_BYTES',
    status: 413,
    code: 'KNTC_ERR_BODY_TOO_LARGE',
    request: () => post('/v1/records/qldt', bearer(TEST_KEYS.qldt), { record: { ...qldtRecord('LC-R-11'), noi_dung: 'x'.repeat(5000) } }),
  },
  { name: 'unknown envelope field (agency)', status: 400, code: 'KNTC_ERR_ENVELOPE_INVALID', request: () => post('/v1/records/qldt', bearer(TEST_KEYS.qldt), { record: qldtRecord('LC-R-12'), agency: '000.00.00.H29' }) },
  { name: 'record not an object', status: 400, code: 'KNTC_ERR_ENVELOPE_INVALID', request: () => post('/v1/records/qldt', bearer(TEST_KEYS.qldt), { record: 'LC-R-13' }) },
  { name: 'batch envelope sent to the single endpoint', status: 400, code: 'KNTC_ERR_ENVELOPE_INVALID', request: () => post('/v1/records/qldt', bearer(TEST_KEYS.qldt), { records: [qldtRecord('LC-R-14')] }) },
  { name: 'batch over INGEST_MAX_BATCH', status: 400, code: 'KNTC_ERR_BATCH_TOO_LARGE', request: () => post('/v1/records/qldt/batch', bearer(TEST_KEYS.qldt), { records: [1, 2, 3, 4].map((i) => ({ id_don: `LC-R-15-${i}`, phien_ban: 1, ma_don_vi: '000.00.00.H29' })) }) },
  { name: 'empty batch', status: 400, code: 'KNTC_ERR_BATCH_EMPTY', request: () => post('/v1/records/qldt/batch', bearer(TEST_KEYS.qldt), { records: [] }) },
  { name: 'malformed JSON', status: 400, code: 'KNTC_ERR_MALFORMED_JSON', request: () => ({ method: 'POST', url: '/v1/records/qldt', headers: { ...bearer(TEST_KEYS.qldt), 'content-type': 'application/json' }, payload: '{"record": {"id_don": "LC-R-16",' }) },
  { name: 'record whose agency cannot be read', status: 422, code: 'KNTC_ERR_RECORD_UNIDENTIFIABLE', request: () => post('/v1/records/qldt/batch', bearer(TEST_KEYS.qldt), { records: [qldtRecord('LC-R-17a'), { id_don: 'LC-R-17b', phien_ban: 1 }] }) },
  { name: 'form body instead of JSON', status: 415, code: 'KNTC_ERR_MEDIA_TYPE', request: () => ({ method: 'POST', url: '/v1/records/qldt', headers: { ...bearer(TEST_KEYS.qldt), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'record=1' }) },
  { name: 'file with an unreadable line', status: 422, code: 'KNTC_ERR_RECORD_UNIDENTIFIABLE', request: () => ({ method: 'POST', url: '/v1/files/qldt', headers: { ...bearer(TEST_KEYS.qldt), 'content-type': 'application/x-ndjson' }, payload: JSON.stringify(qldtRecord('LC-R-18')) + '\n{broken\n' }) },
  { name: 'file with a record of another agency', status: 403, code: 'KNTC_ERR_AGENCY_FORBIDDEN', request: () => ({ method: 'POST', url: '/v1/files/qldt', headers: { ...bearer(TEST_KEYS.qldt), 'content-type': 'text/plain' }, payload: JSON.stringify(qldtRecord('LC-R-19')) + '\n' + JSON.stringify(qldtRecord('LC-R-19b', '000.00.11.H37')) + '\n' }) },
  { name: 'metrics without the admin token', status: 401, code: 'KNTC_ERR_ADMIN_AUTH', request: () => ({ method: 'GET', url: '/metrics' }) },
  { name: 'queue board with an API key instead of the admin token', status: 401, code: 'KNTC_ERR_ADMIN_AUTH', request: () => ({ method: 'GET', url: '/admin/queues', headers: bearer(TEST_KEYS.qldt) }) },
];
