// The common path of the media endpoints (embeddings, images, audio transcription): the same
// steps as a chat request (src/gateway/client-request.ts) — key, rate limit, policies, budget,
// model resolution, fallback across targets and connections, one usage row — with a body that
// each endpoint reads and sends its own way. Answers and errors are OpenAI-shaped: these are
// OpenAI's endpoints, whatever the upstream.
import { asGatewayError, GatewayError } from "../../errors.ts";
import { openAiChatClient } from "../../formats/openai-chat/index.ts";
import { runWithFallback } from "../../routing/fallback-loop.ts";
import { admitRequest, applyPolicies, comboFallbackOverrides } from "../../routing/request-guards.ts";
import type { Services } from "../../services.ts";
import { NO_USAGE, type TokenUsage } from "../../usage/tokens.ts";
import { authenticate } from "../auth.ts";
import { clientErrorResponse } from "../client-errors.ts";
import { scopeModelToProvider } from "../endpoints/provider-chat.ts";
import { RequestRecord } from "../request-record.ts";
import { planRoute, type Target } from "../resolve.ts";
import { MediaUpstream } from "./upstream.ts";

/** Recorded as the usage row's client format: OpenAI's API, not its chat format. */
const CLIENT_FORMAT = "openai";

export interface MediaInput<P> {
  model: string;
  payload: P;
  /** The client's fields without file bytes: routing policies read them, request logs keep them. */
  fields: Record<string, unknown>;
  /** Input tokens for budget admission and for a cost when the upstream reports no usage. */
  estimateInputTokens?: () => number;
}

export interface MediaAnswer {
  /** A JSON value, or text already serialised (with its content type). */
  body: unknown;
  contentType?: string;
  usage?: TokenUsage;
}

export interface MediaEndpoint<P> {
  /** The path recorded in usage rows (the provider route's own path is recorded for it). */
  endpoint: string;
  /** The last path segment(s) after /v1 (and after /v1/providers/{provider}). */
  path: string;
  read(request: Request): Promise<MediaInput<P>>;
  send(up: MediaUpstream, input: MediaInput<P>): Promise<MediaAnswer>;
}

export async function handleMediaRequest<P>(request: Request, services: Services, ep: MediaEndpoint<P>, providerParam?: string, clientIp?: string): Promise<Response> {
  const providerId = providerParam === undefined ? undefined : services.store.prefixes.get(providerParam.toLowerCase());
  const endpoint = providerParam === undefined ? ep.endpoint : `/v1/providers/${providerId ?? providerParam}/${ep.path}`;
  const rec = new RequestRecord(services, request, endpoint, CLIENT_FORMAT, clientIp);
  try {
    rec.apiKeyId = authenticate(request, services)?.id ?? null;
    admitRequest(services, rec.apiKeyId);
    if (providerParam !== undefined && !providerId) throw new GatewayError(404, "not_found", `Unknown provider "${providerParam}".`);
    const input = await ep.read(request);
    if (providerId) input.model = scopeModelToProvider(input.model, providerId, services.store);
    rec.requestedModel = input.model;
    rec.requestBody = services.accounting.bodies.requestBody(input.fields) ?? null;
    rec.estimateInputTokens = input.estimateInputTokens;
    const policy = applyPolicies(services, rec.apiKeyId, input.model, input.fields, CLIENT_FORMAT);
    const plan = planRoute(policy.model, services.store, services.routing);
    const first = plan.targets[0];
    if (first) {
      rec.budgetSlot = services.accounting.admit(rec.requestId, rec.apiKeyId, () => ({
        provider: first.provider.id,
        model: first.model,
        inputTokens: input.estimateInputTokens?.() ?? 0,
        maxTokens: 0,
      }));
    }
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
        rec.provider = target.provider.id;
        rec.model = target.model;
        rec.connectionId = conn.id || null;
      },
      async send(target: Target, conn) {
        const answer = await ep.send(new MediaUpstream(services, request, rec, target, conn), input);
        rec.finish(200, { usage: answer.usage ?? NO_USAGE });
        const headers = {
          "content-type": answer.contentType ?? "application/json",
          "x-request-id": rec.requestId,
          "x-omniroute-provider": target.provider.id,
        };
        const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
        return new Response(body, { status: 200, headers });
      },
    });
    if (result.kind === "answered") return services.accounting.bodies.response(rec.requestId, result.response);
    rec.finish(result.error.status, { errorCode: result.error.code, error: result.error.message });
    return result.response ?? clientErrorResponse(openAiChatClient, result.error);
  } catch (err) {
    const e = asGatewayError(err);
    rec.finish(e.status, { errorCode: e.code, error: e.message });
    return clientErrorResponse(openAiChatClient, e);
  }
}

/** Chars / 4, the estimate src/usage/estimate.ts uses for text. */
export function estimateTextTokens(texts: unknown[]): number {
  let chars = 0;
  for (const t of texts) chars += typeof t === "string" ? t.length : Array.isArray(t) ? t.length * 4 : 0;
  return Math.ceil(chars / 4);
}
