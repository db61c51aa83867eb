// A cached answer is kept in canonical form, so it can be served to a client of any format,
// streamed or not. Two directions:
//  - ResponseAccumulator: the canonical stream events of a live answer → one CanonicalResponse
//    (what a streamed miss stores);
//  - eventsOf: a CanonicalResponse → the events a StreamWriter turns into the client's stream
//    (what a streamed hit sends).
import type { CanonicalResponse, ContentPart, FinishReason, StreamEvent } from "../../formats/canonical.ts";
import { NO_USAGE, type TokenUsage } from "../../usage/tokens.ts";

/** Later reports fill in what earlier ones left null (Anthropic: input at start, output at the end). */
function mergeUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    promptTokens: b.promptTokens ?? a.promptTokens,
    completionTokens: b.completionTokens ?? a.completionTokens,
    totalTokens: b.totalTokens ?? a.totalTokens,
    cachedTokens: b.cachedTokens ?? a.cachedTokens,
    reasoningTokens: b.reasoningTokens ?? a.reasoningTokens,
  };
}

export class ResponseAccumulator {
  private id = "";
  private model = "";
  private usage: TokenUsage = NO_USAGE;
  private content: ContentPart[] = [];
  private calls = new Map<number, Extract<ContentPart, { type: "tool_call" }>>();
  private finish: { reason: FinishReason; stopSequence?: string | null } | null = null;
  private failed = false;

  push(ev: StreamEvent): void {
    const last = this.content.at(-1);
    switch (ev.type) {
      case "start":
        this.id ||= ev.id;
        this.model ||= ev.model;
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        return;
      case "text_delta":
        if (last?.type === "text") last.text += ev.text;
        else this.content.push({ type: "text", text: ev.text });
        return;
      case "reasoning_delta":
        if (last?.type === "thinking" && last.signature === undefined) last.text += ev.text;
        else this.content.push({ type: "thinking", text: ev.text });
        return;
      case "reasoning_signature":
        if (last?.type === "thinking" && last.signature === undefined) last.signature = ev.signature;
        else this.content.push({ type: "thinking", text: "", signature: ev.signature });
        return;
      case "redacted_reasoning":
        this.content.push({ type: "redacted_thinking", data: ev.data });
        return;
      case "tool_call_start": {
        const part: Extract<ContentPart, { type: "tool_call" }> = { type: "tool_call", id: ev.id, name: ev.name, arguments: "" };
        this.calls.set(ev.index, part);
        this.content.push(part);
        return;
      }
      case "tool_call_delta": {
        const call = this.calls.get(ev.index);
        if (call) call.arguments += ev.arguments;
        return;
      }
      case "tool_call_end": {
        const call = this.calls.get(ev.index);
        if (call && ev.signature) call.signature = ev.signature;
        return;
      }
      case "usage":
        this.usage = mergeUsage(this.usage, ev.usage);
        return;
      case "finish":
        this.finish = { reason: ev.reason, stopSequence: ev.stopSequence };
        return;
      case "error":
        this.failed = true;
        return;
    }
  }

  /** The whole answer, or null when the stream failed or never said it was finished. */
  result(): CanonicalResponse | null {
    if (this.failed || !this.finish || this.finish.reason === "error") return null;
    const out: CanonicalResponse = { id: this.id, model: this.model, content: this.content, finishReason: this.finish.reason, usage: this.usage };
    if (this.finish.stopSequence !== undefined) out.stopSequence = this.finish.stopSequence;
    return out;
  }
}

/** The events a live stream of this answer would have carried, in the order readers emit them. */
export function eventsOf(res: CanonicalResponse): StreamEvent[] {
  const events: StreamEvent[] = [{ type: "start", id: res.id, model: res.model, usage: res.usage }];
  let index = 0;
  for (const part of res.content) {
    switch (part.type) {
      case "text":
        if (part.text) events.push({ type: "text_delta", text: part.text });
        break;
      case "thinking":
        if (part.text) events.push({ type: "reasoning_delta", text: part.text });
        if (part.signature) events.push({ type: "reasoning_signature", signature: part.signature });
        break;
      case "redacted_thinking":
        events.push({ type: "redacted_reasoning", data: part.data });
        break;
      case "tool_call": {
        const i = index++;
        events.push({ type: "tool_call_start", index: i, id: part.id, name: part.name });
        if (part.arguments) events.push({ type: "tool_call_delta", index: i, arguments: part.arguments });
        events.push(part.signature ? { type: "tool_call_end", index: i, signature: part.signature } : { type: "tool_call_end", index: i });
        break;
      }
    }
  }
  events.push({ type: "usage", usage: res.usage });
  events.push(res.stopSequence !== undefined ? { type: "finish", reason: res.finishReason, stopSequence: res.stopSequence } : { type: "finish", reason: res.finishReason });
  return events;
}
