// GET /api/sessions: requests in flight (streams being relayed, with tokens so far) and the
// clients seen recently. In memory only, bounded; fed by RequestRecord at start and finish.
import { Slots } from "../slots.ts";
import { estimateOutputTokens } from "./estimate.ts";
import type { UsageEntry } from "./recorder.ts";

/** What a session view needs from a request in flight (RequestRecord satisfies it). */
export interface LiveRecord {
  readonly requestId: string;
  readonly timestamp: number;
  readonly endpoint: string;
  readonly clientFormat: string;
  apiKeyId: string | null;
  requestedModel: string | null;
  provider: string | null;
  model: string | null;
  stream: boolean;
  /** Upstream chunks relayed so far (streams). */
  streamChunks: number;
}

interface ClientInfo {
  userAgent: string | null;
  clientIp: string | null;
}

interface RecentClient extends ClientInfo {
  key: string;
  apiKeyId: string | null;
  clientFormat: string;
  lastModel: string | null;
  lastSeen: number;
  /** Order of last use (lastSeen can tie within a millisecond). */
  order: number;
  requests: number;
  tokens: number;
  costUsd: number;
}

const MAX_RECENT = 200;
/** Requests in flight kept at most (records that never finish are a bug, not traffic). */
export const MAX_ACTIVE = 100_000;

export class SessionTracker {
  /** Requests in flight, in array slots (src/slots.ts: a Map's add and delete per request cost the collector dearly). */
  private readonly active = new Slots<{ rec: LiveRecord; client: ClientInfo }>();
  private readonly recent = new Map<string, RecentClient>();
  /** The client of the last finished request. */
  private last: RecentClient | null = null;
  private seen = 0;

  /** A request started; the number returned ends it (end()). */
  begin(rec: LiveRecord, client: ClientInfo): number {
    // Records that never finished (a bug elsewhere) must not grow the list without end.
    if (this.active.size >= MAX_ACTIVE) this.dropOldest();
    return this.active.add({ rec, client });
  }

  /** The request begun in `slot` finished as `row`. */
  end(slot: number, row: UsageEntry): void {
    const entry = this.active.get(slot);
    if (!entry || entry.rec.requestId !== row.requestId) return;
    this.active.remove(slot, entry);
    const { client } = entry;
    const apiKeyId = row.apiKeyId ?? null;
    // Under load most requests come from the client before them: compared before any key is built.
    const last = this.last;
    let c: RecentClient | undefined;
    if (last && last.apiKeyId === apiKeyId && last.clientFormat === row.clientFormat && last.userAgent === client.userAgent && last.clientIp === client.clientIp && this.recent.has(last.key)) c = last;
    else {
      const key = `${apiKeyId ?? ""}|${row.clientFormat}|${client.userAgent ?? ""}|${client.clientIp ?? ""}`;
      c = this.recent.get(key);
      if (!c) {
        c = { key, apiKeyId, clientFormat: row.clientFormat, userAgent: client.userAgent, clientIp: client.clientIp, lastModel: null, lastSeen: 0, order: 0, requests: 0, tokens: 0, costUsd: 0 };
        if (this.recent.size >= MAX_RECENT) this.evictOldest();
        this.recent.set(key, c);
      }
    }
    this.last = c;
    c.lastModel = row.requestedModel ?? row.model ?? null;
    c.lastSeen = Date.now();
    c.order = ++this.seen;
    c.requests++;
    c.tokens += row.totalTokens ?? 0;
    c.costUsd += row.costUsd ?? 0;
  }

  /** The oldest tenth at once: one scan per MAX_ACTIVE / 10 requests, not one per request while full. */
  private dropOldest(): void {
    const all = [...this.active.entries()].sort((a, b) => a[1].rec.timestamp - b[1].rec.timestamp);
    for (const [slot, entry] of all.slice(0, Math.max(1, Math.floor(MAX_ACTIVE / 10)))) this.active.remove(slot, entry);
  }

  /** Only when a new client arrives with the list full: a scan of MAX_RECENT entries. */
  private evictOldest(): void {
    let oldest: RecentClient | null = null;
    for (const c of this.recent.values()) if (!oldest || c.order < oldest.order) oldest = c;
    this.recent.delete(oldest!.key);
  }

  get inFlight(): number {
    return this.active.size;
  }

  snapshot(keyNames: Map<string, string>, streaming: (requestId: string) => boolean) {
    const now = Date.now();
    const live = [...this.active.entries()].map(([, e]) => e);
    // Oldest first (slots are reused, so their order says nothing); UUIDv7 ids order ties by start.
    live.sort((a, b) => a.rec.timestamp - b.rec.timestamp || (a.rec.requestId < b.rec.requestId ? -1 : 1));
    const sessions = live.map(({ rec, client }) => {
      const relaying = streaming(rec.requestId);
      return {
        requestId: rec.requestId,
        keyId: rec.apiKeyId,
        keyName: rec.apiKeyId ? (keyNames.get(rec.apiKeyId) ?? null) : null,
        clientFormat: rec.clientFormat,
        endpoint: rec.endpoint,
        userAgent: client.userAgent,
        clientIp: client.clientIp,
        requestedModel: rec.requestedModel,
        provider: rec.provider,
        model: rec.model,
        stream: rec.stream,
        streaming: relaying,
        startedAt: new Date(rec.timestamp).toISOString(),
        elapsedMs: now - rec.timestamp,
        // Upstreams report usage at the end of a stream; until then, ~1 token per chunk.
        tokensSoFar: estimateOutputTokens(rec.streamChunks),
        tokensEstimated: true,
      };
    });
    const byApiKey: Record<string, number> = {};
    for (const s of sessions) byApiKey[s.keyId ?? "anonymous"] = (byApiKey[s.keyId ?? "anonymous"] ?? 0) + 1;
    const recentClients = [...this.recent.values()].sort((a, b) => b.order - a.order).map((c) => ({
      keyId: c.apiKeyId,
      keyName: c.apiKeyId ? (keyNames.get(c.apiKeyId) ?? null) : null,
      clientFormat: c.clientFormat,
      userAgent: c.userAgent,
      clientIp: c.clientIp,
      lastModel: c.lastModel,
      lastSeen: new Date(c.lastSeen).toISOString(),
      requests: c.requests,
      tokens: c.tokens,
      costUsd: Math.round(c.costUsd * 1e6) / 1e6,
    }));
    return {
      count: sessions.length,
      streaming: sessions.filter((s) => s.streaming).length,
      sessions,
      byApiKey,
      recentClients,
    };
  }
}
