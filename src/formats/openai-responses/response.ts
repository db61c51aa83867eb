// Canonical response ↔ Responses API Response object (the non-streamed answer of
// POST /v1/responses). Output items follow the canonical content order: thinking → reasoning
// item, consecutive text → one message item, each tool call → one function_call item.
import type { CanonicalResponse, ContentPart, FinishReason } from "../canonical.ts";
import {
  customToolNames,
  nowSeconds,
  responseEnvelope,
  responsesEcho,
  responsesUsage,
  terminalStatus,
  usageFromResponses,
  type ResponsesClientContext,
  type ResponsesResponse,
} from "./envelope.ts";
import { newCustomToolCallItemId, newFunctionCallItemId, newMessageItemId, newReasoningItemId, responseId } from "./ids.ts";
import { customToolCallItem, customToolInput, functionCallItem, messageItem, reasoningItem, type OutputItem } from "./items.ts";
import { reasoningParts } from "./request.ts";

export { responsesOutputText } from "./items.ts";

/** Canonical content → Response output items. */
export function outputItemsFromContent(content: ContentPart[], customTools: Set<string>): OutputItem[] {
  const output: OutputItem[] = [];
  let text: string | null = null;
  const flush = () => {
    if (text !== null) output.push(messageItem(newMessageItemId(), "completed", text));
    text = null;
  };
  for (const part of content) {
    switch (part.type) {
      case "text":
        text = (text ?? "") + part.text;
        break;
      case "thinking":
        flush();
        output.push(reasoningItem(newReasoningItemId(), part.text, part.signature));
        break;
      case "redacted_thinking":
        flush();
        output.push(reasoningItem(newReasoningItemId(), null, part.data));
        break;
      case "tool_call":
        flush();
        output.push(
          customTools.has(part.name)
            ? customToolCallItem(newCustomToolCallItemId(), "completed", part.id, part.name, customToolInput(part.arguments))
            : functionCallItem(newFunctionCallItemId(), "completed", part.id, part.name, part.arguments),
        );
        break;
      default:
        // images, documents and tool results never appear in an answer
        break;
    }
  }
  flush();
  return output;
}

/** Canonical response → the exact Response object api.openai.com returns. */
export function canonicalToResponsesResponse(res: CanonicalResponse, ctx: ResponsesClientContext): ResponsesResponse {
  const { status, incomplete } = terminalStatus(res.finishReason);
  const output = outputItemsFromContent(res.content, customToolNames(ctx.clientRequest));
  // The item that was cut off is the one marked incomplete (as api.openai.com does).
  const last = output.at(-1);
  if (incomplete && last && "status" in last) last.status = "incomplete";
  return responseEnvelope({
    id: responseId(res.id),
    createdAt: res.created ?? nowSeconds(),
    status,
    model: ctx.requestedModel || res.model,
    output,
    usage: responsesUsage(res.usage),
    echo: responsesEcho(ctx.clientRequest),
    error: status === "failed" ? { code: "server_error", message: "The upstream ended the response with an error." } : null,
    incompleteDetails: incomplete,
    completedAt: status === "completed" ? nowSeconds() : null,
  });
}

function finishOf(status: unknown, reason: unknown, hasToolCalls: boolean): FinishReason {
  if (status === "incomplete") return reason === "content_filter" ? "content_filter" : "length";
  if (status === "failed" || status === "cancelled") return "error";
  return hasToolCalls ? "tool_calls" : "stop";
}

/** A Response object (from a Responses upstream) → canonical response. */
export function responsesResponseToCanonical(body: unknown): CanonicalResponse {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, any>;
  const content: ContentPart[] = [];
  for (const item of Array.isArray(b.output) ? b.output : []) {
    if (!item || typeof item !== "object") continue;
    if (item.type === "message" && Array.isArray(item.content)) {
      for (const p of item.content) {
        if (p?.type === "output_text" && typeof p.text === "string") content.push({ type: "text", text: p.text });
        else if (p?.type === "refusal" && typeof p.refusal === "string") content.push({ type: "text", text: p.refusal });
      }
    } else if (item.type === "reasoning") {
      content.push(...reasoningParts(item));
    } else if (item.type === "function_call") {
      content.push({ type: "tool_call", id: String(item.call_id ?? item.id ?? ""), name: String(item.name ?? ""), arguments: String(item.arguments ?? "") });
    } else if (item.type === "custom_tool_call") {
      content.push({ type: "tool_call", id: String(item.call_id ?? item.id ?? ""), name: String(item.name ?? ""), arguments: JSON.stringify({ input: String(item.input ?? "") }) });
    }
  }
  // Adjacent text parts of one message belong together.
  const merged: ContentPart[] = [];
  for (const p of content) {
    const prev = merged.at(-1);
    if (p.type === "text" && prev?.type === "text") prev.text += p.text;
    else merged.push(p);
  }
  const hasToolCalls = merged.some((p) => p.type === "tool_call");
  return {
    id: typeof b.id === "string" ? b.id : "",
    model: typeof b.model === "string" ? b.model : "",
    content: merged,
    finishReason: finishOf(b.status, b.incomplete_details?.reason, hasToolCalls),
    usage: usageFromResponses(b.usage),
    ...(typeof b.created_at === "number" ? { created: b.created_at } : {}),
  };
}
