// POST /v1/providers/{provider}/chat/completions — OpenAI Chat pinned to one provider, for
// clients that can set a base URL but not a "provider/model" model name. The provider prefix
// is added to a bare model; a model that names another provider is a 400, not a silent
// re-route.
import { GatewayError } from "../../errors.ts";
import type { ConfigStore } from "../../store/config-store.ts";
import type { ClientEndpoint } from "../client-request.ts";
import { openAiChatEndpoint } from "../openai-chat.ts";

/** The model string routed for `requested` on this provider's route. */
export function scopeModelToProvider(requested: string, providerId: string, store: ConfigStore): string {
  const slash = requested.indexOf("/");
  const owner = slash > 0 ? store.prefixes.get(requested.slice(0, slash).toLowerCase()) : undefined;
  if (owner === providerId) return requested;
  if (owner) {
    throw new GatewayError(400, "invalid_request", `Model "${requested}" belongs to provider "${owner}", not "${providerId}".`, { param: "model" });
  }
  // A bare id, or one whose first segment is part of the upstream's own id ("meta-llama/…").
  return `${store.publicPrefix(providerId)}/${requested}`;
}

export function providerChatEndpoint(providerParam: string, store: ConfigStore): ClientEndpoint {
  const providerId = store.prefixes.get(providerParam.toLowerCase());
  const scope = (body: Record<string, unknown>) => {
    if (!providerId) throw new GatewayError(404, "not_found", `Unknown provider "${providerParam}".`);
    if (typeof body.model === "string" && body.model) body.model = scopeModelToProvider(body.model, providerId, store);
  };
  return {
    ...openAiChatEndpoint,
    endpoint: `/v1/providers/${providerId ?? providerParam}/chat/completions`,
    peek(body, request) {
      scope(body);
      return openAiChatEndpoint.peek!(body, request);
    },
    read(body, request) {
      scope(body);
      return openAiChatEndpoint.read(body, request);
    },
  };
}
