// Anthropic Messages streaming (docs.anthropic.com/en/docs/build-with-claude/streaming):
//   message_start → (content_block_start → content_block_delta* → content_block_stop)* →
//   message_delta {stop_reason, usage} → message_stop, with `ping` anywhere and `error`
//   ending the stream early. Each SSE event has an `event:` line naming the same type as the
//   JSON's `type`.
// The reader turns upstream bytes into canonical events; the writer produces that exact
// sequence for Anthropic clients (Claude Code, the SDKs' MessageStream accumulators).
import type { GatewayError } from "../../errors.ts";
import { NO_USAGE, type TokenUsage } from "../../usage/tokens.ts";
import type { FinishReason, StreamEvent } from "../canonical.ts";
import type { ClientStreamContext, StreamReader, StreamWriter } from "../types.ts";
import { anthropicStreamErrorEvent, statusOfAnthropicErrorType } from "./errors.ts";
import { messageIdFrom } from "./ids.ts";
import { finishFromStopReason, stopReasonFromFinish } from "./response.ts";
import { createSseParser, type SseMessage } from "../sse.ts";
import { anthropicUsageFrom, usageFromAnthropic } from "./usage.ts";

const withoutNulls = (o: unknown): Record<string, unknown> =>
  o && typeof o === "object" ? Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) : {};

// ---------------------------------------------------------------------------------------
// Reader: upstream SSE bytes → canonical events. Tool index = content block index.

export function createAnthropicStreamReader(): StreamReader {
  const sse = createSseParser();
  /** Open content blocks by index; thinking blocks hold their signature until they stop. */
  const blocks = new Map<number, { kind: string; signature: string }>();
  let startUsage: Record<string, unknown> = {};
  let finished = false;

  function stopBlock(index: number): StreamEvent[] {
    const b = blocks.get(index);
    if (!b) return [];
    blocks.delete(index);
    if (b.kind === "tool_use") return [{ type: "tool_call_end", index }];
    if (b.kind === "thinking" && b.signature) return [{ type: "reasoning_signature", signature: b.signature }];
    return [];
  }

  /** Every started tool call gets its end before `finish` (canonical stream contract). */
  const stopAll = () => [...blocks.keys()].sort((a, b) => a - b).flatMap(stopBlock);

  function handle(msg: SseMessage): StreamEvent[] {
    let obj: any;
    try {
      obj = JSON.parse(msg.data);
    } catch {
      return [];
    }
    if (!obj || typeof obj !== "object") return [];
    const type = typeof obj.type === "string" ? obj.type : (msg.event ?? "");
    const index = typeof obj.index === "number" ? obj.index : 0;
    switch (type) {
      case "message_start": {
        const m = obj.message ?? {};
        startUsage = withoutNulls(m.usage);
        const ev: StreamEvent = { type: "start", id: String(m.id ?? ""), model: String(m.model ?? "") };
        if (m.usage) ev.usage = usageFromAnthropic(startUsage);
        return [ev];
      }
      case "content_block_start": {
        const cb = obj.content_block ?? {};
        const out = stopBlock(index);
        blocks.set(index, { kind: String(cb.type ?? ""), signature: typeof cb.signature === "string" ? cb.signature : "" });
        if (cb.type === "text" && cb.text) out.push({ type: "text_delta", text: String(cb.text) });
        else if (cb.type === "thinking" && cb.thinking) out.push({ type: "reasoning_delta", text: String(cb.thinking) });
        else if (cb.type === "redacted_thinking" && typeof cb.data === "string") out.push({ type: "redacted_reasoning", data: cb.data });
        else if (cb.type === "tool_use") {
          out.push({ type: "tool_call_start", index, id: String(cb.id ?? ""), name: String(cb.name ?? "") });
          // The API sends `input: {}` and streams the JSON; a proxy may put it all here.
          if (cb.input && typeof cb.input === "object" && Object.keys(cb.input).length) {
            out.push({ type: "tool_call_delta", index, arguments: JSON.stringify(cb.input) });
          }
        }
        return out;
      }
      case "content_block_delta": {
        const d = obj.delta ?? {};
        const block = blocks.get(index);
        if (d.type === "text_delta" && d.text) return [{ type: "text_delta", text: String(d.text) }];
        if (d.type === "thinking_delta" && d.thinking) return [{ type: "reasoning_delta", text: String(d.thinking) }];
        if (d.type === "signature_delta" && typeof d.signature === "string") {
          if (block) block.signature += d.signature;
          else return [{ type: "reasoning_signature", signature: d.signature }];
          return [];
        }
        // Server-tool blocks (server_tool_use) stream input too; only tool_use is a call for us.
        if (d.type === "input_json_delta" && d.partial_json && block?.kind === "tool_use") {
          return [{ type: "tool_call_delta", index, arguments: String(d.partial_json) }];
        }
        return [];
      }
      case "content_block_stop":
        return stopBlock(index);
      case "message_delta": {
        const out = stopAll();
        if (obj.usage) out.push({ type: "usage", usage: usageFromAnthropic({ ...startUsage, ...withoutNulls(obj.usage) }) });
        const reason = obj.delta?.stop_reason;
        if (reason && !finished) {
          finished = true;
          const stopSequence = typeof obj.delta.stop_sequence === "string" ? obj.delta.stop_sequence : null;
          out.push({ type: "finish", reason: finishFromStopReason(reason), stopSequence });
        }
        return out;
      }
      case "message_stop": {
        if (finished) return [];
        finished = true;
        return [...stopAll(), { type: "finish", reason: "stop" }];
      }
      case "error": {
        const e = obj.error ?? {};
        const code = typeof e.type === "string" ? e.type : "api_error";
        return [{ type: "error", message: typeof e.message === "string" ? e.message : "upstream stream error", code, status: statusOfAnthropicErrorType(code) }];
      }
    }
    // ping and event types added after this was written.
    return [];
  }

  return {
    push: (chunk) => sse.push(chunk).flatMap(handle),
    // A stream cut before message_delta gets no `finish`: the pipeline sees it incomplete.
    end: () => sse.end().flatMap(handle),
  };
}

