// The routing checks a request passes before any upstream is chosen: the gateway's own rate
// limits (requests per minute, concurrent streams) and the routing policies. Each refusal is
// a GatewayError, so the caller renders it in the client's own format (429 with retry-after,
// 403 for a denying policy).
import { GatewayError } from "../errors.ts";
import type { RequestRecord } from "../gateway/request-record.ts";
import type { Services } from "../services.ts";
import type { FallbackOverrides } from "./fallback-loop.ts";
import { capBodyMaxTokens, decidingPolicy } from "./policies.ts";

const seconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

/** Counts the request against the per-key and global per-minute limits, or refuses it with 429. */
export function admitRequest(services: Services, apiKeyId: string | null): void {
  const routing = services.routing;
  const verdict = routing.limiter.admit(services.store.routing.rateLimit, apiKeyId, routing.now());
  if (verdict.ok) return;
  const who = verdict.scope === "key" ? "this API key" : "this gateway";
  throw new GatewayError(429, "rate_limited", `Rate limit of ${verdict.limit} requests per minute reached for ${who}; retry in ${seconds(verdict.retryAfterMs)} s.`, {
    retryAfter: seconds(verdict.retryAfterMs),
  });
}

/** Claims one of the concurrent-stream slots for the request's whole life, or refuses it with 429. */
export function claimStreamSlot(services: Services, rec: RequestRecord): void {
  const limiter = services.routing.limiter;
  const verdict = limiter.acquireStream(services.store.routing.rateLimit);
  if (!verdict.ok) {
    throw new GatewayError(429, "rate_limited", `Too many concurrent streams (limit ${verdict.limit}); retry shortly.`, {
      retryAfter: seconds(verdict.retryAfterMs),
    });
  }
  rec.onFinish(() => limiter.releaseStream());
}

export interface PolicyOutcome {
  /** The model to resolve (the client's, or the one a policy forces). */
  model: string;
  /** Output-token cap a policy imposed (already written into the body). */
  maxTokens?: number;
  policyId?: string;
}

/**
 * Applies the deciding policy: a deny throws 403; an allow may force another model or combo
 * and cap max tokens (written into the client body in its own format, so a pass-through
 * carries it too).
 */
export function applyPolicies(services: Services, apiKeyId: string | null, model: string, body: Record<string, unknown>, clientFormat: string): PolicyOutcome {
  const policies = services.store.routing.policies;
  if (policies.length === 0) return { model };
  const policy = decidingPolicy(policies, { apiKeyId, model, now: services.routing.now() });
  if (!policy) return { model };
  if (policy.action === "deny") {
    throw new GatewayError(403, "policy_denied", policy.message || `Request refused by routing policy "${policy.name}".`);
  }
  if (policy.maxTokens !== undefined) capBodyMaxTokens(body, clientFormat, policy.maxTokens);
  return { model: policy.forceModel ?? model, maxTokens: policy.maxTokens, policyId: policy.id };
}

/** A combo's own fallback settings (its `config`), over the global ones. */
export function comboFallbackOverrides(config: Record<string, unknown> | undefined): FallbackOverrides | undefined {
  if (!config) return undefined;
  const out: FallbackOverrides = {};
  if (Array.isArray(config.fallbackStatuses)) out.statuses = config.fallbackStatuses.filter((s): s is number => typeof s === "number");
  if (Array.isArray(config.fallbackMessagePatterns)) out.messagePatterns = config.fallbackMessagePatterns.filter((s): s is string => typeof s === "string");
  if (typeof config.maxAttempts === "number") out.maxAttempts = config.maxAttempts;
  return Object.keys(out).length > 0 ? out : undefined;
}
