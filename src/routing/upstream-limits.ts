// Rate-limit information upstreams put in their response headers, normalised:
//  - OpenAI, Groq, most compatible servers: x-ratelimit-{limit,remaining,reset}-{requests,tokens},
//    reset as a Go-style duration ("6m0s", "1s", "20ms")
//    (platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers);
//  - Anthropic: anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}, reset as RFC 3339
//    (docs.anthropic.com/en/api/rate-limits#response-headers);
//  - others: a bare x-ratelimit-{limit,remaining,reset}, reset in seconds or epoch seconds;
//  - retry-after: seconds or an HTTP date (RFC 9110 §10.2.3).

export interface LimitWindow {
  limit?: number;
  remaining?: number;
  /** Epoch ms when the window refills, when the upstream said. */
  resetAt?: number;
}

export interface UpstreamLimits {
  requests?: LimitWindow;
  tokens?: LimitWindow;
  seenAt: number;
}

/** "6m0s", "1.5s", "20ms", "1h2m3s" → ms; a bare number is seconds. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3_600_000 : m[2] === "m" ? n * 60_000 : m[2] === "s" ? n * 1000 : n;
    consumed += m[0].length;
  }
  return consumed > 0 && consumed === s.length ? Math.round(total) : null;
}

/** retry-after → ms to wait, or null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const num = (v: string | null): number | undefined => {
  if (v === null || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

function resetAt(value: string | null, now: number, style: "duration" | "date" | "seconds"): number | undefined {
  if (!value) return undefined;
  if (style === "date") {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  if (style === "seconds") {
    const n = num(value);
    if (n === undefined) return undefined;
    // Some servers send an epoch timestamp, others a delay.
    return n > 1e9 ? n * 1000 : now + n * 1000;
  }
  const d = parseDuration(value);
  return d === null ? undefined : now + d;
}

function window(headers: Headers, names: [string, string, string], now: number, style: "duration" | "date" | "seconds"): LimitWindow | undefined {
  const limit = num(headers.get(names[0]));
  const remaining = num(headers.get(names[1]));
  const reset = resetAt(headers.get(names[2]), now, style);
  // Read for every upstream answer: most carry none of a style's headers, so nothing is built.
  if (limit === undefined && remaining === undefined && reset === undefined) return undefined;
  const out: LimitWindow = {};
  if (limit !== undefined) out.limit = limit;
  if (remaining !== undefined) out.remaining = remaining;
  if (reset !== undefined) out.resetAt = reset;
  return out;
}

/** The limits an upstream announced in these headers, or null when it announced none. */
export function readUpstreamLimits(headers: Headers, now: number): UpstreamLimits | null {
  const requests =
    window(headers, ["x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"], now, "duration") ??
    window(headers, ["anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset"], now, "date") ??
    window(headers, ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"], now, "seconds");
  const tokens =
    window(headers, ["x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"], now, "duration") ??
    window(headers, ["anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset"], now, "date");
  if (!requests && !tokens) return null;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}), seenAt: now };
}

/**
 * When announced limits say the next request will be refused (remaining 0 with a known reset),
 * the moment it will be accepted again; lets rotation skip the account before it answers 429.
 */
export function exhaustedUntil(limits: UpstreamLimits, now: number): number | null {
  let until: number | null = null;
  for (const w of [limits.requests, limits.tokens]) {
    if (w && w.remaining === 0 && w.resetAt !== undefined && w.resetAt > now) until = Math.max(until ?? 0, w.resetAt);
  }
  return until;
}
