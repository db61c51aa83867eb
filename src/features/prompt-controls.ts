// The global system prompt and the thinking-budget policy, applied to one request: on the
// canonical form when the request is translated, on the client's own body (in that format's
// place) when it is passed through. Each is applied at most once per request, however many
// targets a fallback tries, and the client's body object itself is never modified (a later
// translated attempt parses it afresh and gets the canonical treatment instead).
import type { CanonicalRequest } from "../formats/canonical.ts";
import type { UpstreamFormat } from "../providers/types.ts";
import type { FeatureConfig } from "./config.ts";
import { systemPromptCanonical, systemPromptRaw } from "./system-prompt.ts";
import { thinkingBudgetCanonical, thinkingBudgetRaw } from "./thinking-budget.ts";

type Json = Record<string, unknown>;

export class PromptControls {
  private rawBody: Json | null = null;
  /** The canonical requests already done (one per translated attempt; a weak set per request cost the collector more). */
  private readonly applied: CanonicalRequest[] = [];

  constructor(private readonly cfg: FeatureConfig) {}

  /** The body a same-format pass-through sends (`format` is the client's, which is the upstream's). */
  body(format: UpstreamFormat, body: Json): Json {
    if (this.rawBody) return this.rawBody;
    let out = body;
    if (this.cfg.systemPrompt.enabled) out = systemPromptRaw(format, out, this.cfg.systemPrompt);
    out = thinkingBudgetRaw(format, out, this.cfg.thinkingBudget);
    return (this.rawBody = out);
  }

  /** The canonical request a translation sends, with the controls applied (in place, once). */
  canonical(req: CanonicalRequest): CanonicalRequest {
    if (this.applied.includes(req)) return req;
    this.applied.push(req);
    if (this.cfg.systemPrompt.enabled) systemPromptCanonical(req, this.cfg.systemPrompt);
    thinkingBudgetCanonical(req, this.cfg.thinkingBudget);
    return req;
  }
}

/** Null when no control changes anything (the common case costs one property read). */
export function promptControlsFor(cfg: FeatureConfig): PromptControls | null {
  return cfg.promptControlsActive ? new PromptControls(cfg) : null;
}
