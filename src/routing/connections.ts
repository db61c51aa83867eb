// Which credential serves a request. Selection is in memory only (never a DB query per
// request): the provider's active connections, in rotation order (fill-first: best priority
// first; round-robin: each in turn), each with whether it can serve this model right now
// (cooling after a 429, unhealthy after an auth failure, breaker open).
import { GatewayError } from "../errors.ts";
import type { ProviderRuntime } from "../providers/types.ts";
import type { ConfigStore, ConnectionRuntime } from "../store/config-store.ts";
import { rotationFor } from "./resilience-config.ts";
import { connKeyOf, type RoutingState } from "./routing-state.ts";

/** A keyless local provider (Ollama) can be called without any connection configured. */
const KEYLESS: ConnectionRuntime = {
  id: "",
  provider: "",
  name: "keyless",
  priority: 0,
  isActive: true,
  apiKey: null,
  baseUrl: null,
  testStatus: "unknown",
};

export type ConnectionStatus =
  | { status: "available" }
  | { status: "inactive" }
  | { status: "cooling"; until: number; reason: string; model: string | null }
  | { status: "unhealthy"; since: number; reason: string }
  | { status: "circuit_open"; scope: "connection" | "provider"; until: number | null };

const AVAILABLE: ConnectionStatus = Object.freeze({ status: "available" });

export interface Candidate {
  conn: ConnectionRuntime;
  status: ConnectionStatus;
}

export function noCredentials(provider: ProviderRuntime): GatewayError {
  return new GatewayError(503, "no_credentials", `No active connection for provider "${provider.id}". Add one with POST /api/providers.`);
}

/** The connections a provider can use at all (active ones, or the keyless stand-in), best priority first. */
export function usableConnections(provider: ProviderRuntime, store: ConfigStore): readonly ConnectionRuntime[] {
  const active = store.activeConnections(provider.id);
  if (active.length > 0) return active;
  return provider.auth === "none" ? [{ ...KEYLESS, provider: provider.id }] : [];
}

/** Whether a connection can serve `model` now, and if not why (the first reason that applies). */
export function connectionStatus(state: RoutingState, provider: ProviderRuntime, conn: ConnectionRuntime, model: string | null): ConnectionStatus {
  if (!conn.isActive) return { status: "inactive" };
  const key = connKeyOf(conn);
  const now = state.now();
  const profile = state.profile(provider.id);
  const unhealthy = state.health.unhealthy(key, conn);
  if (unhealthy) return { status: "unhealthy", since: unhealthy.at, reason: unhealthy.message };
  const cooling = state.health.cooldownOf(key, model, now);
  if (cooling) return { status: "cooling", until: cooling.until, reason: cooling.reason, model: cooling.model };
  const providerBreaker = state.providerBreaker(provider.id);
  if (!providerBreaker.admits(now, profile)) {
    return { status: "circuit_open", scope: "provider", until: providerBreaker.view(now, profile).retryAt };
  }
  const connBreaker = state.connectionBreaker(provider.id, key);
  if (!connBreaker.admits(now, profile)) return { status: "circuit_open", scope: "connection", until: connBreaker.view(now, profile).retryAt };
  return AVAILABLE;
}

/**
 * The provider's connections in the order to try them for one request, each with its status.
 * Round-robin rotates over all usable connections (not only the available ones) so the
 * rotation stays fair while one account cools down.
 */
export function connectionCandidates(state: RoutingState, provider: ProviderRuntime, model: string, store: ConfigStore): Candidate[] {
  let conns = usableConnections(provider, store);
  if (conns.length > 1 && rotationFor(state.config(), provider.id) === "round-robin") {
    const start = state.nextTurn(`provider:${provider.id}`) % conns.length;
    conns = [...conns.slice(start), ...conns.slice(0, start)];
  }
  return conns.map((conn) => ({ conn, status: connectionStatus(state, provider, conn, model) }));
}

/** Fill-first without live state: the active connection with the best priority (admin probes, tools). */
export function pickConnection(provider: ProviderRuntime, store: ConfigStore): ConnectionRuntime {
  const [first] = usableConnections(provider, store);
  if (!first) throw noCredentials(provider);
  return first;
}
