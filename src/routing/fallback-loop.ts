// Tries a request's ordered targets until one answers. For each target it walks the
// provider's connections in rotation order, skipping those that cannot serve now (cooling,
// unhealthy, breaker open), and calls `send`. A failure before anything reached the client
// is classified (failure-classifier.ts): an account-scoped one (429, quota, auth) moves to
// the provider's next connection, a provider-scoped one (network, timeout, 5xx, "this
// model can't") to the next target, a client error stops. Once `send` returns, the answer
// belongs to the client: a stream that fails later is never retried (bytes may be out).
// Every call and every skip is recorded in the request's attempts, with its reason.
import { asGatewayError, GatewayError } from "../errors.ts";
import type { Attempt } from "../gateway/request-record.ts";
import { upstreamBase } from "../providers/executor.ts";
import type { ProviderRuntime } from "../providers/types.ts";
import type { ConfigStore, ConnectionRuntime } from "../store/config-store.ts";
import { connectionCandidates, noCredentials, type ConnectionStatus } from "./connections.ts";
import { classifyFailure } from "./failure-classifier.ts";
import type { ResilienceConfig } from "./resilience-config.ts";
import { connKeyOf, type RoutingState } from "./routing-state.ts";
import { parseRetryAfter } from "./upstream-limits.ts";
import { UpstreamFailure } from "./upstream-failure.ts";

export interface RouteTarget {
  provider: ProviderRuntime;
  model: string;
}

export interface FallbackOverrides {
  statuses?: number[];
  messagePatterns?: string[];
  maxAttempts?: number;
}

export interface FallbackInput<T extends RouteTarget> {
  /** The model as the client asked for it (for the final error message). */
  requested: string;
  targets: readonly T[];
  /** Combo members that did not resolve to a target (listed in the final error). */
  unresolved?: readonly { model: string; error: GatewayError }[];
  state: RoutingState;
  store: ConfigStore;
  /** The request's attempt list (RequestRecord.attempts); `send` appends the calls, the loop the skips. */
  attempts: Attempt[];
  signal?: AbortSignal;
  overrides?: FallbackOverrides;
  /** Called before each upstream call, e.g. to record which target is being tried. */
  onAttempt?(target: T, conn: ConnectionRuntime): void;
  /** Sends to one target through one connection; throws UpstreamFailure or a GatewayError on failure. */
  send(target: T, conn: ConnectionRuntime): Promise<Response>;
  sleep?(ms: number): Promise<void>;
}

export type FallbackResult =
  | { kind: "answered"; response: Response }
  /** Nothing succeeded: answer with `response` when given (the upstream's own error), else render `error`. */
  | { kind: "failed"; error: GatewayError; response?: Response };

interface Entry {
  label: string;
  skipped: boolean;
  reason: string;
  error: GatewayError;
  failure?: UpstreamFailure;
  /** Epoch ms when a skipped connection becomes usable again, when known. */
  until?: number | null;
}

