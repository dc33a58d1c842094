/**
 * The simulator as a process of its own, as the national side is deployed (another machine):
 * the benchmarks measure the connector's process, not a connector sharing one event loop and
 * one heap with the national database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { projectPath } from '../config/index.js';

const SIM_ADMIN = 'demo-admin-token';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface SimInspect {
  totals: Record<string, unknown> & { requests: number; rateLimited: number; concurrencyLimited: number; creates: number; updates: number; byStatus: Record<string, number> };
}

export interface SimProcess {
  baseUrl: string;
  inspect(): Promise<SimInspect>;
  /** CPU seconds the simulator process has used so far (from /proc; NaN where there is none) */
  cpuSeconds(): number;
  /** peak resident memory of the simulator process so far, MiB (VmHWM; NaN where there is no /proc) */
  peakRssMiB(): number;
  close(): Promise<void>;
}

/** `kntc simulator` in a child process, national limits on or off; resolves once it answers /_sim/health. */
export async function startSimProcess(limits: boolean): Promise<SimProcess> {
  const port = await freePort();
  // BENCH_SIM_NODE_ARGS: extra node options for the simulator process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/sim-prof"
  const nodeArgs = (process.env.BENCH_SIM_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, projectPath('bin/kntc.js'), 'simulator', '--port', String(port), '--quiet', ...(limits ? [] : ['--no-limits'])], {
    cwd: projectPath(), env: { ...process.env, LOG_LEVEL: 'error' }, stdio: 'ignore',
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${origin}/_sim/health`)).ok) break;
    } catch { /* not yet */ }
    if (i > 300) throw new Error('simulator did not start');
    await sleep(100);
  }
  return {
    baseUrl: `${origin}/api/v1`,
    inspect: async () => (await (await fetch(`${origin}/_sim/inspect`, { headers: { authorization: `Bearer ${SIM_ADMIN}` } })).json()) as SimInspect,
    cpuSeconds: () => procCpuSeconds(child.pid),
    peakRssMiB: () => procPeakRssBytes(child.pid) / 2 ** 20,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** utime + stime of a process in seconds, from /proc/<pid>/stat (clock ticks of 1/100 s, Linux's USER_HZ). */
export function procCpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the fields after "(command) ": state is the first, utime the 12th, stime the 13th
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Peak resident memory of a process so far in bytes (VmHWM from /proc/<pid>/status; NaN where there is none). */
export function procPeakRssBytes(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}
