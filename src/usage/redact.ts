// Secrets out of logged bodies. Two passes: fields whose name says "secret" lose their value
// whatever it is, and strings anywhere are scanned for the shapes of well-known credentials
// (provider API keys, bearer tokens, JWTs, cloud keys). Then long strings (base64 images) are
// shortened and the whole text truncated to the configured size.

export const REDACTED = "[REDACTED]";

const SECRET_FIELD =
  /^(api[-_]?key|x[-_]api[-_]key|x[-_]goog[-_]api[-_]key|authorization|proxy[-_]authorization|password|passwd|pass|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|id[-_]?token|session[-_]?token|token|cookie|set[-_]cookie|private[-_]?key|credentials?)$/i;

// Each pattern matches a credential by its published shape.
const SECRET_VALUES: RegExp[] = [
  /\bsk-[A-Za-z0-9][A-Za-z0-9_-]{15,}/g, // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), OpenRouter (sk-or-), DeepSeek, this gateway (sk-omni-)
  /\bAIza[0-9A-Za-z_-]{30,}/g, // Google API keys
  /\b(?:gsk|xai|nvapi|csk|fw|pplx|hf|r8)[_-][A-Za-z0-9_-]{16,}/g, // Groq, xAI, NVIDIA, Cerebras, Fireworks, Perplexity, Hugging Face, Replicate
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, // Authorization header values
];

/** Replaces credential-shaped substrings. */
export function redactText(text: string): string {
  let out = text;
  for (const re of SECRET_VALUES) {
    out = out.replace(re, (m, scheme?: string) => (typeof scheme === "string" && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED));
  }
  return out;
}

/** Inside a body, a string longer than this (an image, a PDF) keeps only its start. */
const LONG_STRING = 2_048;
const LONG_KEEP = 256;

/** A redacted deep copy of a JSON value. */
export function redactJson(value: unknown, depth = 0): unknown {
  if (typeof value === "string") {
    const short = value.length > LONG_STRING ? `${value.slice(0, LONG_KEEP)}…[${value.length - LONG_KEEP} chars omitted]` : value;
    return redactText(short);
  }
  if (value === null || typeof value !== "object") return value;
  if (depth > 64) return "[too deep]";
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) && v !== null && v !== "" ? REDACTED : redactJson(v, depth + 1);
  return out;
}

export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}…[truncated ${text.length - maxChars} chars]`;
}

/** A body as it may be stored: JSON redacted field by field, anything else by pattern; then truncated. */
export function loggableBody(body: unknown, maxChars: number): string {
  if (typeof body === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      // SSE or NDJSON: patterns cover every event's JSON too. Cut well past the limit first
      // (a secret split there is beyond what is kept), then redact, then truncate.
      return truncate(redactText(body.slice(0, maxChars * 2 + 1024)), maxChars);
    }
    return truncate(JSON.stringify(redactJson(parsed)), maxChars);
  }
  return truncate(JSON.stringify(redactJson(body)), maxChars);
}
