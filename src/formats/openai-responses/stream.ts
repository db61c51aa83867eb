// Canonical stream events → the Responses API's SSE events, as api.openai.com sends them
// (recorded transcripts in test/fixtures/openai-responses): every frame is
// `event: <type>\ndata: <json with the same type and a sequence_number>\n\n`, numbered from 0,
// and there is no `data: [DONE]`.
//   response.created, response.in_progress           (status in_progress, output [], usage null)
//   per message:   output_item.added → content_part.added → output_text.delta* → output_text.done
//                  → content_part.done → output_item.done
//   per reasoning: output_item.added → reasoning_summary_part.added → reasoning_summary_text.delta*
//                  → reasoning_summary_text.done → reasoning_summary_part.done → output_item.done
//   per call:      output_item.added (arguments "") → function_call_arguments.delta* → .done → output_item.done
//   response.completed | response.incomplete (cut off) | error + response.failed
// Codex rebuilds its history from output_item.done items and needs the terminal event to
// consider the turn finished; the openai SDKs rebuild the Response from all of them.
import { GatewayError } from "../../errors.ts";
import { NO_USAGE, type TokenUsage } from "../../usage/tokens.ts";
import type { FinishReason, StreamEvent } from "../canonical.ts";
import type { StreamWriter } from "../types.ts";
import {
  customToolNames,
  nowSeconds,
  responseEnvelope,
  responsesEcho,
  responsesUsage,
  terminalStatus,
  type ResponsesClientContext,
  type ResponseStatus,
} from "./envelope.ts";
import { errorEventFields, responseFailureError } from "./errors.ts";
import { newCustomToolCallItemId, newFunctionCallItemId, newMessageItemId, newReasoningItemId, newResponseId, responseId } from "./ids.ts";
import {
  customToolCallItem,
  customToolInput,
  functionCallItem,
  messageItem,
  outputTextPart,
  reasoningItem,
  summaryTextPart,
  type ItemStatus,
  type OutputItem,
} from "./items.ts";

export { createResponsesStreamReader } from "./stream-reader.ts";

interface OpenBlock {
  kind: "message" | "reasoning";
  outputIndex: number;
  id: string;
  text: string;
  signature?: string;
}

interface OpenCall {
  outputIndex: number;
  id: string;
  callId: string;
  name: string;
  args: string;
  custom: boolean;
}

