// The common path of every client-facing endpoint: authenticate, apply the gateway's rate
// limits, read the body, apply routing policies, resolve the model into ordered targets
// (a combo gives several), then try them (src/routing/fallback-loop.ts): for each target a
// connection is picked and the request is passed through (same wire format on both sides)
// or translated; a failure before the first byte reached the client moves on to the next.
import { asGatewayError } from "../errors.ts";
import type { CanonicalRequest } from "../formats/canonical.ts";
import type { ClientFormat, ClientStreamContext } from "../formats/types.ts";
import type { UpstreamFormat } from "../providers/types.ts";
import { runWithFallback } from "../routing/fallback-loop.ts";
import { admitRequest, applyPolicies, claimStreamSlot, comboFallbackOverrides } from "../routing/request-guards.ts";
import type { Services } from "../services.ts";
import type { ConnectionRuntime } from "../store/config-store.ts";
import { authenticate } from "./auth.ts";
import { readJsonBody } from "./body.ts";
import { clientErrorResponse } from "./client-errors.ts";
import { RequestRecord } from "./request-record.ts";
import { planRoute, type Target } from "./resolve.ts";
import { translateRequest } from "./translate.ts";
import { GatewayError } from "../errors.ts";
import { estimateRequestTokens, maxTokensOf } from "../usage/estimate.ts";
import { cacheForRequest, progressFor, promptControls, withIdempotency } from "../features/gateway.ts";

export interface PassthroughContext {
  client: ClientFormat;
  request: Request;
  services: Services;
  rec: RequestRecord;
  body: Record<string, unknown>;
  /** The canonical form, built only if something asks for it (a pass-through rarely does). */
  canonical(): CanonicalRequest;
  streamCtx: ClientStreamContext;
  target: Target;
  conn: ConnectionRuntime;
}

export interface ClientEndpoint {
  client: ClientFormat;
  /** Recorded in usage rows. */
  endpoint: string;
  /** The upstream format this client speaks natively (pass-through when the target matches). */
  nativeFormat: UpstreamFormat | null;
  /** `request` for what the body does not say (Gemini's `?alt=sse`); its URL is parsed only by who needs it. */
  read(body: Record<string, unknown>, request: Request): { canonical: CanonicalRequest; streamCtx: ClientStreamContext };
  /**
   * What routing needs (model, streaming) without the full translation to canonical form, so
   * a same-format pass-through neither pays for nor is refused by the translator's checks.
   */
  peek?(body: Record<string, unknown>, request: Request): { model: string; stream: boolean; streamCtx: ClientStreamContext };
  passthrough?: (ctx: PassthroughContext) => Promise<Response>;
}

/** A route served by Bun's router (src/server.ts), handed the client's address (undefined in-process). */
export type HotHandler = (request: Request, clientIp: string | undefined) => Promise<Response>;

export async function handleClientRequest(request: Request, services: Services, ep: ClientEndpoint, clientIp?: string): Promise<Response> {
  const rec = new RequestRecord(services, request, ep.endpoint, ep.client.id, clientIp);
  const fail = (err: unknown): Response => {
    const e = asGatewayError(err);
    rec.finish(e.status, { errorCode: e.code, error: e.message });
    return clientErrorResponse(ep.client, e);
  };
  try {
    rec.apiKeyId = authenticate(request, services)?.id ?? null;
    admitRequest(services, rec.apiKeyId);
  } catch (err) {
    return fail(err);
  }
  // A repeated Idempotency-Key / X-Request-Id gets the first request's answer (src/features/idempotency.ts).
  return withIdempotency(services, request, rec, ep.endpoint, () => serveClientRequest(request, services, ep, rec, fail));
}

