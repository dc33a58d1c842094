import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL } from './redis.js';

/**
 * Records waiting (waiting or prioritized) in a queue: a batch job (`<queue>-batch`) counts its
 * items, a single job one. Tests count records, not jobs, since the pipeline packs records into jobs.
 */
export async function waitingRecords(prefix: string, queue: 'map' | 'push'): Promise<number> {
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const q = new Queue(queue, { connection: conn, prefix });
  try {
    const jobs = await q.getJobs(['waiting', 'prioritized']);
    return jobs.reduce((n, j) => n + (Array.isArray((j.data as { items?: unknown[] }).items) ? (j.data as { items: unknown[] }).items.length : 1), 0);
  } finally {
    await q.close();
    conn.disconnect();
  }
}