export function createResponsesStreamWriter(ctx: ResponsesClientContext): StreamWriter {
  const echo = responsesEcho(ctx.clientRequest);
  const customTools = customToolNames(ctx.clientRequest);
  let model = ctx.requestedModel;
  let seq = 0;
  let id = "";
  let createdAt = 0;
  let started = false;
  let terminated = false;
  let failed = false;
  let usage: TokenUsage = NO_USAGE;
  let finish: FinishReason | null = null;
  const output: OutputItem[] = [];
  let open: OpenBlock | null = null;
  const calls = new Map<number, OpenCall>();

  /** One SSE frame; top-level keys after `type` in alphabetical order, as the API sends them. */
  const frame = (type: string, fields: Record<string, unknown>): string => {
    const all: Record<string, unknown> = { ...fields, sequence_number: seq++ };
    const data: Record<string, unknown> = { type };
    for (const k of Object.keys(all).sort()) data[k] = all[k];
    return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  };

  const envelope = (status: ResponseStatus, extra: { error?: { code: string; message: string }; incomplete?: { reason: string } | null } = {}) =>
    responseEnvelope({
      id,
      createdAt,
      status,
      model,
      output: status === "in_progress" ? [] : output,
      usage: status === "in_progress" ? null : responsesUsage(usage),
      echo,
      error: extra.error ?? null,
      incompleteDetails: extra.incomplete ?? null,
      completedAt: status === "completed" ? nowSeconds() : null,
    });

  function begin(upstreamId?: string): string {
    if (started) return "";
    started = true;
    id = upstreamId ? responseId(upstreamId) : newResponseId();
    createdAt = nowSeconds();
    const response = envelope("in_progress");
    return frame("response.created", { response }) + frame("response.in_progress", { response });
  }

  function closeBlock(status: ItemStatus): string {
    const b = open;
    if (!b) return "";
    open = null;
    const at = { item_id: b.id, output_index: b.outputIndex };
    if (b.kind === "message") {
      const item = messageItem(b.id, status, b.text);
      output[b.outputIndex] = item;
      return (
        frame("response.output_text.done", { ...at, content_index: 0, logprobs: [], text: b.text }) +
        frame("response.content_part.done", { ...at, content_index: 0, part: outputTextPart(b.text) }) +
        frame("response.output_item.done", { item, output_index: b.outputIndex })
      );
    }
    const item = reasoningItem(b.id, b.text, b.signature);
    output[b.outputIndex] = item;
    return (
      frame("response.reasoning_summary_text.done", { ...at, summary_index: 0, text: b.text }) +
      frame("response.reasoning_summary_part.done", { ...at, part: summaryTextPart(b.text), summary_index: 0 }) +
      frame("response.output_item.done", { item, output_index: b.outputIndex })
    );
  }

  function openBlock(kind: OpenBlock["kind"]): string {
    let out = closeBlock("completed");
    const outputIndex = output.length;
    if (kind === "message") {
      const item = messageItem(newMessageItemId(), "in_progress", null);
      output.push(item);
      open = { kind, outputIndex, id: item.id, text: "" };
      out += frame("response.output_item.added", { item, output_index: outputIndex });
      out += frame("response.content_part.added", { content_index: 0, item_id: item.id, output_index: outputIndex, part: outputTextPart("") });
    } else {
      const item = reasoningItem(newReasoningItemId(), null);
      output.push(item);
      open = { kind, outputIndex, id: item.id, text: "" };
      out += frame("response.output_item.added", { item, output_index: outputIndex });
      out += frame("response.reasoning_summary_part.added", { item_id: item.id, output_index: outputIndex, part: summaryTextPart(""), summary_index: 0 });
    }
    return out;
  }

  function closeCall(index: number, status: ItemStatus): string {
    const c = calls.get(index);
    if (!c) return "";
    calls.delete(index);
    const at = { item_id: c.id, output_index: c.outputIndex };
    if (c.custom) {
      const input = customToolInput(c.args);
      const item = customToolCallItem(c.id, status, c.callId, c.name, input);
      output[c.outputIndex] = item;
      // The free-form input is only known once the JSON arguments are complete: one delta.
      return (
        (input ? frame("response.custom_tool_call_input.delta", { ...at, delta: input }) : "") +
        frame("response.custom_tool_call_input.done", { ...at, input }) +
        frame("response.output_item.done", { item, output_index: c.outputIndex })
      );
    }
    const item = functionCallItem(c.id, status, c.callId, c.name, c.args);
    output[c.outputIndex] = item;
    return (
      frame("response.function_call_arguments.done", { ...at, arguments: c.args, name: c.name }) +
      frame("response.output_item.done", { item, output_index: c.outputIndex })
    );
  }

  /** Open items left as they are in the failed Response (no more events for them). */
  function abandonOpenItems() {
    if (open) {
      output[open.outputIndex] = open.kind === "message" ? messageItem(open.id, "incomplete", open.text) : reasoningItem(open.id, open.text, open.signature);
      open = null;
    }
    for (const c of calls.values()) {
      output[c.outputIndex] = c.custom
        ? customToolCallItem(c.id, "incomplete", c.callId, c.name, customToolInput(c.args))
        : functionCallItem(c.id, "incomplete", c.callId, c.name, c.args);
    }
    calls.clear();
  }

  function fail(err: GatewayError): string {
    let out = begin();
    abandonOpenItems();
    out += frame("error", errorEventFields(err));
    out += frame("response.failed", { response: envelope("failed", { error: responseFailureError(err) }) });
    terminated = true;
    failed = true;
    return out;
  }

  function write(ev: StreamEvent): string {
    if (terminated) return "";
    switch (ev.type) {
      case "start":
        if (ev.usage) usage = ev.usage;
        if (!model) model = ev.model;
        return begin(ev.id);
      case "text_delta": {
        let out = begin();
        if (!ev.text) return out;
        if (open?.kind !== "message") out += openBlock("message");
        const b = open!;
        b.text += ev.text;
        return out + frame("response.output_text.delta", { content_index: 0, delta: ev.text, item_id: b.id, logprobs: [], output_index: b.outputIndex });
      }
      case "reasoning_delta": {
        let out = begin();
        if (!ev.text) return out;
        if (open?.kind !== "reasoning") out += openBlock("reasoning");
        const b = open!;
        b.text += ev.text;
        return out + frame("response.reasoning_summary_text.delta", { delta: ev.text, item_id: b.id, output_index: b.outputIndex, summary_index: 0 });
      }
      case "reasoning_signature": {
        if (open?.kind === "reasoning") {
          open.signature = ev.signature;
          return "";
        }
        // The reasoning it signs was already closed: amend that item for the final Response.
        for (let i = output.length - 1; i >= 0; i--) {
          const item = output[i]!;
          if (item.type === "reasoning") {
            output[i] = reasoningItem(item.id, item.summary[0]?.text ?? null, ev.signature);
            break;
          }
        }
        return "";
      }
      case "redacted_reasoning": {
        let out = begin() + closeBlock("completed");
        const item = reasoningItem(newReasoningItemId(), null, ev.data);
        const outputIndex = output.length;
        output.push(item);
        out += frame("response.output_item.added", { item, output_index: outputIndex });
        return out + frame("response.output_item.done", { item, output_index: outputIndex });
      }
      case "tool_call_start": {
        let out = begin() + closeBlock("completed");
        if (calls.has(ev.index)) return out;
        const custom = customTools.has(ev.name);
        const c: OpenCall = {
          outputIndex: output.length,
          id: custom ? newCustomToolCallItemId() : newFunctionCallItemId(),
          callId: ev.id,
          name: ev.name,
          args: "",
          custom,
        };
        calls.set(ev.index, c);
        const item = custom ? customToolCallItem(c.id, "in_progress", c.callId, c.name, "") : functionCallItem(c.id, "in_progress", c.callId, c.name, "");
        output.push(item);
        return out + frame("response.output_item.added", { item, output_index: c.outputIndex });
      }
      case "tool_call_delta": {
        const c = calls.get(ev.index);
        if (!c || !ev.arguments) return "";
        c.args += ev.arguments;
        if (c.custom) return "";
        return frame("response.function_call_arguments.delta", { delta: ev.arguments, item_id: c.id, output_index: c.outputIndex });
      }
      case "tool_call_end":
        return closeCall(ev.index, "completed");
      case "usage":
        usage = ev.usage;
        return "";
      case "finish":
        // The terminal event waits for end(): usage may still follow the finish.
        finish = ev.reason;
        return "";
      case "error":
        return fail(new GatewayError(ev.status ?? 502, "upstream_error", ev.message));
    }
  }

  function end(): string {
    if (terminated) return "";
    // Readers send no `finish` when the upstream stream stopped short (no finish_reason or
    // [DONE], no message_stop, no done line): the answer was cut. api.openai.com always ends
    // with a terminal event, and Codex retries a turn that fails but keeps one that completed,
    // so a cut answer must not be reported as response.completed.
    if (finish === null) return fail(new GatewayError(502, "upstream_bad_response", "The upstream stream ended before the response was finished."));
    let out = begin();
    const { status, incomplete } = terminalStatus(finish);
    if (status === "failed") return out + fail(new GatewayError(502, "upstream_error", "The upstream ended the response with an error."));
    // What is still open when the answer was cut off is what was cut off.
    const itemStatus: ItemStatus = status === "incomplete" ? "incomplete" : "completed";
    out += closeBlock(itemStatus);
    for (const index of [...calls.keys()]) out += closeCall(index, itemStatus);
    terminated = true;
    const type = status === "completed" ? "response.completed" : "response.incomplete";
    return out + frame(type, { response: envelope(status, { incomplete }) });
  }

  return {
    write,
    end,
    // api.openai.com keeps quiet streams alive with numbered `keepalive` events; Codex's idle
    // timer counts events, so an SSE comment would not reset it.
    keepAlive: () => (terminated ? null : frame("keepalive", {})),
    error(err: GatewayError): string {
      // After a completed/incomplete terminal event only the error itself can still reach
      // the client (the SDKs raise it); after response.failed there is nothing to add.
      if (terminated) return failed ? "" : frame("error", errorEventFields(err));
      return fail(err);
    },
  };
}
