// Anthropic Message objects (the non-streamed answer of POST /v1/messages) ↔ canonical.
import { GatewayError } from "../../errors.ts";
import { parseArguments, type CanonicalResponse, type ContentPart, type FinishReason } from "../canonical.ts";
import type { ClientStreamContext } from "../types.ts";
import { messageIdFrom } from "./ids.ts";
import { anthropicUsageFrom, usageFromAnthropic, type AnthropicUsage } from "./usage.ts";

/** stop_reason → canonical (end_turn/stop_sequence/pause_turn are all "the turn ended"). */
export function finishFromStopReason(reason: unknown): FinishReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
  }
  return "stop";
}

export type AnthropicStopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

export function stopReasonFromFinish(reason: FinishReason, stopSequence?: string | null): AnthropicStopReason {
  switch (reason) {
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    case "content_filter":
      return "refusal";
  }
  return stopSequence ? "stop_sequence" : "end_turn";
}

export function anthropicResponseToCanonical(json: unknown): CanonicalResponse {
  const m = json as Record<string, any>;
  if (!m || typeof m !== "object" || !Array.isArray(m.content)) {
    throw new GatewayError(502, "upstream_bad_response", "The upstream answer is not an Anthropic message (no content array).", { upstreamBody: json });
  }
  const content: ContentPart[] = [];
  for (const b of m.content as Record<string, any>[]) {
    if (!b || typeof b !== "object") continue;
    if (b.type === "text" && typeof b.text === "string") content.push({ type: "text", text: b.text });
    else if (b.type === "thinking") {
      content.push({ type: "thinking", text: String(b.thinking ?? ""), ...(typeof b.signature === "string" && b.signature ? { signature: b.signature } : {}) });
    } else if (b.type === "redacted_thinking" && typeof b.data === "string") content.push({ type: "redacted_thinking", data: b.data });
    else if (b.type === "tool_use") {
      content.push({ type: "tool_call", id: String(b.id ?? ""), name: String(b.name ?? ""), arguments: typeof b.input === "string" ? b.input : JSON.stringify(b.input ?? {}) });
    }
    // server_tool_use / web_search_tool_result… are Anthropic-side only (see request.ts).
  }
  return {
    id: typeof m.id === "string" ? m.id : "",
    model: typeof m.model === "string" ? m.model : "",
    content,
    finishReason: finishFromStopReason(m.stop_reason),
    stopSequence: typeof m.stop_sequence === "string" ? m.stop_sequence : null,
    usage: usageFromAnthropic(m.usage),
  };
}

type OutBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessageObject {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: OutBlock[];
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export function canonicalToAnthropicResponse(res: CanonicalResponse, ctx: Pick<ClientStreamContext, "requestedModel">): AnthropicMessageObject {
  const content: OutBlock[] = [];
  for (const p of res.content) {
    if (p.type === "text") {
      // Consecutive text parts are one block, as Anthropic would have sent them.
      const last = content.at(-1);
      if (last?.type === "text") last.text += p.text;
      else if (p.text) content.push({ type: "text", text: p.text });
    } else if (p.type === "thinking") content.push({ type: "thinking", thinking: p.text, signature: p.signature ?? "" });
    else if (p.type === "redacted_thinking") content.push({ type: "redacted_thinking", data: p.data });
    else if (p.type === "tool_call") content.push({ type: "tool_use", id: p.id, name: p.name, input: parseArguments(p.arguments) });
  }
  let reason = stopReasonFromFinish(res.finishReason, res.stopSequence);
  // Some OpenAI-compatible upstreams say "stop" after a tool call; Anthropic clients run tools on tool_use.
  if (reason === "end_turn" && content.at(-1)?.type === "tool_use") reason = "tool_use";
  return {
    id: messageIdFrom(res.id),
    type: "message",
    role: "assistant",
    model: ctx.requestedModel || res.model,
    content,
    stop_reason: reason,
    stop_sequence: reason === "stop_sequence" ? (res.stopSequence ?? null) : null,
    usage: anthropicUsageFrom(res.usage),
  };
}
