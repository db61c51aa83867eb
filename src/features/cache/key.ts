// Which requests the response cache may answer, and the key they are stored under. The key is
// the SHA-256 of a normalised JSON (object keys sorted, transport-only fields removed) of
// everything that changes the answer: the client's whole body (messages, tools, tool_choice,
// response_format, sampling parameters and any field this gateway does not know), the
// targets the model resolved to, the API key, and the prompt controls in force. Keying on
// the client's own body rather than the canonical form means a field the translators drop
// (OpenAI `n`, `logit_bias`, …) still separates two requests.
import type { ClientFormatId } from "../../formats/types.ts";
import type { Settings } from "../../settings.ts";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Left out of the key: how the answer travels (a streamed request shares the entry of a
 * non-streamed one), and the model as written — the targets it resolved to stand for it, so
 * an alias and the model it names share entries, and a re-pointed alias does not.
 */
const SKIPPED_FIELDS = new Set(["model", "stream", "stream_options", "keep_alive"]);

function temperatureOf(client: ClientFormatId, body: Json): unknown {
  switch (client) {
    case "gemini":
      return isObj(body.generationConfig) ? body.generationConfig.temperature : undefined;
    case "ollama":
      return isObj(body.options) ? body.options.temperature : undefined;
    default:
      return body.temperature;
  }
}

/**
 * Deterministic requests only (temperature 0, or unset when `cacheUnsetTemperature` says so),
 * unless `cacheNonDeterministic` is on. Reads one or two fields: this runs on every request.
 */
export function isDeterministic(client: ClientFormatId, body: Json, settings: Settings): boolean {
  if (settings.cacheNonDeterministic) return true;
  const t = temperatureOf(client, body);
  if (t === 0) return true;
  return (t === undefined || t === null) && settings.cacheUnsetTemperature;
}

/**
 * Requests whose answer the canonical form cannot hold (several choices, log-probabilities) or
 * that depend on state kept elsewhere (a Responses `previous_response_id`): never cached.
 */
export function cacheableShape(client: ClientFormatId, body: Json): boolean {
  switch (client) {
    case "openai-chat":
      return !(typeof body.n === "number" && body.n > 1) && !body.logprobs && body.top_logprobs == null;
    case "openai-responses":
      return body.previous_response_id == null && body.background !== true && body.conversation == null;
    case "gemini": {
      const g = isObj(body.generationConfig) ? body.generationConfig : {};
      return !(typeof g.candidateCount === "number" && g.candidateCount > 1) && !g.responseLogprobs;
    }
    default:
      return true;
  }
}

/** JSON with object keys sorted at every level; `skip` removes top-level fields. */
export function stableStringify(value: unknown, skip?: ReadonlySet<string>): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : stableStringify(v))).join(",")}]`;
  let out = "";
  for (const k of Object.keys(value).sort()) {
    const v = (value as Json)[k];
    if (v === undefined || skip?.has(k)) continue;
    out += `${out ? "," : ""}${JSON.stringify(k)}:${stableStringify(v)}`;
  }
  return `{${out}}`;
}

export interface CacheKeyInput {
  client: ClientFormatId;
  body: Json;
  /** "provider/model" of every target the model resolved to. */
  targets: string[];
  apiKeyId: string | null;
  /** Prompt controls in force (they change what the upstream is asked). */
  controls: string;
}

export function cacheKey(input: CacheKeyInput): string {
  // A combo's order may rotate between requests (round-robin); any member's answer will do.
  const targets = input.targets.length > 1 ? [...input.targets].sort() : input.targets;
  const text = `v1\n${input.client}\n${targets.join(",")}\n${input.apiKeyId ?? ""}\n${input.controls}\n${stableStringify(input.body, SKIPPED_FIELDS)}`;
  return new Bun.CryptoHasher("sha256").update(text).digest("hex");
}
