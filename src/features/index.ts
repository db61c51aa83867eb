// The request-processing features a gateway request passes through (DESIGN: guards, then
// cache lookup; prompt controls before the upstream call; progress while it waits): one
// object per process, on Services. Configuration is read from the ConfigStore (reloaded on
// every control-plane write); state — cached answers, idempotency keys — lives here.
import type { LiveDatabase } from "../backup/live-db.ts";
import type { Db } from "../db/client.ts";
import type { ConfigStore } from "../store/config-store.ts";
import { ResponseCache } from "./cache/response-cache.ts";
import type { FeatureConfig } from "./config.ts";
import { MemoryIdempotencyStore, type IdempotencyStore } from "./idempotency.ts";
import { proxyFor } from "./upstream-proxy.ts";

export class Features {
  readonly cache: ResponseCache;
  readonly idempotency: IdempotencyStore;

  constructor(
    db: Db,
    database: Pick<LiveDatabase, "onReopen">,
    private readonly store: ConfigStore,
  ) {
    this.cache = new ResponseCache(db, () => store.settings);
    this.idempotency = new MemoryIdempotencyStore(() => store.settings.idempotencyWindowMs);
    // A restored backup brings its own response_cache rows; the memory tier belongs to the old file.
    database.onReopen(() => {
      this.cache.durable.reset();
      this.cache.memory.clear();
    });
  }

  get config(): FeatureConfig {
    return this.store.features;
  }

  /** The proxy URL a provider's upstream calls use (fetch's `proxy` option), or undefined. */
  proxyFor(providerId: string): string | undefined {
    return proxyFor(this.store.features.proxyUrls, providerId);
  }

  /** Writes queued cache rows (before a backup, at shutdown). */
  flush(): void {
    this.cache.flush();
  }

  close(): void {
    this.cache.close();
  }
}
