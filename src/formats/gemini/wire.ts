// Small pieces of the Gemini wire (generativelanguage v1beta) shared by the request, response
// and stream translators: field access, ids, usage, finish reasons and schema clean-up.
import { NO_USAGE, type TokenUsage } from "../../usage/tokens.ts";
import type { FinishReason } from "../canonical.ts";

export type Json = Record<string, any>;

export const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/** A list field; a lone object (some hand-written clients send `parts: {text}`) counts as one item. */
export const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v == null ? [] : [v]);

const snakeCache = new Map<string, string>();
function snake(key: string): string {
  let s = snakeCache.get(key);
  if (s === undefined) {
    s = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeCache.set(key, s);
  }
  return s;
}

/**
 * Reads a field by its lowerCamel name or its proto (snake_case) name: Google's JSON mapping
 * accepts both, and the REST examples in ai.google.dev use `system_instruction`,
 * `inline_data`, `mime_type`… Only used on message structure, never on free-form objects
 * (function args, schemas), whose keys are the user's.
 */
export function field(o: unknown, key: string): any {
  if (!isObj(o)) return undefined;
  const v = o[key];
  return v !== undefined ? v : o[snake(key)];
}

export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** "models/gemini-2.5-flash" → "gemini-2.5-flash" (paths and some bodies carry the resource name). */
export const bareModel = (m: string): string => (m.startsWith("models/") ? m.slice(7) : m);

// ---- ids ---------------------------------------------------------------------------------

const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64URL = `${BASE62}-_`;

function randomChars(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Gemini functionCall parts usually carry no id; canonical tool calls need one. */
export const newToolCallId = () => `call_${randomChars(BASE62, 24)}`;

/** Google's responseId is ~23 base64url characters (e.g. "qpc2afWVFJK4vr0Pq6WiyAU"). */
export const newResponseId = () => randomChars(BASE64URL, 23);

/**
 * A tool-call id derived from its position in the conversation, for functionCall parts of a
 * client's request that carry no id: the same request must translate to the same canonical
 * form (cache keys, idempotency), so random ids will not do. FNV-1a seeds an xorshift that
 * spells 24 base62 characters, the same shape as newToolCallId().
 */
export function stableToolCallId(seed: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  let x = h || 1;
  let out = "call_";
  for (let i = 0; i < 24; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += BASE62[x % 62];
  }
  return out;
}

// ---- usage -------------------------------------------------------------------------------

/**
 * usageMetadata → TokenUsage. Thoughts are billed as output, so completion = candidates +
 * thoughts and reasoning = thoughts; cachedContentTokenCount is a subset of the prompt.
 */
export function usageFromGemini(u: unknown): TokenUsage {
  if (!isObj(u)) return NO_USAGE;
  const prompt = num(field(u, "promptTokenCount")) ?? null;
  const candidates = num(field(u, "candidatesTokenCount"));
  const thoughts = num(field(u, "thoughtsTokenCount"));
  const completion = candidates === undefined && thoughts === undefined ? null : (candidates ?? 0) + (thoughts ?? 0);
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: num(field(u, "totalTokenCount")) ?? (prompt !== null && completion !== null ? prompt + completion : null),
    cachedTokens: num(field(u, "cachedContentTokenCount")) ?? null,
    reasoningTokens: thoughts ?? null,
  };
}

/** TokenUsage → usageMetadata in Google's key order; unknown counts are left out, not zeroed. */
export function usageToGemini(u: TokenUsage): Json | undefined {
  const out: Json = {};
  const reasoning = u.reasoningTokens ?? 0;
  if (u.promptTokens !== null) out.promptTokenCount = u.promptTokens;
  if (u.completionTokens !== null) out.candidatesTokenCount = Math.max(0, u.completionTokens - reasoning);
  const total = u.totalTokens ?? (u.promptTokens !== null && u.completionTokens !== null ? u.promptTokens + u.completionTokens : null);
  if (total !== null) out.totalTokenCount = total;
  // Google omits these when zero.
  if (u.cachedTokens) out.cachedContentTokenCount = u.cachedTokens;
  if (reasoning > 0) out.thoughtsTokenCount = reasoning;
  return Object.keys(out).length ? out : undefined;
}

// ---- finish reasons ----------------------------------------------------------------------

const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"]);

/**
 * Gemini finishReason → canonical. Gemini says STOP when the turn ends in function calls, so
 * the caller tells whether any functionCall part was seen.
 */
export function finishFromGemini(reason: unknown, sawToolCall: boolean): FinishReason | null {
  if (typeof reason !== "string" || !reason) return null;
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  return sawToolCall ? "tool_calls" : "stop";
}

export function finishToGemini(reason: FinishReason): string {
  switch (reason) {
    case "length":
      return "MAX_TOKENS";
    case "content_filter":
      return "SAFETY";
    case "error":
      return "OTHER";
    default:
      return "STOP";
  }
}

// ---- schemas -----------------------------------------------------------------------------

/**
 * Gemini's `parameters` / `responseSchema` are an OpenAPI 3 subset: types may be upper-case
 * ("OBJECT", the SDK enums) and nullability is `nullable: true`. Other formats want JSON
 * Schema, so lower-case the types and fold `nullable` into the type. `parametersJsonSchema`
 * and `responseJsonSchema` are JSON Schema already and are not passed through here.
 */
export function openApiToJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openApiToJsonSchema);
  if (!isObj(schema)) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "type") out.type = typeof v === "string" ? v.toLowerCase() : Array.isArray(v) ? v.map((t) => (typeof t === "string" ? t.toLowerCase() : t)) : v;
    else if (k === "nullable") continue;
    else if (k === "properties" || k === "$defs" || k === "definitions" || k === "patternProperties") {
      out[k] = isObj(v) ? Object.fromEntries(Object.entries(v).map(([name, s]) => [name, openApiToJsonSchema(s)])) : v;
    } else if (k === "items" || k === "additionalProperties" || k === "not" || k === "anyOf" || k === "oneOf" || k === "allOf" || k === "prefixItems") {
      out[k] = openApiToJsonSchema(v);
    } else out[k] = v;
  }
  if (schema.nullable === true && typeof out.type === "string" && out.type !== "null") out.type = [out.type, "null"];
  return out;
}
