// Responses API SSE (api.openai.com, DeepSeek, other Responses servers) → canonical events.
// Liberal: works from the deltas when they are sent, falls back to the complete items of
// response.output_item.done, and to the terminal response's `output` when a server sends
// nothing else. Used by the tests to round-trip the writer, and ready for a Responses upstream.
import type { FinishReason, StreamEvent } from "../canonical.ts";
import type { StreamReader } from "../types.ts";
import { usageFromResponses } from "./envelope.ts";
import { createSseParser } from "../sse.ts";

interface CallState {
  index: number;
  sawDelta: boolean;
  custom: boolean;
  input: string;
  ended: boolean;
}

interface ReasoningState {
  /** Which stream carries this item's text: summary deltas or raw reasoning_text deltas. */
  source: "summary" | "text" | null;
  summaryIndex: number;
  sawText: boolean;
}

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed", "response.cancelled"]);

export function createResponsesStreamReader(): StreamReader {
  const sse = createSseParser();
  let started = false;
  let finished = false;
  let errored = false;
  let sawItems = false;
  let anyToolCall = false;
  let nextToolIndex = 0;
  const calls = new Map<string, CallState>();
  const callByOutputIndex = new Map<number, string>();
  const reasoning = new Map<string, ReasoningState>();
  const messagesWithText = new Set<string>();
  /** Text deltas without an item_id: the done items cannot be matched, so they add nothing. */
  let anonymousText = false;

  function start(out: StreamEvent[], response?: any) {
    if (started) return;
    started = true;
    out.push({ type: "start", id: typeof response?.id === "string" ? response.id : "", model: typeof response?.model === "string" ? response.model : "" });
  }

  const keyOf = (data: any): string | undefined =>
    typeof data.item_id === "string" ? data.item_id : typeof data.output_index === "number" ? callByOutputIndex.get(data.output_index) : undefined;

  function startCall(out: StreamEvent[], item: any, outputIndex: unknown): CallState {
    const key = String(item.id ?? item.call_id ?? `out_${outputIndex}`);
    let c = calls.get(key);
    if (c) return c;
    c = { index: nextToolIndex++, sawDelta: false, custom: item.type === "custom_tool_call", input: "", ended: false };
    calls.set(key, c);
    if (typeof outputIndex === "number") callByOutputIndex.set(outputIndex, key);
    anyToolCall = true;
    out.push({ type: "tool_call_start", index: c.index, id: String(item.call_id ?? item.id ?? ""), name: String(item.name ?? "") });
    return c;
  }

  function endCall(out: StreamEvent[], c: CallState) {
    if (c.ended) return;
    c.ended = true;
    if (c.custom && !c.sawDelta) {
      // Custom tools stream free-form text; canonical arguments are JSON {"input": …}.
      out.push({ type: "tool_call_delta", index: c.index, arguments: JSON.stringify({ input: c.input }) });
      c.sawDelta = true;
    }
    out.push({ type: "tool_call_end", index: c.index });
  }

  /** One state per reasoning item, found by item id or by output index (servers send either). */
  function reasoningOf(itemId: unknown, outputIndex: unknown): ReasoningState {
    const keys = [typeof itemId === "string" ? `id:${itemId}` : null, typeof outputIndex === "number" ? `oi:${outputIndex}` : null].filter(
      (k): k is string => k !== null,
    );
    let r = keys.map((k) => reasoning.get(k)).find(Boolean);
    if (!r) r = { source: null, summaryIndex: 0, sawText: false };
    for (const k of keys) reasoning.set(k, r);
    return r;
  }

  function reasoningDelta(out: StreamEvent[], data: any, source: "summary" | "text") {
    if (typeof data.delta !== "string" || !data.delta) return;
    const r = reasoningOf(data.item_id, data.output_index);
    if (r.source && r.source !== source) return; // the same reasoning in both forms: keep one
    r.source = source;
    const part = typeof data.summary_index === "number" ? data.summary_index : 0;
    if (source === "summary" && part !== r.summaryIndex && r.sawText) out.push({ type: "reasoning_delta", text: "\n\n" });
    r.summaryIndex = part;
    r.sawText = true;
    out.push({ type: "reasoning_delta", text: data.delta });
  }

  /** A finished item: emit what its deltas did not. */
  function itemDone(out: StreamEvent[], item: any, outputIndex: unknown) {
    if (!item || typeof item !== "object") return;
    if (item.type === "function_call" || item.type === "custom_tool_call") {
      const c = startCall(out, item, outputIndex);
      if (item.type === "custom_tool_call") {
        if (typeof item.input === "string") c.input = item.input;
      } else if (!c.sawDelta && typeof item.arguments === "string" && item.arguments) {
        out.push({ type: "tool_call_delta", index: c.index, arguments: item.arguments });
        c.sawDelta = true;
      }
      endCall(out, c);
    } else if (item.type === "reasoning") {
      const r = reasoningOf(item.id, outputIndex);
      if (!r.sawText) {
        const summary = Array.isArray(item.summary) ? item.summary.map((p: any) => (typeof p?.text === "string" ? p.text : "")).filter(Boolean) : [];
        const raw = Array.isArray(item.content) ? item.content.map((p: any) => (typeof p?.text === "string" ? p.text : "")).join("") : "";
        const text = summary.length ? summary.join("\n\n") : raw;
        if (text) {
          out.push({ type: "reasoning_delta", text });
          r.sawText = true;
        }
      }
      const enc = typeof item.encrypted_content === "string" && item.encrypted_content ? item.encrypted_content : null;
      if (enc) out.push(r.sawText ? { type: "reasoning_signature", signature: enc } : { type: "redacted_reasoning", data: enc });
    } else if (item.type === "message") {
      if (anonymousText || messagesWithText.has(String(item.id))) return;
      const text = Array.isArray(item.content)
        ? item.content.map((p: any) => (p?.type === "output_text" ? (p.text ?? "") : p?.type === "refusal" ? (p.refusal ?? "") : "")).join("")
        : "";
      if (text) out.push({ type: "text_delta", text });
    }
  }

  function closeCalls(out: StreamEvent[]) {
    for (const c of calls.values()) endCall(out, c);
  }

  function terminal(out: StreamEvent[], type: string, response: any) {
    start(out, response);
    // A server that sends only the terminal event: its output is the whole answer.
    if (!sawItems && Array.isArray(response?.output)) response.output.forEach((item: any, i: number) => itemDone(out, item, i));
    closeCalls(out);
    if (response?.usage) out.push({ type: "usage", usage: usageFromResponses(response.usage) });
    let reason: FinishReason;
    if (type === "response.failed" || type === "response.cancelled" || response?.status === "failed") {
      if (!errored) {
        const e = response?.error;
        out.push({ type: "error", message: typeof e?.message === "string" ? e.message : "The response failed.", ...(typeof e?.code === "string" ? { code: e.code } : {}) });
        errored = true;
      }
      reason = "error";
    } else if (type === "response.incomplete" || response?.status === "incomplete") {
      reason = response?.incomplete_details?.reason === "content_filter" ? "content_filter" : "length";
    } else {
      reason = anyToolCall ? "tool_calls" : "stop";
    }
    out.push({ type: "finish", reason });
    finished = true;
  }

  function handle(out: StreamEvent[], eventName: string | null, raw: string) {
    if (finished) return;
    let data: any;
    try {
      data = JSON.parse(raw);
    } catch {
      return; // not JSON ([DONE] from some servers, garbage): nothing to read
    }
    if (!data || typeof data !== "object") return;
    const type: string = typeof data.type === "string" ? data.type : (eventName ?? "");
    if (type === "response.created" || type === "response.in_progress" || type === "response.queued") {
      start(out, data.response);
      return;
    }
    if (TERMINAL.has(type)) return terminal(out, type, data.response);
    if (type === "error") {
      start(out);
      const e = data.error && typeof data.error === "object" ? data.error : data;
      out.push({ type: "error", message: typeof e.message === "string" ? e.message : "stream error", ...(typeof e.code === "string" ? { code: e.code } : {}) });
      errored = true;
      return;
    }
    start(out);
    switch (type) {
      case "response.output_item.added":
        sawItems = true;
        if (data.item?.type === "function_call" || data.item?.type === "custom_tool_call") startCall(out, data.item, data.output_index);
        return;
      case "response.output_item.done":
        sawItems = true;
        return itemDone(out, data.item, data.output_index);
      case "response.output_text.delta":
      case "response.refusal.delta":
        sawItems = true;
        if (typeof data.item_id === "string") messagesWithText.add(data.item_id);
        else anonymousText = true;
        if (typeof data.delta === "string" && data.delta) out.push({ type: "text_delta", text: data.delta });
        return;
      case "response.reasoning_summary_text.delta":
        sawItems = true;
        return reasoningDelta(out, data, "summary");
      case "response.reasoning_text.delta":
        sawItems = true;
        return reasoningDelta(out, data, "text");
      case "response.function_call_arguments.delta": {
        const c = calls.get(keyOf(data) ?? "");
        if (!c || typeof data.delta !== "string" || !data.delta) return;
        c.sawDelta = true;
        out.push({ type: "tool_call_delta", index: c.index, arguments: data.delta });
        return;
      }
      case "response.function_call_arguments.done": {
        const c = calls.get(keyOf(data) ?? "");
        if (c && !c.sawDelta && typeof data.arguments === "string" && data.arguments) {
          c.sawDelta = true;
          out.push({ type: "tool_call_delta", index: c.index, arguments: data.arguments });
        }
        return;
      }
      case "response.custom_tool_call_input.delta": {
        const c = calls.get(keyOf(data) ?? "");
        if (c && typeof data.delta === "string") c.input += data.delta;
        return;
      }
      case "response.custom_tool_call_input.done": {
        const c = calls.get(keyOf(data) ?? "");
        if (c && typeof data.input === "string") c.input = data.input;
        return;
      }
      default:
        return; // content_part.*, *.done texts (already streamed), hosted-tool progress, keepalive
    }
  }

  const run = (messages: { event: string | null; data: string }[]) => {
    const out: StreamEvent[] = [];
    for (const m of messages) handle(out, m.event, m.data);
    return out;
  };

  return {
    push: (chunk) => run(sse.push(chunk)),
    end: () => {
      const out = run(sse.end());
      // A stream cut before its terminal event: every started call still gets its end.
      if (!finished) closeCalls(out);
      return out;
    },
  };
}
