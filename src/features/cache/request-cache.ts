// The response cache as one request sees it: whether it may be answered from the cache (the
// cache is on, no `X-OmniRoute-No-Cache: true`, a deterministic request of a shape the
// canonical form holds), the lookup, the answer from a hit — rendered for the client's format,
// streamed through its StreamWriter when the request streams — and, on a miss, the capture that
// stores the live answer. A non-streamed answer says `X-OmniRoute-Cache: HIT` or `MISS`.
import type { ClientFormat, ClientStreamContext } from "../../formats/types.ts";
import type { Settings } from "../../settings.ts";
import { ResponseCapture } from "./capture.ts";
import { cacheableShape, cacheKey, isDeterministic } from "./key.ts";
import { streamOfWhole } from "../../gateway/whole-answer.ts";
import type { ResponseCache } from "./response-cache.ts";
import type { CachedAnswer } from "./store.ts";

export const CACHE_HEADER = "x-omniroute-cache";
export const NO_CACHE_HEADER = "x-omniroute-no-cache";

/** What the cache needs from the request's record (src/gateway/request-record.ts). */
export interface CacheableRecord {
  requestId: string;
  apiKeyId: string | null;
  provider: string | null;
  model: string | null;
  capture: ResponseCapture | null;
  markFirstByte(): void;
  onFinish(hook: (status: number) => void): void;
  finish(status: number, opts?: { finishReason?: string | null }): void;
}

export interface CacheRequestInput {
  request: Request;
  client: ClientFormat;
  body: Record<string, unknown>;
  /** The targets the model resolved to (named "provider/model" in the key). */
  targets: readonly { provider: { id: string }; model: string }[];
  stream: boolean;
  streamCtx: ClientStreamContext;
  rec: CacheableRecord;
  /** The prompt controls in force (FeatureConfig.promptControlsFingerprint). */
  controls: string;
}

export class RequestCache {
  constructor(
    private readonly cache: ResponseCache,
    private readonly key: string | null,
    private readonly input: CacheRequestInput,
  ) {}

  /** Whether the cache was asked (a hit can come only from such a request). */
  get consulted(): boolean {
    return this.key !== null;
  }

  /** The answer from the cache, or null; a miss arranges for the live answer to be stored. */
  async lookup(): Promise<Response | null> {
    if (this.key === null) return null;
    const entry = await this.cache.lookup(this.key);
    if (entry) return this.answer(entry);
    this.input.rec.capture = new ResponseCapture(this.cache, this.key, this.input.rec);
    return null;
  }

  private answer(entry: CachedAnswer): Response {
    const { client, streamCtx, stream, rec } = this.input;
    // The usage row: model only, no provider and no tokens — nothing was called, nothing is charged.
    rec.model = entry.model ? entry.model.slice(entry.model.indexOf("/") + 1) : null;
    rec.markFirstByte();
    rec.finish(200, { finishReason: entry.response.finishReason });
    const headers: Record<string, string> = { "x-request-id": rec.requestId };
    if (!stream) {
      headers[CACHE_HEADER] = "HIT";
      return Response.json(client.renderResponse(entry.response, streamCtx), { headers });
    }
    return streamOfWhole(client, streamCtx, entry.response, headers);
  }

  /** Marks a non-streamed answer that did not come from the cache. */
  tagMiss(res: Response): Response {
    if (!this.input.stream && !res.headers.has(CACHE_HEADER)) {
      try {
        res.headers.set(CACHE_HEADER, "MISS");
      } catch {
        // immutable headers (a fetch Response passed on as is): the header is informational
      }
    }
    return res;
  }
}

/** Null when the cache is off; otherwise the request's view of it (which may be "not cacheable"). */
export function requestCache(cache: ResponseCache, settings: Settings, input: CacheRequestInput): RequestCache | null {
  if (!settings.cacheEnabled) return null;
  const bypass = input.request.headers.get(NO_CACHE_HEADER)?.trim().toLowerCase() === "true";
  const cacheable = !bypass && isDeterministic(input.client.id, input.body, settings) && cacheableShape(input.client.id, input.body);
  const key = cacheable
    ? cacheKey({ client: input.client.id, body: input.body, targets: input.targets.map((t) => `${t.provider.id}/${t.model}`), apiKeyId: input.rec.apiKeyId, controls: input.controls })
    : null;
  return new RequestCache(cache, key, input);
}
