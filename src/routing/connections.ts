// Which credential serves a request. Selection is in memory only (never a DB query per request).
import { GatewayError } from "../errors.ts";
import type { ProviderRuntime } from "../providers/types.ts";
import type { ConfigStore, ConnectionRuntime } from "../store/config-store.ts";

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

/** Fill-first: the active connection with the best (lowest) priority. */
export function pickConnection(provider: ProviderRuntime, store: ConfigStore): ConnectionRuntime {
  const active = store.activeConnections(provider.id);
  if (active.length > 0) return active[0]!;
  if (provider.auth === "none") return { ...KEYLESS, provider: provider.id };
  throw new GatewayError(
    503,
    "no_credentials",
    `No active connection for provider "${provider.id}". Add one with POST /api/providers.`,
  );
}
