// GET /api/sessions: requests in flight (streams being relayed, with tokens so far) and the
// clients seen recently. In memory only, bounded; fed by RequestRecord at start and finish.
import { estimateOutputTokens } from "./estimate.ts";
import type { UsageRow } from "./recorder.ts";

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
  apiKeyId: string | null;
  clientFormat: string;
  lastModel: string | null;
  lastSeen: number;
  requests: number;
  tokens: number;
  costUsd: number;
}

const MAX_RECENT = 200;
const MAX_ACTIVE = 100_000;

export class SessionTracker {
  private readonly active = new Map<string, { rec: LiveRecord; client: ClientInfo }>();
  private readonly recent = new Map<string, RecentClient>();

  begin(rec: LiveRecord, client: ClientInfo): void {
    // A record that never finished (a bug elsewhere) must not grow this map without end.
    if (this.active.size >= MAX_ACTIVE) this.active.delete(this.active.keys().next().value!);
    this.active.set(rec.requestId, { rec, client });
  }

  end(requestId: string, row: UsageRow): void {
    const entry = this.active.get(requestId);
    this.active.delete(requestId);
    if (!entry) return;
    const { client } = entry;
    const key = `${row.apiKeyId ?? ""}|${row.clientFormat}|${client.userAgent ?? ""}|${client.clientIp ?? ""}`;
    const prev = this.recent.get(key);
    this.recent.delete(key); // re-insert: Map order is the LRU order
    this.recent.set(key, {
      apiKeyId: row.apiKeyId ?? null,
      clientFormat: row.clientFormat,
      userAgent: client.userAgent,
      clientIp: client.clientIp,
      lastModel: row.requestedModel ?? row.model ?? null,
      lastSeen: Date.now(),
      requests: (prev?.requests ?? 0) + 1,
      tokens: (prev?.tokens ?? 0) + (row.totalTokens ?? 0),
      costUsd: (prev?.costUsd ?? 0) + (row.costUsd ?? 0),
    });
    if (this.recent.size > MAX_RECENT) this.recent.delete(this.recent.keys().next().value!);
  }

  get inFlight(): number {
    return this.active.size;
  }

  snapshot(keyNames: Map<string, string>, streaming: (requestId: string) => boolean) {
    const now = Date.now();
    const sessions = [...this.active.values()].map(({ rec, client }) => {
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
    const recentClients = [...this.recent.values()].reverse().map((c) => ({
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
