// What a failed attempt means for routing: move on or stop, try another account of the same
// provider or the next target, count it against the circuit breaker, cool the account down,
// mark it unhealthy, or repeat the call. One pure function so the rules are in one place and
// unit-testable; the loop (fallback-loop.ts) and the health state act on its verdict.
import { messageRegexes, type ResilienceConfig } from "./resilience-config.ts";

export type FailureKind =
  /** Connection refused, DNS failure, reset before an answer. */
  | "unreachable"
  /** Our timeout (request or time-to-first-byte) fired. */
  | "timeout"
  /** A 2xx whose body is not the provider's format (an HTML error page, truncated JSON). */
  | "bad_response"
  /** Upstream 5xx, including Anthropic's 529 overloaded. */
  | "server_error"
  /**
   * 429: this account is over its rate or quota *for this model* for now. Quota 429s are
   * model-scoped too: Gemini's per-model free-tier quotas answer with the same "check your
   * plan and billing details" text as OpenAI's account-wide insufficient_quota, and cooling
   * one model too few costs one failed call per model, while cooling the whole account for a
   * per-model limit would idle every other model.
   */
  | "rate_limited"
  /** 402, or a 400/403 about billing or credits (Anthropic's "credit balance is too low"): the whole account cannot pay. */
  | "quota"
  /** 401/403: the credential is bad or lacks access. */
  | "auth"
  /** A 4xx that means this model can't (context length, model not found) or a status the operator listed. */
  | "capability"
  /** The request itself is wrong; another target would refuse it too. */
  | "client_error"
  /** The client went away; nobody is waiting for an answer. */
  | "cancelled";

export interface FailureVerdict {
  kind: FailureKind;
  /** Try something else (another connection or target) rather than answer with this error. */
  advance: boolean;
  /** Another connection of the same provider may succeed (the failure belongs to the account). */
  accountScoped: boolean;
  /** Counts against the connection's and the provider's circuit breakers. */
  breakerFailure: boolean;
  /** Safe to repeat on the same connection after a short wait (the upstream did no work). */
  retrySame: boolean;
}

export interface FailureFacts {
  status: number;
  /** GatewayError code: upstream_unreachable, upstream_timeout, upstream_bad_response, upstream_error… */
  code: string;
  message: string;
}

const BILLING = /billing|credit|insufficient.?(funds|balance|quota)|payment required/i;

export function classifyFailure(f: FailureFacts, fallback: ResilienceConfig["fallback"]): FailureVerdict {
  const verdict = (kind: FailureKind, advance: boolean, extra: Partial<FailureVerdict> = {}): FailureVerdict => ({
    kind,
    advance,
    accountScoped: false,
    breakerFailure: false,
    retrySame: false,
    ...extra,
  });
  const listed = fallback.statuses.includes(f.status);
  const conditional = fallback.conditionalStatuses.includes(f.status) && messageRegexes(fallback.messagePatterns).some((r) => r.test(f.message));

  if (f.status === 499) return verdict("cancelled", false);
  // Transport failures carry our own codes (providers/executor.ts), whatever their status.
  if (f.code === "upstream_unreachable") return verdict("unreachable", true, { breakerFailure: true, retrySame: true });
  if (f.code === "upstream_timeout") return verdict("timeout", true, { breakerFailure: true });
  if (f.code === "upstream_bad_response") return verdict("bad_response", true, { breakerFailure: true });

  if (f.status === 402 || ((f.status === 403 || f.status === 400) && BILLING.test(f.message))) {
    return verdict("quota", listed || conditional, { accountScoped: true });
  }
  if (f.status === 429) return verdict("rate_limited", listed, { accountScoped: true });
  if (f.status === 401 || f.status === 403) return verdict("auth", listed, { accountScoped: true });
  if (f.status >= 500) {
    // 502/503/529 mean "not now" (a proxy or an overloaded model); a 500 may be deterministic.
    const transient = f.status === 502 || f.status === 503 || f.status === 529;
    return verdict("server_error", true, { breakerFailure: true, retrySame: transient });
  }
  if (f.status === 408) return verdict("capability", listed, { retrySame: true });
  if (listed || conditional) return verdict("capability", true);
  return verdict("client_error", false);
}
