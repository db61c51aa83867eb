// Ollama streams NDJSON: one ChatResponse object per line, `done: false` while generating,
// then a last `done: true` object with done_reason, durations and token counts
// (docs/api.md "Chat Request (Streaming)"). Thinking arrives in message.thinking, answer
// text in message.content, and tool calls whole (object arguments) in message.tool_calls
// (ollama.com/blog/streaming-tool). An error after the stream began is a line {"error":"…"}.
import type { GatewayError } from "../../errors.ts";
import { parseArguments, type FinishReason, type StreamEvent } from "../canonical.ts";
import type { ClientStreamContext, StreamReader, StreamWriter } from "../types.ts";
import type { TokenUsage } from "../../usage/tokens.ts";
import {
  argumentsText,
  doneReasonOf,
  finishFromDoneReason,
  metricsFrom,
  newResponseId,
  newToolCallId,
  ollamaTimestamp,
  usageFromOllama,
  type OllamaMessage,
} from "./wire.ts";

/** Upstream Ollama NDJSON bytes → canonical events; chunks may split anywhere. */
export function createOllamaStreamReader(): StreamReader {
  const decoder = new TextDecoder();
  const id = newResponseId();
  let buffer = "";
  let started = false;
  let toolIndex = 0;

  function onLine(raw: string): StreamEvent[] {
    const text = raw.trim();
    if (!text) return [];
    let o: any;
    try {
      o = JSON.parse(text);
    } catch {
      return [{ type: "error", message: `Ollama sent a stream line that is not JSON: ${text.slice(0, 200)}`, code: "upstream_bad_response" }];
    }
    if (!o || typeof o !== "object") return [];
    if (o.error !== undefined && o.error !== null) {
      const message = typeof o.error === "string" ? o.error : typeof o.error?.message === "string" ? o.error.message : JSON.stringify(o.error);
      return [{ type: "error", message }];
    }
    const out: StreamEvent[] = [];
    if (!started) {
      started = true;
      out.push({ type: "start", id, model: typeof o.model === "string" ? o.model : "" });
    }
    const msg = o.message && typeof o.message === "object" ? o.message : {};
    if (typeof msg.thinking === "string" && msg.thinking) out.push({ type: "reasoning_delta", text: msg.thinking });
    if (typeof msg.content === "string" && msg.content) out.push({ type: "text_delta", text: msg.content });
    // /api/generate-style lines carry `response`/`thinking` at the top level; accept them too.
    if (!o.message) {
      if (typeof o.thinking === "string" && o.thinking) out.push({ type: "reasoning_delta", text: o.thinking });
      if (typeof o.response === "string" && o.response) out.push({ type: "text_delta", text: o.response });
    }
    const calls: any[] = Array.isArray(msg.tool_calls) ? msg.tool_calls : [];
    for (const call of calls) {
      const fn = call?.function;
      if (!fn || typeof fn.name !== "string") continue;
      // Ollama parses a call out of the model's output before sending it, so each one
      // arrives complete: start, all of its arguments, end.
      const index = toolIndex++;
      out.push({ type: "tool_call_start", index, id: typeof call.id === "string" && call.id ? call.id : newToolCallId(), name: fn.name });
      out.push({ type: "tool_call_delta", index, arguments: argumentsText(fn.arguments) });
      out.push({ type: "tool_call_end", index });
    }
    if (o.done === true) {
      out.push({ type: "usage", usage: usageFromOllama(o) });
      out.push({ type: "finish", reason: finishFromDoneReason(o.done_reason, toolIndex > 0) });
    }
    return out;
  }

  function drain(): StreamEvent[] {
    const out: StreamEvent[] = [];
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      out.push(...onLine(line));
    }
    return out;
  }

  return {
    push(chunk) {
      buffer += decoder.decode(chunk, { stream: true });
      return drain();
    },
    end() {
      buffer += decoder.decode();
      const out = drain();
      // A last object without its newline still counts. A stream that stops before its
      // `done: true` line was cut: no finish is invented, so the relay can tell.
      if (buffer.trim()) out.push(...onLine(buffer));
      buffer = "";
      return out;
    },
  };
}

/** Canonical events → the NDJSON an Ollama client reads, line for line as Ollama writes it. */
export function createOllamaStreamWriter(ctx: ClientStreamContext): StreamWriter {
  let model = ctx.requestedModel;
  let usage: TokenUsage | null = null;
  let reason: FinishReason | null = null;
  let closed = false;
  let emittedCalls = 0;
  const calls = new Map<number, { name: string; args: string }>();

  const line = (message: OllamaMessage) => `${JSON.stringify({ model, created_at: ollamaTimestamp(), message, done: false })}\n`;

  function flushCall(index: number): string {
    const call = calls.get(index);
    if (!call) return "";
    calls.delete(index);
    // Ollama sends each call once, complete, with object arguments and its position.
    const fn = { index: emittedCalls++, name: call.name, arguments: parseArguments(call.args) };
    return line({ role: "assistant", content: "", tool_calls: [{ function: fn }] });
  }

  return {
    write(ev) {
      if (closed) return "";
      switch (ev.type) {
        case "start":
          // Ollama has no opening line; the first object already carries content.
          if (!model) model = ev.model;
          return "";
        case "text_delta":
          return ev.text ? line({ role: "assistant", content: ev.text }) : "";
        case "reasoning_delta":
          return ev.text ? line({ role: "assistant", content: "", thinking: ev.text }) : "";
        case "tool_call_start":
          calls.set(ev.index, { name: ev.name, args: "" });
          return "";
        case "tool_call_delta": {
          const call = calls.get(ev.index);
          if (call) call.args += ev.arguments;
          return "";
        }
        case "tool_call_end":
          return flushCall(ev.index);
        case "usage":
          usage = ev.usage;
          return "";
        case "finish":
          // The done line waits for end(): usage may still follow the finish (OpenAI sends
          // its usage chunk after the finish_reason chunk) and Ollama puts both on one line.
          reason = ev.reason;
          return "";
        case "error":
          closed = true;
          return `${JSON.stringify({ error: ev.message })}\n`;
        default:
          // Signatures and redacted reasoning have no Ollama representation.
          return "";
      }
    },
    end() {
      if (closed) return "";
      closed = true;
      let out = "";
      for (const index of [...calls.keys()]) out += flushCall(index);
      out += `${JSON.stringify({
        model,
        created_at: ollamaTimestamp(),
        message: { role: "assistant", content: "" },
        done_reason: doneReasonOf(reason),
        done: true,
        ...metricsFrom(usage),
      })}\n`;
      return out;
    },
    // NDJSON has no comment syntax: clients JSON.parse every line (ollama-python raises on a
    // blank one, ollama-js warns), and a fake `done: false` object would be shown as an empty
    // message chunk. Nothing is safe to insert between lines, so there is no keep-alive.
    keepAlive: () => null,
    error(err: GatewayError) {
      if (closed) return "";
      closed = true;
      return `${JSON.stringify({ error: err.message })}\n`;
    },
  };
}
