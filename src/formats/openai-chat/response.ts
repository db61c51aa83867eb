// Chat Completions response ↔ canonical response. Reading accepts what OpenAI-compatible
// servers really return (reasoning_content / reasoning, legacy function_call, content as a
// part array, a 200 carrying {error}); writing produces the exact `chat.completion` object of
// api.openai.com.
import { GatewayError } from "../../errors.ts";
import { usageFromOpenAi, type TokenUsage } from "../../usage/tokens.ts";
import type { CanonicalResponse, ContentPart, FinishReason } from "../canonical.ts";
import type { ClientStreamContext } from "../types.ts";
import { completionId, newToolCallId } from "./ids.ts";

type Json = Record<string, any>;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * OpenAI's finish_reason → canonical. `function_call` is the legacy name of tool_calls;
 * OpenRouter reports `error`, DeepSeek `insufficient_system_resource` (generation cut short).
 * Some compatible servers (Ollama, older vLLM) say `stop` after a tool call, so a turn that
 * produced tool calls is `tool_calls` unless it was cut for length or filtering.
 */
export function finishFromOpenAi(reason: unknown, hadToolCalls: boolean): FinishReason {
  switch (reason) {
    case "length":
    case "max_tokens":
      return "length";
    case "content_filter":
      return "content_filter";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "error":
    case "insufficient_system_resource":
      return "error";
    default:
      return hadToolCalls ? "tool_calls" : "stop";
  }
}

/** Canonical → OpenAI finish_reason. OpenAI has no "error"; the error itself travels separately. */
export function finishToOpenAi(reason: FinishReason, hadToolCalls: boolean): string {
  if (reason === "error") return "stop";
  if (reason === "stop" && hadToolCalls) return "tool_calls";
  return reason;
}

/** TokenUsage → OpenAI's usage object (unknown counts are 0: SDK types declare numbers). */
export function openAiUsage(u: TokenUsage) {
  const prompt = u.promptTokens ?? 0;
  const completion = u.completionTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: u.totalTokens ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  };
}

/** DeepSeek: reasoning_content; OpenRouter: reasoning (sometimes both, with the same text). */
export function reasoningOf(m: Json): string | null {
  if (typeof m.reasoning_content === "string" && m.reasoning_content) return m.reasoning_content;
  if (typeof m.reasoning === "string" && m.reasoning) return m.reasoning;
  return null;
}

function argumentsText(args: unknown): string {
  if (typeof args === "string") return args;
  return args === undefined || args === null ? "" : JSON.stringify(args);
}

/** A 200 whose body is {error:{…}}: some compatible servers report failures that way. */
export function errorFromBody(json: Json): GatewayError {
  const e = json.error;
  const message = typeof e === "string" ? e : isObj(e) && typeof e.message === "string" ? e.message : JSON.stringify(e);
  const status = isObj(e) && typeof e.code === "number" && e.code >= 400 && e.code < 600 ? e.code : 502;
  return new GatewayError(status, "upstream_error", message, { upstreamBody: json });
}

export function openAiChatResponseToCanonical(json: unknown): CanonicalResponse {
  if (!isObj(json)) throw new GatewayError(502, "upstream_bad_response", "The upstream answer is not a JSON object.");
  if (json.error && !Array.isArray(json.choices)) throw errorFromBody(json);
  if (!Array.isArray(json.choices)) throw new GatewayError(502, "upstream_bad_response", "The upstream answer has no choices.", { upstreamBody: json });
  const choice: Json = json.choices.find((c: Json) => isObj(c) && (c.index ?? 0) === 0) ?? json.choices[0] ?? {};
  const msg: Json = isObj(choice.message) ? choice.message : {};

  const content: ContentPart[] = [];
  const thinking = reasoningOf(msg);
  if (thinking) content.push({ type: "thinking", text: thinking });
  if (typeof msg.content === "string" && msg.content) content.push({ type: "text", text: msg.content });
  else if (Array.isArray(msg.content)) {
    for (const p of msg.content) if (isObj(p) && p.type === "text" && typeof p.text === "string" && p.text) content.push({ type: "text", text: p.text });
  }
  // A refusal is the model's answer; other formats carry it as text.
  if (!content.some((p) => p.type === "text") && typeof msg.refusal === "string" && msg.refusal) content.push({ type: "text", text: msg.refusal });
  let calls = 0;
  if (Array.isArray(msg.tool_calls)) {
    for (const tc of msg.tool_calls) {
      if (!isObj(tc) || !isObj(tc.function)) continue;
      const id = typeof tc.id === "string" && tc.id ? tc.id : newToolCallId();
      content.push({ type: "tool_call", id, name: String(tc.function.name ?? ""), arguments: argumentsText(tc.function.arguments) });
      calls++;
    }
  } else if (isObj(msg.function_call)) {
    content.push({ type: "tool_call", id: newToolCallId(), name: String(msg.function_call.name ?? ""), arguments: argumentsText(msg.function_call.arguments) });
    calls++;
  }

  const res: CanonicalResponse = {
    id: typeof json.id === "string" ? json.id : "",
    model: typeof json.model === "string" ? json.model : "",
    content,
    finishReason: finishFromOpenAi(choice.finish_reason, calls > 0),
    usage: usageFromOpenAi(json.usage),
  };
  if (typeof json.created === "number") res.created = json.created;
  return res;
}

export function canonicalToOpenAiChatResponse(res: CanonicalResponse, ctx: ClientStreamContext) {
  const text = res.content.filter((p) => p.type === "text").map((p) => (p as { text: string }).text).join("");
  const thinking = res.content.filter((p) => p.type === "thinking").map((p) => (p as { text: string }).text).join("");
  const toolCalls = res.content
    .filter((p): p is Extract<ContentPart, { type: "tool_call" }> => p.type === "tool_call")
    .map((p) => ({ id: p.id, type: "function" as const, function: { name: p.name, arguments: p.arguments } }));

  const message: Json = { role: "assistant", content: text || (toolCalls.length ? null : "") };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (thinking) message.reasoning_content = thinking;
  message.refusal = null;
  return {
    id: completionId(res.id),
    object: "chat.completion" as const,
    created: res.created ?? Math.floor(Date.now() / 1000),
    model: ctx.requestedModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishToOpenAi(res.finishReason, toolCalls.length > 0) }],
    usage: openAiUsage(res.usage),
  };
}