// ---------------------------------------------------------------------------------------
// Writer: canonical events → the exact Anthropic event sequence.

const sseEvent = (type: string, payload: Record<string, unknown> = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

/** What api.anthropic.com sends as keep-alive (note the space: that is how the API writes it). */
export const ANTHROPIC_PING = 'event: ping\ndata: {"type": "ping"}\n\n';

interface ToolState {
  id: string;
  name: string;
  /** Content block index once the block is written; null while queued behind another call. */
  block: number | null;
  buffered: string;
  ended: boolean;
}

type ContentBlockState = { kind: "text" | "thinking"; index: number; signed: boolean };
type OpenBlock = ContentBlockState | { kind: "tool"; index: number; tool: number };

/**
 * Tool calls: one content_block_start per call (never split), arguments as input_json_delta.
 * Anthropic blocks cannot interleave, so when an upstream streams parallel calls interleaved
 * (OpenAI), calls after the first are buffered and written, whole or streaming, once the
 * open one ends.
 */
export function createAnthropicStreamWriter(ctx: ClientStreamContext): StreamWriter {
  let started = false;
  let done = false;
  let nextIndex = 0;
  let open: OpenBlock | null = null;
  let lastKind = "";
  const tools = new Map<number, ToolState>();
  const queue: number[] = [];
  let usage: TokenUsage = NO_USAGE;
  let finish: { reason: FinishReason; stopSequence?: string | null } | null = null;
  /**
   * Signatures that arrive while the answer's text block is open (Gemini signs the last text
   * part of a streamed answer, after the thoughts' block has closed): written as a signed,
   * empty thinking block once the text block ends, so the text stays one block and the
   * signature still makes the round trip (the Gemini writer puts it back on the part before).
   */
  const lateSignatures: string[] = [];

  function start(ev?: Extract<StreamEvent, { type: "start" }>): string {
    if (started) return "";
    started = true;
    if (ev?.usage) usage = ev.usage;
    const u = anthropicUsageFrom(usage);
    const message = {
      id: messageIdFrom(ev?.id),
      type: "message",
      role: "assistant",
      model: ctx.requestedModel || ev?.model || "",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: u,
    };
    return sseEvent("message_start", { message });
  }

  function closeOpen(): string {
    if (!open) return "";
    let out = "";
    // Anthropic always signs a thinking block before stopping it; clients expect the delta.
    if (open.kind === "thinking" && !open.signed) out += sseEvent("content_block_delta", { index: open.index, delta: { type: "signature_delta", signature: "" } });
    out += sseEvent("content_block_stop", { index: open.index });
    open = null;
    for (const signature of lateSignatures.splice(0)) {
      const index = nextIndex++;
      lastKind = "thinking";
      out += sseEvent("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
      out += sseEvent("content_block_delta", { index, delta: { type: "signature_delta", signature } });
      out += sseEvent("content_block_stop", { index });
    }
    return out;
  }

  function openBlock(kind: "text" | "thinking", contentBlock: Record<string, unknown>): string {
    const out = closeOpen();
    open = { kind, index: nextIndex++, signed: false };
    lastKind = kind;
    return out + sseEvent("content_block_start", { index: open.index, content_block: contentBlock });
  }

  /** The open block, read through a call so TypeScript does not keep a stale narrowing. */
  const current = (): OpenBlock | null => open;

  const jsonDelta = (index: number, partial: string) => sseEvent("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: partial } });

  function writeTool(i: number): string {
    const t = tools.get(i)!;
    let out = closeOpen();
    t.block = nextIndex++;
    lastKind = "tool";
    open = { kind: "tool", index: t.block, tool: i };
    out += sseEvent("content_block_start", { index: t.block, content_block: { type: "tool_use", id: t.id, name: t.name, input: {} } });
    if (t.buffered) out += jsonDelta(t.block, t.buffered);
    t.buffered = "";
    if (t.ended) out += closeOpen();
    return out;
  }

  function writeQueued(): string {
    let out = "";
    while (!open && queue.length) out += writeTool(queue.shift()!);
    return out;
  }

  /** Before any other block kind: every tool call seen so far goes out as one whole block. */
  function flushTools(): string {
    let out = open?.kind === "tool" ? closeOpen() : "";
    while (queue.length) out += writeTool(queue.shift()!) + (open?.kind === "tool" ? closeOpen() : "");
    return out;
  }

  function write(ev: StreamEvent): string {
    if (done) return "";
    if (ev.type === "start") return start(ev);
    if (ev.type === "usage") {
      usage = ev.usage;
      return "";
    }
    if (ev.type === "error") {
      done = true;
      return anthropicStreamErrorEvent({ status: ev.status ?? statusOfAnthropicErrorType(ev.code), message: ev.message });
    }
    let out = start();
    switch (ev.type) {
      case "text_delta":
        if (!ev.text) return out;
        out += flushTools();
        if (open?.kind !== "text") out += openBlock("text", { type: "text", text: "" });
        return out + sseEvent("content_block_delta", { index: current()!.index, delta: { type: "text_delta", text: ev.text } });
      case "reasoning_delta":
        if (!ev.text) return out;
        out += flushTools();
        if (open?.kind !== "thinking" || open.signed) out += openBlock("thinking", { type: "thinking", thinking: "", signature: "" });
        return out + sseEvent("content_block_delta", { index: current()!.index, delta: { type: "thinking_delta", thinking: ev.text } });
      case "reasoning_signature": {
        if (open?.kind === "text") {
          lateSignatures.push(ev.signature);
          return out;
        }
        out += flushTools();
        if (open?.kind !== "thinking" || open.signed) out += openBlock("thinking", { type: "thinking", thinking: "", signature: "" });
        const block = current() as ContentBlockState;
        block.signed = true;
        return out + sseEvent("content_block_delta", { index: block.index, delta: { type: "signature_delta", signature: ev.signature } }) + closeOpen();
      }
      case "redacted_reasoning": {
        out += flushTools() + closeOpen();
        const index = nextIndex++;
        lastKind = "redacted_thinking";
        out += sseEvent("content_block_start", { index, content_block: { type: "redacted_thinking", data: ev.data } });
        return out + sseEvent("content_block_stop", { index });
      }
      case "tool_call_start": {
        if (tools.has(ev.index)) return out;
        tools.set(ev.index, { id: ev.id, name: ev.name, block: null, buffered: "", ended: false });
        if (open?.kind === "tool") {
          queue.push(ev.index);
          return out;
        }
        return out + writeTool(ev.index);
      }
      case "tool_call_delta": {
        const t = tools.get(ev.index);
        if (!t || !ev.arguments) return out;
        if (open?.kind === "tool" && open.tool === ev.index) return out + jsonDelta(open.index, ev.arguments);
        // Queued behind another call. (A call already closed by other content cannot grow.)
        if (t.block === null) t.buffered += ev.arguments;
        return out;
      }
      case "tool_call_end": {
        const t = tools.get(ev.index);
        if (!t) return out;
        t.ended = true;
        if (open?.kind === "tool" && open.tool === ev.index) out += closeOpen() + writeQueued();
        return out;
      }
      case "finish":
        finish = { reason: ev.reason, stopSequence: ev.stopSequence };
        return out + flushTools() + closeOpen();
    }
    return out;
  }

  function end(): string {
    if (done) return "";
    done = true;
    let out = start() + flushTools() + closeOpen();
    let reason = stopReasonFromFinish(finish?.reason ?? "stop", finish?.stopSequence);
    // Some OpenAI-compatible upstreams finish "stop" after tool calls; Anthropic clients run tools on tool_use.
    if (reason === "end_turn" && lastKind === "tool") reason = "tool_use";
    const u = anthropicUsageFrom(usage);
    // input_* only when known: the SDKs overwrite message_start's numbers with any given here.
    const deltaUsage = usage.promptTokens === null ? { output_tokens: u.output_tokens } : u;
    out += sseEvent("message_delta", {
      delta: { stop_reason: reason, stop_sequence: reason === "stop_sequence" ? (finish?.stopSequence ?? null) : null },
      usage: deltaUsage,
    });
    return out + sseEvent("message_stop");
  }

  return {
    write,
    end,
    keepAlive: () => ANTHROPIC_PING,
    error(err: GatewayError) {
      if (done) return "";
      done = true;
      return anthropicStreamErrorEvent(err);
    },
  };
}
