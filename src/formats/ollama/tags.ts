// GET /api/tags in Ollama's ListResponse shape, so Ollama clients (Open WebUI, Enchanted,
// the ollama SDKs' list()) can pick from the gateway's routable chat models.
// Shape from api/types.go ListModelResponse + ModelDetails.
import { createHash } from "node:crypto";
import { ollamaTimestamp } from "./wire.ts";

export interface OllamaTagModel {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: {
    parent_model: string;
    format: string;
    family: string;
    families: string[] | null;
    parameter_size: string;
    quantization_level: string;
  };
}

export interface OllamaTags {
  models: OllamaTagModel[];
}

/**
 * @param models the gateway's model list; `id` is what a client sends back as `model`
 *   ("<prefix>/<model>", or an alias). An id without a prefix gets `ownedBy/` in front.
 * @param now when the list is produced (becomes `modified_at`; the gateway has no file dates).
 */
export function ollamaTagsFromModels(models: { id: string; ownedBy: string; type: string }[], now: Date | number = Date.now()): OllamaTags {
  const at = ollamaTimestamp(typeof now === "number" ? now : now.getTime(), 0);
  const seen = new Set<string>();
  const out: OllamaTagModel[] = [];
  for (const m of models) {
    // /api/chat can only serve chat models; embeddings etc. would fail when picked.
    if (m.type !== "chat") continue;
    // Ids come fully qualified ("prefix/model") or are aliases, which route by their bare name.
    const name = m.id;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({
      name,
      model: name,
      modified_at: at,
      // Nothing is stored locally: no file size. Clients show it as "0 B".
      size: 0,
      // Ollama's digest is the sha256 of the manifest; a stable hash of the name keeps
      // clients that key their model lists by digest working.
      digest: createHash("sha256").update(name).digest("hex"),
      // Nothing of a GGUF file to describe (format, family, parameter size, quantization are
      // unknown for a hosted model): empty strings, which clients render as blanks.
      details: { parent_model: "", format: "", family: "", families: null, parameter_size: "", quantization_level: "" },
    });
  }
  return { models: out };
}
