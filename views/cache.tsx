import { Alert, PageHeader, Section, Spinner, Stat } from "./components.tsx";
import { fmtInt, fmtMs } from "./format.ts";

/** GET /api/cache, as the API answers it. */
export interface CacheStats {
  semanticCache: { memorySize: number; memoryMaxSize: number; dbSize: number; hitRate: number };
  idempotency: { activeKeys: number; windowMs: number };
}

export interface CacheAreaProps {
  stats: CacheStats | null;
  error?: string | null;
  notice?: string | null;
}

export function CacheArea({ stats, error, notice }: CacheAreaProps) {
  const c = stats?.semanticCache;
  const i = stats?.idempotency;
  return (
    <div id="cache-area">
      <Alert tone="ok" message={notice} />
      <Alert message={error} />
      {c && i ? (
        <div class="stats">
          <Stat label="In memory" value={`${fmtInt(c.memorySize)} / ${fmtInt(c.memoryMaxSize)}`} hint="cached answers / the most kept in memory" />
          <Stat label="In the database" value={fmtInt(c.dbSize)} hint="cached answers still fresh" />
          <Stat label="Hit rate" value={`${(c.hitRate * 100).toFixed(1)}%`} hint="of cacheable lookups since start (or the last clear)" />
          <Stat label="Idempotency keys" value={fmtInt(i.activeKeys)} hint={`active, window ${fmtMs(i.windowMs)}`} />
        </div>
      ) : (
        ""
      )}
      <Section title="Clear the cache">
        <p class="muted small">
          Removes every cached answer from memory and the database, and forgets finished idempotency keys (requests still in flight keep theirs). The next
          identical request goes to the provider again.
        </p>
        <form method="post" action="/dashboard/cache/clear" hx-post="/dashboard/cache/clear" hx-target="#cache-area" hx-confirm="Clear every cached answer and idempotency key?" hx-indicator="find .spinner">
          <div class="form-actions">
            <button type="submit" class="btn danger">
              <Spinner /> Clear cache
            </button>
          </div>
        </form>
      </Section>
    </div>
  );
}

export function CachePage(p: CacheAreaProps) {
  return (
    <>
      <PageHeader title="Cache" subtitle="The response cache and the idempotency layer. Turn the cache on, and set its TTL and sizes, in Settings." />
      <CacheArea {...p} />
    </>
  );
}
