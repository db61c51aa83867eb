// A non-streamed GenerateContentResponse ↔ canonical.
import type { CanonicalResponse } from "../canonical.ts";
import type { ClientStreamContext } from "../types.ts";
import { readParts, writeParts } from "./parts.ts";
import { field, finishFromGemini, finishToGemini, isObj, newResponseId, newToolCallId, str, usageFromGemini, usageToGemini, type Json } from "./wire.ts";

export function geminiResponseToCanonical(json: unknown): CanonicalResponse {
  if (!isObj(json)) throw new Error("expected a GenerateContentResponse object");
  const err = field(json, "error");
  if (isObj(err)) throw new Error(str(err.message) ?? "the upstream answered with an error object");
  const candidates = field(json, "candidates");
  const cand = Array.isArray(candidates) && isObj(candidates[0]) ? candidates[0] : undefined;
  const content = readParts(field(field(cand, "content"), "parts"), { callId: (given) => given ?? newToolCallId(), mergeText: true });
  const sawToolCall = content.some((p) => p.type === "tool_call");
  // No candidate at all: the prompt itself was blocked (promptFeedback.blockReason).
  const blocked = !cand && field(field(json, "promptFeedback"), "blockReason");
  const finishReason = finishFromGemini(field(cand, "finishReason"), sawToolCall) ?? (blocked ? "content_filter" : sawToolCall ? "tool_calls" : "stop");
  return {
    id: str(field(json, "responseId")) || newResponseId(),
    model: str(field(json, "modelVersion")) ?? "",
    content,
    finishReason,
    usage: usageFromGemini(field(json, "usageMetadata")),
  };
}

/** Canonical → the exact GenerateContentResponse shape Google returns. */
export function canonicalToGeminiResponse(res: CanonicalResponse, ctx: ClientStreamContext): Json {
  const parts = writeParts(res.content, { mode: "response" });
  const candidate: Json = {};
  // A filtered answer comes without content; anything else has at least an empty text part.
  if (parts.length || res.finishReason !== "content_filter") candidate.content = { parts: parts.length ? parts : [{ text: "" }], role: "model" };
  candidate.finishReason = finishToGemini(res.finishReason);
  candidate.index = 0;
  const out: Json = { candidates: [candidate] };
  const usage = usageToGemini(res.usage);
  if (usage) out.usageMetadata = usage;
  out.modelVersion = ctx.requestedModel || res.model;
  out.responseId = res.id || newResponseId();
  return out;
}
