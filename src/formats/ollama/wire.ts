// Shapes and small helpers shared by the Ollama translators. Field names follow Ollama's
// api/types.go (ChatRequest, Message, ToolCall, ChatResponse, Metrics) and docs/api.md.
import type { FinishReason } from "../canonical.ts";
import type { TokenUsage } from "../../usage/tokens.ts";

export interface OllamaToolCall {
  /** Ollama ≥0.12 may send an id; older servers and most clients never do. */
  id?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> | string };
}

export interface OllamaMessage {
  role: "system" | "user" | "assistant" | "tool" | string;
  content: string;
  images?: string[];
  thinking?: string;
  tool_calls?: OllamaToolCall[];
  /** On role "tool": the function whose result this is (Ollama matches results by name). */
  tool_name?: string;
  tool_call_id?: string;
}

/** The metrics every `done: true` object carries; durations are nanoseconds. */
export interface OllamaMetrics {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomBase62(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let out = "";
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}

/** Ollama gives tool calls no id (or not always); canonical needs one to pair results. */
export const newToolCallId = () => `call_${randomBase62(24)}`;

/** Ollama responses have no id either; the canonical response/stream needs one. */
export const newResponseId = () => `ollama-${randomBase62(24)}`;

/**
 * `created_at` as Go's time.Time marshals it (RFC3339Nano, UTC, trailing zeros of the
 * fraction trimmed), e.g. "2024-07-22T20:33:28.123648123Z". JavaScript clocks stop at
 * milliseconds; the sub-millisecond digits come from performance.now() so successive lines
 * of one stream still look (and sort) like Ollama's.
 */
export function ollamaTimestamp(ms: number = Date.now(), subMsNanos: number = Math.floor((performance.now() % 1) * 1e6)): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString(); // 2024-07-22T20:33:28.123Z
  const nanos = (whole % 1000) * 1e6 + Math.max(0, Math.min(999_999, Math.floor(subMsNanos)));
  const frac = String(nanos).padStart(9, "0").replace(/0+$/, "");
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ""}Z`;
}

/**
 * Ollama's done_reason is "stop" or "length" (plus "load"/"unload" for the empty-chat model
 * management calls). A turn that ends in tool calls still says "stop": the calls themselves
 * are the signal, so readers map to tool_calls when message.tool_calls were seen.
 */
export function doneReasonOf(reason: FinishReason | null | undefined): string {
  return reason === "length" ? "length" : "stop";
}

export function finishFromDoneReason(doneReason: unknown, sawToolCalls: boolean): FinishReason {
  if (sawToolCalls) return "tool_calls";
  return doneReason === "length" ? "length" : "stop";
}

const count = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** prompt_eval_count / eval_count → TokenUsage (Ollama reports no cache or reasoning split). */
export function usageFromOllama(o: Record<string, unknown>): TokenUsage {
  const prompt = count(o.prompt_eval_count);
  const completion = count(o.eval_count);
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: prompt !== null && completion !== null ? prompt + completion : null,
    cachedTokens: null,
    reasoningTokens: null,
  };
}

/** The metrics block of a final object. The gateway does not know Ollama-style timings, so 0. */
export function metricsFrom(usage: TokenUsage | null | undefined): OllamaMetrics {
  return {
    total_duration: 0,
    load_duration: 0,
    prompt_eval_count: usage?.promptTokens ?? 0,
    prompt_eval_duration: 0,
    eval_count: usage?.completionTokens ?? 0,
    eval_duration: 0,
  };
}

/** Arguments arrive as an object (Ollama) but canonical carries JSON text, as OpenAI streams it. */
export function argumentsText(args: unknown): string {
  if (typeof args === "string") return args;
  if (args === undefined || args === null) return "{}";
  return JSON.stringify(args);
}
