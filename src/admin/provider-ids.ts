// Which provider a control-plane request means. Clients may name a provider by its registry
// id, an alias ("ds"), a node prefix or a node id; rows are always stored under the id.
import { badRequest, notFound } from "../errors.ts";
import type { ConfigStore } from "../store/config-store.ts";

/** OmniRoute's node ids carry their type: openai-compatible-<apiType>-<uuid>, anthropic-compatible-<uuid>. */
export function isNodeId(id: string): boolean {
  return id.startsWith("openai-compatible-") || id.startsWith("anthropic-compatible-");
}

export function providerIdOf(store: ConfigStore, input: string): string | null {
  return store.prefixes.get(input.trim().toLowerCase()) ?? null;
}

/** The provider id for `input`; a node id that no longer exists is a 404, anything else unknown a 400. */
export function requireProviderId(store: ConfigStore, input: string): string {
  const id = providerIdOf(store, input);
  if (id) return id;
  if (input.startsWith("anthropic-compatible-")) throw notFound("Anthropic Compatible node not found");
  if (input.startsWith("openai-compatible-")) throw notFound("OpenAI Compatible node not found");
  throw badRequest("Invalid provider");
}
