/**
 * National catalogues (contract §7) cached in Redis, shared by every process of a deployment.
 *
 * Redis layout: one hash per catalogue at `${prefix}:cat:<name>` with fields
 *   etag      — the national ETag ('' when the national side sent none)
 *   body      — the catalogue JSON ({ten, phienBan, muc})
 *   fetchedAt — ISO time of the last 200
 *   checkedAt — ISO time of the last successful check (200 or 304)
 *
 * `load()` serves from Redis when every catalogue is there, else fetches the missing ones. `refresh()` re-checks
 * every catalogue with If-None-Match and the stored ETag (304 keeps the cache, 200 replaces it). The Catalogues
 * object that `load()` returns is a live view: after a refresh that changed something it answers from the new data.
 */
import type { Redis } from 'ioredis';
import { CATALOGUE_NAMES, Catalogue as CatalogueSchema, type Catalogue, type CatalogueName } from '../contract/schemas.js';
import { makeCatalogues } from '../contract/catalogues.js';
import type { Catalogues } from '../../mappers/types.js';
import { logger as rootLogger, type Logger } from '../log/logger.js';
import type { ConditionalCatalogue } from './client.js';

/** What the store needs from the national client. */
export interface CatalogueSource {
  catalogueConditional(name: CatalogueName, etag: string | undefined, q?: { maTinh?: string }): Promise<ConditionalCatalogue>;
}

export interface CatalogueStoreOptions {
  /** Catalogues to keep (default: all of CATALOGUE_NAMES). */
  names?: readonly CatalogueName[];
  logger?: Logger;
  /** Parallel fetches during load/refresh (the client's own limiter still applies). */
  concurrency?: number;
}

export interface RefreshResult {
  changed: CatalogueName[];
  unchanged: CatalogueName[];
  failed: { name: CatalogueName; code: string }[];
}

interface Entry {
  etag: string;
  catalogue: Catalogue;
}

export class CatalogueStore {
  private readonly names: readonly CatalogueName[];
  private readonly log: Logger;
  private readonly concurrency: number;
  private entries = new Map<CatalogueName, Entry>();
  private snapshot: Catalogues | undefined;
  private readonly view: Catalogues;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<RefreshResult> | undefined;

  constructor(
    private readonly client: CatalogueSource,
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: CatalogueStoreOptions = {},
  ) {
    this.names = opts.names ?? CATALOGUE_NAMES;
    this.log = (opts.logger ?? rootLogger()).child({ component: 'catalogue-store' });
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.view = {
      get: (name) => this.current().get(name),
      byCode: (name, code) => this.current().byCode(name, code),
    };
  }

  key(name: CatalogueName): string {
    return `${this.prefix}:cat:${name}`;
  }

  /** All catalogues: from Redis where present, fetched (and stored) where not. Throws when one cannot be had. */
  async load(): Promise<Catalogues> {
    const cached = await this.readAll();
    const missing = this.names.filter((n) => !cached.has(n));
    const fetched = await this.mapLimited(missing, async (name) => {
      const r = await this.client.catalogueConditional(name, undefined);
      if (r.status !== 200 || !r.catalogue) throw new Error(`catalogue ${name}: no body`);
      const entry = { etag: r.etag ?? '', catalogue: r.catalogue };
      await this.write(name, entry, true);
      return [name, entry] as const;
    });
    for (const [name, entry] of fetched) cached.set(name, entry);
    this.install(cached);
    this.log.info({ fromCache: this.names.length - missing.length, fetched: missing.length }, 'catalogues loaded');
    return this.view;
  }

  /** Conditional re-check of every catalogue; a failure keeps the cached copy and is reported. */
  refresh(): Promise<RefreshResult> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Refresh every `ms` (timer unref'd; overlapping runs are skipped). */
  startSchedule(ms: number): void {
    this.stop();
    this.timer = setInterval(() => {
      this.refresh().catch((e: unknown) => this.log.warn({ err: { message: (e as Error).message } }, 'catalogue refresh failed'));
    }, ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The latest snapshot (throws before load()). */
  current(): Catalogues {
    if (!this.snapshot) throw new Error('CatalogueStore: call load() first');
    return this.snapshot;
  }

  /** One catalogue with its version and ETag, as last loaded. */
  entry(name: CatalogueName): { etag: string; catalogue: Catalogue } | undefined {
    return this.entries.get(name);
  }

  // ------------------------------------------------------------------ internals

  private async doRefresh(): Promise<RefreshResult> {
    const stored = await this.readAll();
    for (const [n, e] of this.entries) if (!stored.has(n)) stored.set(n, e);
    const result: RefreshResult = { changed: [], unchanged: [], failed: [] };
    await this.mapLimited(this.names, async (name) => {
      const have = stored.get(name);
      try {
        const r = await this.client.catalogueConditional(name, have?.etag || undefined);
        if (r.status === 304 && have) {
          await this.redis.hset(this.key(name), 'checkedAt', new Date().toISOString());
          result.unchanged.push(name);
        } else if (r.status === 200 && r.catalogue) {
          const entry = { etag: r.etag ?? '', catalogue: r.catalogue };
          await this.write(name, entry, true);
          stored.set(name, entry);
          result.changed.push(name);
        } else {
          result.failed.push({ name, code: 'BAD_RESPONSE' });
        }
      } catch (e) {
        result.failed.push({ name, code: String((e as { code?: unknown }).code ?? (e as Error).name) });
      }
      return undefined;
    });
    // Also picks up what another process stored since our last load.
    this.install(stored);
    this.log.info({ changed: result.changed, failed: result.failed.map((f) => `${f.name}:${f.code}`) }, 'catalogues refreshed');
    return result;
  }

  private install(entries: Map<CatalogueName, Entry>): void {
    this.entries = new Map(entries);
    const data: Partial<Record<CatalogueName, Catalogue['muc']>> = {};
    for (const [name, e] of entries) data[name] = e.catalogue.muc;
    this.snapshot = makeCatalogues(data);
  }

  private async readAll(): Promise<Map<CatalogueName, Entry>> {
    const pipe = this.redis.pipeline();
    for (const n of this.names) pipe.hgetall(this.key(n));
    const res = (await pipe.exec()) ?? [];
    const out = new Map<CatalogueName, Entry>();
    this.names.forEach((name, i) => {
      const [err, h] = res[i] ?? [null, null];
      const hash = h as Record<string, string> | null;
      if (err || !hash || !hash.body) return;
      try {
        const parsed = CatalogueSchema.safeParse(JSON.parse(hash.body));
        if (parsed.success) out.set(name, { etag: hash.etag ?? '', catalogue: parsed.data });
        else this.log.warn({ catalogue: name }, 'cached catalogue has a bad shape; refetching');
      } catch {
        this.log.warn({ catalogue: name }, 'cached catalogue is not JSON; refetching');
      }
    });
    return out;
  }

  private async write(name: CatalogueName, e: Entry, fresh: boolean): Promise<void> {
    const now = new Date().toISOString();
    await this.redis.hset(this.key(name), { etag: e.etag, body: JSON.stringify(e.catalogue), checkedAt: now, ...(fresh ? { fetchedAt: now } : {}) });
  }

  private async mapLimited<T, R>(items: readonly T[], fn: (t: T) => Promise<R>): Promise<R[]> {
    const out: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
    return out;
  }
}
