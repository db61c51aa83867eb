// Gateway API keys. Clients send them the way their SDK does: OpenAI `Authorization: Bearer`,
// Anthropic `x-api-key`, Gemini `x-goog-api-key` or `?key=`. Lookup is a hash and a Map get.
import { GatewayError } from "../errors.ts";
import { hashApiKey } from "../security/api-keys.ts";
import { apiKeyRequired, type Services } from "../services.ts";
import type { ApiKeyRuntime } from "../store/config-store.ts";

export function presentedKey(request: Request, url?: URL): string | null {
  const auth = request.headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  return (
    request.headers.get("x-api-key") ??
    request.headers.get("x-goog-api-key") ??
    // Most requests carry no query string: skip the URL parse (measurable at thousands of req/s).
    (request.url.includes("key=") ? (url ?? new URL(request.url)).searchParams.get("key") : null)
  );
}

/**
 * Returns the caller's key record, or null when keys are optional and none (or an unknown
 * one, e.g. a placeholder "sk-anything" a client insists on sending) was presented.
 */
export function authenticate(request: Request, services: Services): ApiKeyRuntime | null {
  const key = presentedKey(request);
  const record = key ? (services.store.keysByHash.get(hashApiKey(key)) ?? null) : null;
  if (record || !apiKeyRequired(services)) return record;
  if (!key) throw new GatewayError(401, "missing_api_key", "Missing API key. Send it as `Authorization: Bearer <key>`, `x-api-key`, `x-goog-api-key` or `?key=`, as your SDK does.");
  throw new GatewayError(401, "invalid_api_key", "Invalid API key.");
}
