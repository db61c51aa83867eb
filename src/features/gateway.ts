// The features as the gateway's request path (src/gateway/client-request.ts) calls them. Each
// entry point costs a header read or a property read when its feature is not in play.
import type { ClientFormat, ClientStreamContext } from "../formats/types.ts";
import type { Services } from "../services.ts";
import { requestCache, type CacheRequestInput, type RequestCache } from "./cache/request-cache.ts";
import { idempotencyKeyOf } from "./idempotency.ts";
import { ProgressStream, progressRequested } from "./progress.ts";
import { promptControlsFor, type PromptControls } from "./prompt-controls.ts";

export type { RequestCache } from "./cache/request-cache.ts";
export type { PromptControls } from "./prompt-controls.ts";
export type { ProgressStream } from "./progress.ts";

interface FinishableRecord {
  apiKeyId: string | null;
  finish(status: number): void;
}

/**
 * Runs `serve` once per Idempotency-Key (or X-Request-Id) within the window: the first request
 * is served, a duplicate — arriving while it runs or shortly after — gets its answer.
 */
export async function withIdempotency(
  services: Services,
  request: Request,
  rec: FinishableRecord,
  endpoint: string,
  serve: () => Promise<Response>,
): Promise<Response> {
  const key = services.store.settings.idempotencyWindowMs > 0 ? idempotencyKeyOf(request) : null;
  if (key === null) return serve();
  const claim = services.features.idempotency.claim(`${rec.apiKeyId ?? ""}\n${endpoint}\n${key}`);
  if (claim.role === "first") {
    let response: Response;
    try {
      response = await serve();
    } catch (err) {
      response = Response.json({ error: { message: String(err), type: "server_error" } }, { status: 500 });
    }
    return claim.settle(response);
  }
  const shared = await claim.answer;
  // Counted as a request of its own (no provider, no tokens: nothing was called for it).
  rec.finish(shared.status);
  return shared.response(true);
}

/** The response cache for this request, or null when the cache is off. */
export function cacheForRequest(services: Services, input: Omit<CacheRequestInput, "controls">): RequestCache | null {
  const { features, store } = services;
  if (!store.settings.cacheEnabled) return null;
  return requestCache(features.cache, store.settings, { ...input, controls: store.features.promptControlsFingerprint });
}

/** Progress events for a streamed request that asked for them, else null. */
export function progressFor(request: Request, client: ClientFormat, streamCtx: ClientStreamContext, requestId: string): ProgressStream | null {
  if (!progressRequested(request)) return null;
  return ProgressStream.open(client, streamCtx, { "x-request-id": requestId });
}

/** The system prompt and thinking policy for this request, or null when neither changes anything. */
export function promptControls(services: Services): PromptControls | null {
  return promptControlsFor(services.store.features);
}
