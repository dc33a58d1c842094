import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { sharedReference } from './fixtures.js';

let ref: ReturnType<typeof sharedReference> | undefined;

/** A simulator on a random port with the full ../shared/data reference and a fixed "today" (2026-03-31 VN). */
export async function startTestSim(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  ref ??= sharedReference();
  return startSimulator({ port: 0, host: '127.0.0.1', quiet: true, reference: ref, now: () => new Date('2026-03-31T03:00:00Z'), ...opts });
}

export interface Reply {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function getToken(sim: RunningSimulator, id = 'demo-connector', secret = 'demo-secret'): Promise<string> {
  const r = await fetch(`${sim.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }).toString(),
  });
  if (r.status !== 200) throw new Error(`token: ${r.status}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

export async function call(
  sim: RunningSimulator,
  token: string | undefined,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string; key?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.key) headers['idempotency-key'] = opts.key;
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  const r = await fetch(sim.baseUrl + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const bytes = Buffer.from(await r.arrayBuffer());
  let json: unknown;
  try {
    json = bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, bytes, json };
}

export async function admin(sim: RunningSimulator, method: string, path: string, body?: unknown): Promise<Reply> {
  const r = await fetch(sim.origin + path, {
    method,
    headers: { authorization: `Bearer ${sim.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const bytes = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, bytes, json: bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined };
}

let n = 0;
export const uniqueKey = (tag: string) => `${tag}-${process.pid}-${++n}`;