export async function runWithFallback<T extends RouteTarget>(input: FallbackInput<T>): Promise<FallbackResult> {
  const { state, attempts } = input;
  const fallback = effectiveFallback(state.config().fallback, input.overrides);
  const sleep = input.sleep ?? sleepFor;
  const entries: Entry[] = [];
  let calls = 0;
  let limitReached = false;

  targets: for (const target of input.targets) {
    const candidates = connectionCandidates(state, target.provider, target.model, input.store);
    if (candidates.length === 0) skipped(attempts, entries, target, null, "no_credentials", noCredentials(target.provider));
    /** Upstream hosts that failed as a whole for this target (network, 5xx): no other account there will do better. */
    let failedBases: Set<string> | null = null;
    for (const { conn, status } of candidates) {
      if (failedBases?.has(upstreamBase(target.provider, conn))) continue;
      if (status.status !== "available") {
        skipped(attempts, entries, target, conn, status.status, unavailableError(target, conn, status, state.now()), untilOf(status));
        continue;
      }
      const profile = state.profile(target.provider.id);
      for (let retry = 0; ; retry++) {
        if (input.signal?.aborted) return { kind: "failed", error: new GatewayError(499, "upstream_error", "client closed the request") };
        if (calls >= fallback.maxAttempts) {
          limitReached = true;
          break targets;
        }
        const lease = state.acquire(target.provider.id, connKeyOf(conn), target.model);
        if (!lease) {
          // Another request holds the half-open probe.
          skipped(attempts, entries, target, conn, "circuit_open", new GatewayError(503, "service_unavailable", `${labelOf(target, conn)}: circuit half-open, probe in flight`));
          break;
        }
        calls++;
        const before = attempts.length;
        const started = performance.now();
        try {
          input.onAttempt?.(target, conn);
          const response = await input.send(target, conn);
          const latencyMs = attempts.length > before ? attempts.at(-1)!.latencyMs : Math.round(performance.now() - started);
          state.settle(lease, { kind: "success", latencyMs });
          return { kind: "answered", response };
        } catch (err) {
          const failure = err instanceof UpstreamFailure ? err : undefined;
          const error = failure?.error ?? asGatewayError(err);
          if (attempts.length === before) {
            // Refused before any upstream call (a request this target's wire format cannot
            // express): not a fact about the upstream. A combo member of another format may
            // still serve it, so move on to the next target.
            state.settle(lease, { kind: "neutral" });
            if (input.signal?.aborted) return { kind: "failed", error };
            skipped(attempts, entries, target, conn, "refused", error);
            continue targets;
          }
          const verdict = classifyFailure({ status: error.status, code: error.code, message: error.message }, fallback);
          state.settle(lease, { kind: "failure", verdict, message: error.message, retryAfterMs: parseRetryAfter(error.details.retryAfter, state.now()) });
          const attempt = attempts.at(-1)!;
          attempt.reason = verdict.kind;
          attempt.error ??= error.message;
          entries.push({ label: labelOf(target, conn), skipped: false, reason: verdict.kind, error, failure });
          if (!verdict.advance) return { kind: "failed", error, response: failure?.respond() };
          if (verdict.retrySame && retry < profile.retries) {
            await sleep(backoffMs(retry, profile.retryBaseMs, profile.retryMaxMs, state.random));
            continue;
          }
          if (verdict.accountScoped) break; // the provider's next connection may do
          // The upstream itself failed; a connection of this provider with its own base URL
          // (another region, a proxy) is still worth a try, the others are not.
          (failedBases ??= new Set()).add(upstreamBase(target.provider, conn));
          break;
        }
      }
    }
  }

  for (const u of input.unresolved ?? []) entries.push({ label: u.model, skipped: true, reason: "unresolved", error: u.error });
  return finalFailure(input.requested, entries, limitReached ? fallback.maxAttempts : null, state.now());
}

const sleepFor = (ms: number) => Bun.sleep(ms);

/** A target or connection passed over (a plain function: a closure per request would cost every request). */
function skipped(attempts: Attempt[], entries: Entry[], target: RouteTarget, conn: ConnectionRuntime | null, reason: string, error: GatewayError, until?: number | null): void {
  attempts.push({ provider: target.provider.id, model: target.model, connectionId: conn?.id || null, status: 0, latencyMs: 0, skipped: true, reason, error: error.message });
  entries.push({ label: labelOf(target, conn), skipped: true, reason, error, until });
}

/** Equal jitter: half the exponential delay fixed, half random, so retries of many requests spread out. */
export function backoffMs(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const delay = Math.min(maxMs, baseMs * 2 ** retry);
  return Math.round(delay / 2 + random() * (delay / 2));
}

function effectiveFallback(global: ResilienceConfig["fallback"], o: FallbackOverrides | undefined): ResilienceConfig["fallback"] {
  if (!o) return global;
  return {
    ...global,
    statuses: o.statuses ?? global.statuses,
    messagePatterns: o.messagePatterns ?? global.messagePatterns,
    maxAttempts: o.maxAttempts ?? global.maxAttempts,
  };
}

