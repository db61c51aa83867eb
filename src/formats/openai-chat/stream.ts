// Chat Completions streams ↔ canonical stream events.
// Reader: upstream SSE (`data: {chat.completion.chunk}` … `data: [DONE]`) → events. Liberal:
// DeepSeek `reasoning_content` and OpenRouter `reasoning` deltas, tool calls without `index`
// (some compatible servers) or with every call at index 0, usage in the finish chunk (DeepSeek)
// or in `x_groq`, `data: {"error":…}` mid-stream, missing blank lines.
// Writer: events → exactly what api.openai.com sends to a client.
import type { GatewayError } from "../../errors.ts";
import { NO_USAGE, usageFromOpenAi, type TokenUsage } from "../../usage/tokens.ts";
import type { FinishReason, StreamEvent } from "../canonical.ts";
import type { ClientStreamContext, StreamReader, StreamWriter } from "../types.ts";
import { openAiErrorType, openAiStreamErrorChunk } from "./errors.ts";
import { completionId, newCompletionId, newToolCallId } from "./ids.ts";
import { finishFromOpenAi, finishToOpenAi, openAiUsage, reasoningOf } from "./response.ts";
import { createSseParser } from "../sse.ts";

type Json = Record<string, any>;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

function looksComplete(data: string): boolean {
  if (data === "[DONE]") return true;
  try {
    JSON.parse(data);
    return true;
  } catch {
    return false;
  }
}

export function createOpenAiChatStreamReader(): StreamReader {
  const sse = createSseParser(looksComplete);
  let started = false;
  let finished = false;
  let failed = false;
  let sawDone = false;
  let lastUsage = "";
  // Canonical index per started call; upstream index/id → canonical index.
  const calls = new Map<number, { id: string; ended: boolean }>();
  const byUpstreamIndex = new Map<number, number>();
  const byId = new Map<string, number>();
  let lastCall: number | null = null;

  function closeCalls(out: StreamEvent[]) {
    for (const [index, call] of [...calls].sort((a, b) => a[0] - b[0])) {
      if (!call.ended) {
        call.ended = true;
        out.push({ type: "tool_call_end", index });
      }
    }
  }

  function finish(reason: FinishReason, out: StreamEvent[]) {
    if (finished) return;
    closeCalls(out);
    finished = true;
    out.push({ type: "finish", reason });
  }

  function toolCallDelta(tc: Json, out: StreamEvent[]) {
    const fn = isObj(tc.function) ? tc.function : {};
    const id = typeof tc.id === "string" && tc.id ? tc.id : null;
    const upIndex = typeof tc.index === "number" ? tc.index : null;
    let index: number | null = null;
    if (id !== null && byId.has(id)) index = byId.get(id)!;
    else if (upIndex !== null && byUpstreamIndex.has(upIndex)) {
      const known = byUpstreamIndex.get(upIndex)!;
      // Same index, different id: a server that puts every call at index 0.
      if (id === null || calls.get(known)!.id === id) index = known;
    } else if (upIndex === null && id === null) index = lastCall;

    if (index === null) {
      index = upIndex !== null && !calls.has(upIndex) ? upIndex : Math.max(-1, ...calls.keys()) + 1;
      const callId = id ?? newToolCallId();
      calls.set(index, { id: callId, ended: false });
      if (upIndex !== null) byUpstreamIndex.set(upIndex, index);
      byId.set(callId, index);
      out.push({ type: "tool_call_start", index, id: callId, name: typeof fn.name === "string" ? fn.name : "" });
    }
    lastCall = index;
    const args = typeof fn.arguments === "string" ? fn.arguments : isObj(fn.arguments) ? JSON.stringify(fn.arguments) : "";
    if (args && !calls.get(index)!.ended) out.push({ type: "tool_call_delta", index, arguments: args });
  }

  function usage(u: unknown, out: StreamEvent[]) {
    if (!isObj(u)) return;
    const key = JSON.stringify(u);
    if (key === lastUsage) return;
    lastUsage = key;
    out.push({ type: "usage", usage: usageFromOpenAi(u) });
  }

  function chunk(json: Json, out: StreamEvent[]) {
    if (json.error) {
      const e = json.error;
      const ev: StreamEvent = { type: "error", message: typeof e === "string" ? e : typeof e?.message === "string" ? e.message : JSON.stringify(e) };
      if (typeof e?.code === "number") ev.status = e.code;
      else if (typeof e?.status === "number") ev.status = e.status;
      const code = typeof e?.code === "string" ? e.code : typeof e?.type === "string" ? e.type : undefined;
      if (code) ev.code = code;
      failed = true;
      out.push(ev);
      return;
    }
    if (!started) {
      started = true;
      out.push({ type: "start", id: typeof json.id === "string" ? json.id : newCompletionId(), model: typeof json.model === "string" ? json.model : "" });
    }
    const choices: Json[] = Array.isArray(json.choices) ? json.choices : [];
    // The gateway serves one choice (n > 1 is refused): choice 0 only.
    const choice = choices.find((c) => isObj(c) && (c.index ?? 0) === 0);
    if (choice && !finished) {
      const delta: Json = isObj(choice.delta) ? choice.delta : isObj(choice.message) ? choice.message : {};
      const reasoning = reasoningOf(delta);
      if (reasoning) out.push({ type: "reasoning_delta", text: reasoning });
      if (typeof delta.content === "string" && delta.content) out.push({ type: "text_delta", text: delta.content });
      if (typeof delta.refusal === "string" && delta.refusal) out.push({ type: "text_delta", text: delta.refusal });
      if (Array.isArray(delta.tool_calls)) {
        for (const tc of delta.tool_calls) if (isObj(tc)) toolCallDelta(tc, out);
      } else if (isObj(delta.function_call)) {
        // Legacy streamed function_call: one call, name in the first delta, no id.
        toolCallDelta({ index: 0, function: delta.function_call }, out);
      }
      if (typeof choice.finish_reason === "string" && choice.finish_reason) finish(finishFromOpenAi(choice.finish_reason, calls.size > 0), out);
    }
    usage(json.usage, out);
    if (isObj(json.x_groq)) usage(json.x_groq.usage, out);
  }

  function handle(events: { data: string; event: string | null }[]): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const ev of events) {
      const data = ev.data.trim();
      if (!data) continue;
      if (data === "[DONE]") {
        sawDone = true;
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        // Not JSON: an `event: error` with a text body is an error; other noise is skipped.
        if (ev.event === "error") {
          failed = true;
          out.push({ type: "error", message: data });
        }
        continue;
      }
      if (isObj(json)) chunk(ev.event === "error" && !json.error ? { error: json } : json, out);
    }
    return out;
  }

  return {
    push: (bytes) => handle(sse.push(bytes)),
    end() {
      const out = handle(sse.end());
      // A stream that said [DONE] without a finish_reason still ended normally; one that just
      // stopped did not, and is left without a finish for the caller to treat as truncated.
      if (started && sawDone && !finished && !failed) finish(calls.size > 0 ? "tool_calls" : "stop", out);
      return out;
    },
  };
}

