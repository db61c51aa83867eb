// Routing policies: rules evaluated before model resolution. A rule matches on the caller's
// API key, the requested model (glob) and a time window; the first enabled matching rule by
// priority decides (firewall semantics, so the order is the whole story): "deny" refuses
// with 403, "allow" lets the request through, optionally forced onto another model or combo
// and with its max tokens capped. No rule matching means the request goes on unchanged.
import { z } from "zod";

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM (24 h)");

export const PolicyInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(200),
    enabled: z.boolean().default(true),
    /** Lower runs first. */
    priority: z.number().int().min(0).max(1_000_000).default(100),
    match: z
      .object({
        /** Gateway API key ids (GET /api/keys); any of them. */
        apiKeyIds: z.array(z.string().min(1)).min(1).optional(),
        /** Globs over the model the client asked for ("*" any run, "?" one character); any of them. */
        models: z.array(z.string().min(1)).min(1).optional(),
        /** Active between `from` and `to` (wrapping midnight when from > to), on `days` (0 = Sunday). */
        time: z
          .object({
            from: HHMM,
            to: HHMM,
            days: z.array(z.number().int().min(0).max(6)).optional(),
            /** The clock the window is read in, as minutes east of UTC. */
            utcOffsetMinutes: z.number().int().min(-840).max(840).default(0),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default(() => ({})),
    action: z.enum(["allow", "deny"], { error: 'Action must be "allow" or "deny"' }),
    /** allow only: route to this model or combo instead of the one asked for. */
    forceModel: z.string().trim().min(1).max(500).optional(),
    /** allow only: the most output tokens the request may ask for. */
    maxTokens: z.number().int().min(1).max(10_000_000).optional(),
    /** deny only: what the client is told. */
    message: z.string().trim().max(500).optional(),
  })
  .strict()
  .refine((p) => p.action === "allow" || (p.forceModel === undefined && p.maxTokens === undefined), {
    message: "Only an allow rule can force a model or cap max tokens",
    path: ["action"],
  });

export type PolicyInput = z.infer<typeof PolicyInputSchema>;
export type Policy = PolicyInput & { id: string; createdAt: number };

export const StoredPoliciesSchema = z.array(
  z.intersection(PolicyInputSchema, z.object({ id: z.string(), createdAt: z.number() })),
);

export interface PolicyRequest {
  apiKeyId: string | null;
  model: string;
  now: number;
}

const globCache = new Map<string, RegExp>();

export function globMatches(glob: string, value: string): boolean {
  let re = globCache.get(glob);
  if (!re) {
    const source = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${source}$`, "i");
    if (globCache.size > 1000) globCache.clear();
    globCache.set(glob, re);
  }
  return re.test(value);
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function inTimeWindow(w: NonNullable<PolicyInput["match"]["time"]>, now: number): boolean {
  const local = new Date(now + w.utcOffsetMinutes * 60_000);
  if (w.days && !w.days.includes(local.getUTCDay())) return false;
  const m = local.getUTCHours() * 60 + local.getUTCMinutes();
  const from = minutes(w.from);
  const to = minutes(w.to);
  return from <= to ? m >= from && m < to : m >= from || m < to;
}

export function policyMatches(p: PolicyInput, req: PolicyRequest): boolean {
  const { apiKeyIds, models, time } = p.match;
  if (apiKeyIds && (!req.apiKeyId || !apiKeyIds.includes(req.apiKeyId))) return false;
  if (models && !models.some((g) => globMatches(g, req.model))) return false;
  if (time && !inTimeWindow(time, req.now)) return false;
  return true;
}

/** The rule that decides this request, or null when none matches. */
export function decidingPolicy(policies: readonly Policy[], req: PolicyRequest): Policy | null {
  const ordered = [...policies].sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt);
  return ordered.find((p) => p.enabled && policyMatches(p, req)) ?? null;
}

/**
 * Caps the output-token field of a client body in place, in that client format's own field
 * (the body is forwarded as is on a pass-through, so the canonical cap alone is not enough).
 * A missing field is set, so an uncapped request is capped too.
 */
export function capBodyMaxTokens(body: Record<string, unknown>, clientFormat: string, cap: number): void {
  const min = (v: unknown) => (typeof v === "number" && v > 0 ? Math.min(v, cap) : cap);
  switch (clientFormat) {
    case "openai-chat":
      // o-series/gpt-5 clients send max_completion_tokens; otherwise max_tokens is the field.
      if ("max_completion_tokens" in body) body.max_completion_tokens = min(body.max_completion_tokens);
      else body.max_tokens = min(body.max_tokens);
      return;
    case "openai-responses":
      body.max_output_tokens = min(body.max_output_tokens);
      return;
    case "anthropic":
      body.max_tokens = min(body.max_tokens);
      return;
    case "gemini": {
      const g = (body.generationConfig && typeof body.generationConfig === "object" ? body.generationConfig : {}) as Record<string, unknown>;
      body.generationConfig = { ...g, maxOutputTokens: min(g.maxOutputTokens) };
      return;
    }
    case "ollama": {
      const o = (body.options && typeof body.options === "object" ? body.options : {}) as Record<string, unknown>;
      body.options = { ...o, num_predict: min(o.num_predict) };
      return;
    }
  }
}