const labelOf = (target: RouteTarget, conn: ConnectionRuntime | null) =>
  `${target.provider.id}/${target.model}${conn && conn.id ? ` [${conn.name}]` : ""}`;

function untilOf(s: ConnectionStatus): number | null {
  return s.status === "cooling" ? s.until : s.status === "circuit_open" ? s.until : null;
}

const secondsLeft = (until: number, now: number) => String(Math.max(1, Math.ceil((until - now) / 1000)));

function unavailableError(target: RouteTarget, conn: ConnectionRuntime, s: ConnectionStatus, now: number): GatewayError {
  const label = labelOf(target, conn);
  switch (s.status) {
    case "cooling":
      return new GatewayError(429, "rate_limited", `${label} is cooling down after ${s.reason.replace("_", " ")} (${secondsLeft(s.until, now)} s left)`, {
        retryAfter: secondsLeft(s.until, now),
      });
    case "unhealthy":
      return new GatewayError(
        503,
        "service_unavailable",
        `${label} failed authentication (${s.reason}); it is skipped until a successful test (POST /api/providers/${conn.id}/test)`,
      );
    case "circuit_open":
      return new GatewayError(503, "service_unavailable", `${label}: circuit open for the ${s.scope} after repeated failures`, {
        ...(s.until ? { retryAfter: secondsLeft(s.until, now) } : {}),
      });
    default:
      return new GatewayError(503, "service_unavailable", `${label} is not active`);
  }
}

/**
 * The answer when nothing succeeded. A single failure keeps its own answer (the upstream's
 * status and body). Several: one message naming every target and why it failed, with the
 * status of the last call that was actually made, or — when nothing could be called — 429 if
 * everything was cooling after rate limits, else 503.
 */
function finalFailure(requested: string, entries: Entry[], attemptLimit: number | null, now: number): FallbackResult {
  if (entries.length === 0) return { kind: "failed", error: new GatewayError(503, "service_unavailable", `No target could serve "${requested}"`) };
  if (entries.length === 1 && attemptLimit === null) {
    const only = entries[0]!;
    return { kind: "failed", error: only.error, response: only.failure?.respond() };
  }
  // Every target refused the request itself (e.g. a field no member's format can carry): that
  // is the client's error, so it keeps its own status rather than becoming a 503.
  if (entries.every((e) => e.reason === "refused")) return { kind: "failed", error: entries[0]!.error };
  const describe = (e: Entry) =>
    `${e.label}: ${e.skipped ? "skipped, " : ""}${e.reason.replace("_", " ")}${e.skipped ? "" : ` (${e.error.status})`} — ${e.error.message.slice(0, 200)}`;
  const called = entries.filter((e) => !e.skipped);
  const limit = attemptLimit !== null ? ` Stopped after ${attemptLimit} upstream calls (fallback.maxAttempts).` : "";
  const message = `All targets failed for "${requested}" (${called.length} called, ${entries.length - called.length} skipped): ${entries.map(describe).join("; ")}.${limit}`;
  const last = called.at(-1);
  if (last) {
    const retryAfter = last.error.details.retryAfter;
    return { kind: "failed", error: new GatewayError(last.error.status, last.error.code, message, retryAfter ? { retryAfter } : {}) };
  }
  const waits = entries.map((e) => e.until).filter((u): u is number => typeof u === "number" && u > now);
  const retryAfter = waits.length > 0 ? secondsLeft(Math.min(...waits), now) : undefined;
  const allCooling = entries.every((e) => e.reason === "cooling");
  return {
    kind: "failed",
    error: allCooling
      ? new GatewayError(429, "rate_limited", message, { retryAfter })
      : new GatewayError(503, "service_unavailable", message, retryAfter ? { retryAfter } : {}),
  };
}
