/**
 * What ingest needs from its neighbours, written as structural ports so the ingest
 * side can be tested against a fake pipeline: `IngestPipeline` is exactly the Pipeline
 * interface of src/pipeline/index.ts (team interface G); the real one satisfies it.
 */
import type { Issue, SourceMapper } from '../../mappers/types.js';
import type { RecordKind } from '../contract/schemas.js';

export interface AcceptResult {
  index: number;
  trackingId: string;
  source: string;
  agency: string;
  localId: string;
  version: number;
  outcome: 'accepted' | 'unchanged' | 'older' | 'rejected';
  reasons?: Issue[];
}

export interface RecordStatus {
  source: string;
  agency: string;
  localId: string;
  trackingId: string;
  state: 'received' | 'mapped' | 'pushing' | 'pushed' | 'rejected';
  latestVersion: number;
  pushedVersion?: number;
  nationalIds: Partial<Record<RecordKind, string>>;
  issues: Issue[];
  lastError?: { code: string; message: string; at: string };
  history: { at: string; state: string; version: number; detail?: string }[];
  /** Per national record produced from the source record (so-tiep rows yield two). */
  outputs?: { kind: RecordKind; localId: string; state: string; mappedVersion?: number; pushedVersion?: number; nationalId?: string }[];
}

export interface IngestPipeline {
  accept(source: string, raws: unknown[], via: { channel: 'api' | 'cli'; keyId?: string }): Promise<AcceptResult[]>;
  status(source: string, agency: string, localId: string): Promise<RecordStatus | undefined>;
  ready(): Promise<{ ok: boolean; reason?: string }>;
  counts(): Promise<Record<string, Record<string, number>>>;
  close(): Promise<void>;
}

/** Source name → mapper (mappers/registry.ts getMapper). */
export type MapperLookup = (source: string) => SourceMapper | undefined;

/** Prometheus registry surface used by /metrics (prom-client Registry). */
export interface MetricsRegistry {
  contentType: string;
  metrics(): Promise<string>;
}