async function serveClientRequest(request: Request, services: Services, ep: ClientEndpoint, rec: RequestRecord, fail: (err: unknown) => Response): Promise<Response> {
  try {
    const body = await readJsonBody(request);
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      throw new GatewayError(400, "invalid_request", "Request body must be a JSON object.");
    }
    const obj = body as Record<string, unknown>;
    rec.requestBody = services.accounting.bodies.requestBody(obj) ?? null;
    let full: ReturnType<ClientEndpoint["read"]> | null = null;
    const readFull = () => (full ??= ep.read(obj, request));
    const estimateInput = () => estimateRequestTokens(() => readFull().canonical, obj);
    rec.estimateInputTokens = estimateInput;
    const head = ep.peek ? ep.peek(obj, request) : { model: readFull().canonical.model, stream: readFull().canonical.stream, streamCtx: readFull().streamCtx };
    rec.requestedModel = head.model;
    rec.stream = head.stream;
    const policy = applyPolicies(services, rec.apiKeyId, head.model, obj, ep.client.id);
    // The body was capped in place; a canonical form read before that gets the same cap.
    if (policy.maxTokens !== undefined && full) {
      const c = (full as ReturnType<ClientEndpoint["read"]>).canonical;
      c.maxTokens = Math.min(c.maxTokens ?? policy.maxTokens, policy.maxTokens);
    }
    if (head.stream) claimStreamSlot(services, rec);
    const plan = planRoute(policy.model, services.store, services.routing);
    // Progress events (src/features/progress.ts): the answer starts now, the routing follows in it.
    const progress = head.stream ? progressFor(request, ep.client, head.streamCtx, rec.requestId) : null;
    progress?.emit("routing", { model: policy.model, targets: plan.targets.map((t) => `${t.provider.id}/${t.model}`) });
    // Response cache (src/features/cache): a hit answers here; a miss stores the answer once complete.
    const cache = cacheForRequest(services, { request, client: ep.client, body: obj, targets: plan.targets, stream: head.stream, streamCtx: head.streamCtx, rec });
    // Awaited only when the cache was asked: most requests are not deterministic, and the await costs a turn.
    const hit = cache?.consulted ? await cache.lookup() : null;
    if (hit) {
      progress?.emit("cache_hit");
      return progress ? progress.follow(async () => hit) : hit;
    }
    // Global system prompt and thinking-budget policy (src/features/prompt-controls.ts).
    const controls = promptControls(services);

    const answer = async (): Promise<Response> => {
      try {
        // A key over its budget gets a 429 here, before anything is sent (src/usage/budget.ts).
        const first = plan.targets[0];
        // Only keys can have budgets: a request without one skips even building the estimate's closure.
        if (first && rec.apiKeyId !== null) {
          rec.budgetSlot = services.accounting.admit(rec.requestId, rec.apiKeyId, () => ({ provider: first.provider.id, model: first.model, inputTokens: estimateInput(), maxTokens: maxTokensOf(obj) }));
        }
        let tries = 0;
        const result = await runWithFallback({
          requested: policy.model,
          targets: plan.targets,
          unresolved: plan.unresolved,
          state: services.routing,
          store: services.store,
          attempts: rec.attempts,
          signal: request.signal,
          overrides: comboFallbackOverrides(plan.combo?.config),
          onAttempt(target, conn) {
            const last = rec.attempts.at(-1);
            if (progress && tries++ > 0 && last) {
              progress.emit("fallback", { from: `${last.provider}/${last.model}`, reason: last.reason ?? null, to: `${target.provider.id}/${target.model}` });
            }
            rec.provider = target.provider.id;
            rec.model = target.model;
            rec.connectionId = conn.id || null;
          },
          send(target, conn) {
            if (ep.passthrough && target.provider.format === ep.nativeFormat) {
              const canonical = () => readFull().canonical;
              const sent = controls ? controls.body(target.provider.format, obj) : obj;
              return ep.passthrough({ client: ep.client, request, services, rec, body: sent, canonical, streamCtx: head.streamCtx, target, conn });
            }
            const { canonical, streamCtx } = readFull();
            return translateRequest({ request, services, client: ep.client, rec, canonical: controls ? controls.canonical(canonical) : canonical, streamCtx, target, conn });
          },
        });
        // With request-log bodies on, the answer is copied for the log on its way out.
        if (result.kind === "answered") return services.accounting.bodies.response(rec.requestId, cache ? cache.tagMiss(result.response) : result.response);
        rec.finish(result.error.status, { errorCode: result.error.code, error: result.error.message });
        return result.response ?? clientErrorResponse(ep.client, result.error);
      } catch (err) {
        return fail(err);
      }
    };
    return progress ? progress.follow(answer) : await answer();
  } catch (err) {
    return fail(err);
  }
}
