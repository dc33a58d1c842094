/**
 * Prometheus metrics (prom-client) of the connector. One registry per process;
 * the ingest API serves `registry.metrics()` at /metrics behind the admin token.
 * Labels carry codes and queue names only — never ids or personal data.
 */
import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'kntc_process_' });

/** Depth of each queue by job state; filled on scrape from the queues registered below. */
export const queueDepth = new Gauge({
  name: 'kntc_queue_jobs',
  help: 'Jobs per queue and state (collected on scrape).',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    for (const source of depthSources) {
      try {
        const counts = await source();
        for (const [queue, byState] of Object.entries(counts)) for (const [state, n] of Object.entries(byState)) this.set({ queue, state }, n);
      } catch {
        /* Redis down: keep the last values; readiness reports the outage */
      }
    }
  },
});
type DepthSource = () => Promise<Record<string, Record<string, number>>>;
const depthSources = new Set<DepthSource>();
/** Register a queue-count source (Pipeline.counts); returns an unregister function. */
export function registerQueueDepthSource(src: DepthSource): () => void {
  depthSources.add(src);
  return () => depthSources.delete(src);
}

export const acceptedRecords = new Counter({
  name: 'kntc_accepted_records_total',
  help: 'Raw records handed to the pipeline, by source and gate outcome (accepted|unchanged|older|rejected).',
  labelNames: ['source', 'outcome'] as const,
  registers: [registry],
});

export const mapOutcomes = new Counter({
  name: 'kntc_map_outcomes_total',
  help: 'Mapping results by source and outcome (mapped|rejected|stale|skipped).',
  labelNames: ['source', 'outcome'] as const,
  registers: [registry],
});

export const pushOutcomes = new Counter({
  name: 'kntc_push_outcomes_total',
  help: 'Push results by record kind, outcome (pushed|superseded|rejected|retrying|skipped) and national code (OK or the error `ma`).',
  labelNames: ['kind', 'outcome', 'code'] as const,
  registers: [registry],
});

export const pushLatency = new Histogram({
  name: 'kntc_push_latency_seconds',
  help: 'Duration of one national write call (single or batch), including in-call retries.',
  labelNames: ['kind', 'mode'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

export const pushBatchSize = new Histogram({
  name: 'kntc_push_batch_items',
  help: 'Items per national write call (1 = single write, else the batch endpoint).',
  labelNames: ['kind'] as const,
  buckets: [1, 2, 5, 10, 20, 50, 100],
  registers: [registry],
});

export const national429 = new Counter({
  name: 'kntc_national_429_total',
  help: 'HTTP 429 (VUOT_HAN_MUC) answers from the national API. The national client increments it on every 429 it sees (also those it retried in-call).',
  registers: [registry],
});
