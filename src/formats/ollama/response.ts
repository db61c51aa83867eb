// Non-streamed /api/chat answers (`stream: false`) ↔ canonical. The shape is Ollama's
// ChatResponse: {model, created_at, message:{role, content, thinking?, tool_calls?}, done,
// done_reason, total_duration, load_duration, prompt_eval_count, prompt_eval_duration,
// eval_count, eval_duration} (docs/api.md "Chat request (No streaming)" and "(with tools)").
import { GatewayError } from "../../errors.ts";
import { parseArguments, type CanonicalResponse, type ContentPart } from "../canonical.ts";
import type { ClientStreamContext } from "../types.ts";
import {
  argumentsText,
  doneReasonOf,
  finishFromDoneReason,
  metricsFrom,
  newResponseId,
  newToolCallId,
  ollamaTimestamp,
  usageFromOllama,
  type OllamaToolCall,
} from "./wire.ts";

/** Ollama answer → canonical. Tool calls get generated ids (Ollama sends none, or not always). */
export function ollamaResponseToCanonical(json: unknown): CanonicalResponse {
  if (!json || typeof json !== "object") throw new GatewayError(502, "upstream_bad_response", "Ollama response is not a JSON object");
  const o = json as Record<string, any>;
  if (typeof o.error === "string") throw new GatewayError(502, "upstream_error", o.error);
  const msg = o.message && typeof o.message === "object" ? o.message : {};
  const content: ContentPart[] = [];
  if (typeof msg.thinking === "string" && msg.thinking) content.push({ type: "thinking", text: msg.thinking });
  if (typeof msg.content === "string" && msg.content) content.push({ type: "text", text: msg.content });
  const calls: any[] = Array.isArray(msg.tool_calls) ? msg.tool_calls : [];
  for (const call of calls) {
    const fn = call?.function;
    if (!fn || typeof fn.name !== "string") continue;
    content.push({ type: "tool_call", id: typeof call.id === "string" && call.id ? call.id : newToolCallId(), name: fn.name, arguments: argumentsText(fn.arguments) });
  }
  const sawCalls = content.some((p) => p.type === "tool_call");
  const created = typeof o.created_at === "string" ? Date.parse(o.created_at) : NaN;
  return {
    id: newResponseId(),
    model: typeof o.model === "string" ? o.model : "",
    content,
    finishReason: finishFromDoneReason(o.done_reason, sawCalls),
    usage: usageFromOllama(o),
    ...(Number.isFinite(created) ? { created: Math.floor(created / 1000) } : {}),
  };
}

export interface OllamaChatResponse {
  model: string;
  created_at: string;
  message: { role: "assistant"; content: string; thinking?: string; tool_calls?: OllamaToolCall[] };
  done_reason: string;
  done: true;
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

/** Tool calls as Ollama writes them: object arguments, position in `function.index`. */
export function ollamaToolCalls(parts: ContentPart[]): OllamaToolCall[] {
  return parts
    .filter((p): p is Extract<ContentPart, { type: "tool_call" }> => p.type === "tool_call")
    .map((p, index) => ({ function: { index, name: p.name, arguments: parseArguments(p.arguments) } }));
}

/** Canonical answer → the JSON an Ollama client expects from `stream: false`. */
export function canonicalToOllamaResponse(res: CanonicalResponse, ctx: ClientStreamContext): OllamaChatResponse {
  let text = "";
  let thinking = "";
  for (const p of res.content) {
    if (p.type === "text") text += p.text;
    else if (p.type === "thinking") thinking += p.text;
  }
  const message: OllamaChatResponse["message"] = { role: "assistant", content: text };
  if (thinking) message.thinking = thinking;
  const calls = ollamaToolCalls(res.content);
  if (calls.length) message.tool_calls = calls;
  return {
    model: ctx.requestedModel || res.model,
    // The time the answer is written, as Ollama stamps it (not the upstream's created second).
    created_at: ollamaTimestamp(),
    message,
    // Key order as Go marshals api.ChatResponse: done_reason comes before done.
    done_reason: doneReasonOf(res.finishReason),
    done: true,
    ...metricsFrom(res.usage),
  };
}