/** Canonical events → the client's SSE bytes, shaped like api.openai.com's chunks. */
export function createOpenAiChatStreamWriter(ctx: ClientStreamContext): StreamWriter {
  let id = "";
  const created = Math.floor(Date.now() / 1000);
  let started = false;
  let finished = false;
  let closed = false;
  let usage: TokenUsage | null = null;
  // Canonical tool-call index (e.g. an Anthropic content-block index) → OpenAI's 0,1,2…
  const toolIndex = new Map<number, number>();

  const base = () => ({ id, object: "chat.completion.chunk", created, model: ctx.requestedModel });
  // With include_usage, api.openai.com sends "usage": null on every chunk but the last.
  const line = (delta: Json, finishReason: string | null = null) =>
    `data: ${JSON.stringify({ ...base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(ctx.includeUsage ? { usage: null } : {}) })}\n\n`;

  function start(upstreamId?: string): string {
    if (started) return "";
    started = true;
    id = completionId(upstreamId);
    return line({ role: "assistant", content: "", refusal: null });
  }

  function finishLine(reason: FinishReason): string {
    finished = true;
    return line({}, finishToOpenAi(reason, toolIndex.size > 0));
  }

  return {
    write(ev) {
      if (closed) return "";
      if (ev.type === "start") {
        if (ev.usage) usage = ev.usage;
        return start(ev.id);
      }
      if (ev.type === "usage") {
        usage = ev.usage;
        return "";
      }
      if (ev.type === "error") {
        closed = true;
        return `data: ${JSON.stringify({ error: { message: ev.message, type: openAiErrorType(ev.status ?? 502), param: null, code: ev.code ?? null } })}\n\n`;
      }
      if (finished) return "";
      let out = start();
      switch (ev.type) {
        case "text_delta":
          if (ev.text) out += line({ content: ev.text });
          break;
        case "reasoning_delta":
          // DeepSeek's field name, which most OpenAI-compatible clients understand.
          if (ev.text) out += line({ reasoning_content: ev.text });
          break;
        case "tool_call_start": {
          if (toolIndex.has(ev.index)) break;
          const index = toolIndex.size;
          toolIndex.set(ev.index, index);
          out += line({ tool_calls: [{ index, id: ev.id, type: "function", function: { name: ev.name, arguments: "" } }] });
          break;
        }
        case "tool_call_delta": {
          const index = toolIndex.get(ev.index);
          if (index !== undefined && ev.arguments) out += line({ tool_calls: [{ index, function: { arguments: ev.arguments } }] });
          break;
        }
        case "finish":
          out += finishLine(ev.reason);
          break;
        // reasoning_signature, redacted_reasoning, tool_call_end: no Chat Completions equivalent.
      }
      return out;
    },
    end() {
      if (closed) return "";
      closed = true;
      let out = start();
      if (!finished) out += finishLine("stop");
      // Usage goes to the client only if it asked (stream_options.include_usage) and the
      // upstream reported some: zeros would be recorded as real by the client's accounting.
      if (ctx.includeUsage && usage && usage !== NO_USAGE) out += `data: ${JSON.stringify({ ...base(), choices: [], usage: openAiUsage(usage) })}\n\n`;
      return out + "data: [DONE]\n\n";
    },
    keepAlive: () => ": keep-alive\n\n",
    error(err: GatewayError) {
      if (closed) return "";
      closed = true;
      return openAiStreamErrorChunk(err);
    },
  };
}
