// The canonical request, response and stream-event types every wire format translates to
// and from (N formats → 2N translators, never N²). They carry the union of what the
// formats can express that must survive a trip: typed content parts, tool calls with their
// ids, reasoning with its signature, cache-control markers, and usage as reported.
import type { TokenUsage } from "../usage/tokens.ts";

/** Anthropic-style prompt-caching marker; kept so Claude upstreams still see it. */
export interface CacheControl {
  type: string;
  ttl?: string;
}

export type MediaSource =
  | { kind: "base64"; mediaType: string; data: string }
  | { kind: "url"; url: string; mediaType?: string };

export type ContentPart =
  | { type: "text"; text: string; cacheControl?: CacheControl }
  | { type: "image"; source: MediaSource; detail?: string; cacheControl?: CacheControl }
  | { type: "document"; source: MediaSource; title?: string; cacheControl?: CacheControl }
  | { type: "tool_call"; id: string; name: string; /** JSON text, as streamed. */ arguments: string; signature?: string }
  | { type: "tool_result"; toolCallId: string; name?: string; content: ContentPart[]; isError?: boolean; cacheControl?: CacheControl }
  | { type: "thinking"; text: string; /** Anthropic signature or Gemini thoughtSignature. */ signature?: string }
  | { type: "redacted_thinking"; data: string };

export type Role = "user" | "assistant";

/**
 * Messages alternate user/assistant turns. Tool results travel as `tool_result` parts in a
 * user message (Anthropic's model); OpenAI's role:"tool" messages map onto that.
 */
export interface CanonicalMessage {
  role: Role;
  content: ContentPart[];
}

export interface CanonicalTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
  cacheControl?: CacheControl;
}

export type ToolChoice = { type: "auto" } | { type: "none" } | { type: "required" } | { type: "tool"; name: string };

export type ReasoningEffort = "minimal" | "low" | "medium" | "high";

export interface CanonicalRequest {
  model: string;
  system: ContentPart[];
  messages: CanonicalMessage[];
  tools?: CanonicalTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  stream: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Either an effort level (OpenAI) or a token budget (Anthropic, Gemini); writers convert. */
  reasoning?: { effort?: ReasoningEffort; budgetTokens?: number; enabled?: boolean };
  responseFormat?: { type: "text" } | { type: "json_object" } | { type: "json_schema"; name?: string; schema: Record<string, unknown>; strict?: boolean };
  user?: string;
  /** Whether the client asked to receive usage in a stream (OpenAI include_usage). */
  includeUsage?: boolean;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "error";

export interface CanonicalResponse {
  id: string;
  model: string;
  /** text, thinking, redacted_thinking and tool_call parts, in order. */
  content: ContentPart[];
  finishReason: FinishReason;
  /** The exact stop sequence hit, when the upstream says. */
  stopSequence?: string | null;
  usage: TokenUsage;
  created?: number;
}

/**
 * Stream events. A reader emits them in order; blocks are implicit: a writer opens a text
 * or reasoning block at its first delta and closes it when another kind begins.
 * Tool calls are explicit (start, argument deltas, end) and keyed by `index`.
 */
export type StreamEvent =
  | { type: "start"; id: string; model: string; usage?: TokenUsage }
  | { type: "text_delta"; text: string }
  | { type: "reasoning_delta"; text: string }
  | { type: "reasoning_signature"; signature: string }
  | { type: "redacted_reasoning"; data: string }
  | { type: "tool_call_start"; index: number; id: string; name: string }
  | { type: "tool_call_delta"; index: number; arguments: string }
  | { type: "tool_call_end"; index: number; signature?: string }
  | { type: "usage"; usage: TokenUsage }
  | { type: "finish"; reason: FinishReason; stopSequence?: string | null }
  | { type: "error"; message: string; status?: number; code?: string };

/** Joins the text parts of a content list (for formats that only take a string). */
export function textOf(parts: ContentPart[]): string {
  return parts
    .filter((p): p is Extract<ContentPart, { type: "text" }> => p.type === "text")
    .map((p) => p.text)
    .join("");
}

/** Effort ↔ budget, for when the client spoke one and the upstream wants the other. */
export const EFFORT_BUDGET: Record<ReasoningEffort, number> = { minimal: 1024, low: 2048, medium: 8192, high: 24576 };

export function effortFromBudget(budget: number): ReasoningEffort {
  if (budget <= EFFORT_BUDGET.minimal) return "minimal";
  if (budget <= EFFORT_BUDGET.low) return "low";
  if (budget <= EFFORT_BUDGET.medium) return "medium";
  return "high";
}

/** Parses tool-call argument text; providers that need an object get {} for broken JSON. */
export function parseArguments(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? v : { value: v };
  } catch {
    return {};
  }
}
