// Canonical events → a Gemini client's stream, framed as Google frames it:
// - alt=sse: `data: <compact JSON>\r\n\r\n` per GenerateContentResponse;
// - otherwise one JSON array streamed: `[{…}` then `\r\n,\r\n{…}` … then `\r\n]`, elements
//   pretty-printed with two spaces as generativelanguage.googleapis.com does.
// Each text or thought delta is one chunk; a tool call is one functionCall part, sent whole
// at tool_call_end. The finish reason and the final usage go in a last chunk written at end()
// (usage may follow finish in the canonical stream). Every chunk repeats the latest usage,
// as Google's chunks do.
import { GatewayError } from "../../errors.ts";
import { parseArguments, type FinishReason, type StreamEvent } from "../canonical.ts";
import type { ClientStreamContext, StreamWriter } from "../types.ts";
import type { TokenUsage } from "../../usage/tokens.ts";
import { geminiErrorBody } from "./errors.ts";
import { finishToGemini, newResponseId, usageToGemini, type Json } from "./wire.ts";

export function createGeminiStreamWriter(ctx: ClientStreamContext): StreamWriter {
  const sse = ctx.sse === true;
  let id: string | undefined;
  let model = ctx.requestedModel;
  let usage: TokenUsage | null = null;
  let finish: FinishReason | null = null;
  /** A reasoning signature waiting for the next part (Gemini signs the part after thoughts). */
  let heldSignature: string | undefined;
  const calls = new Map<number, { id: string; name: string; args: string }>();
  let chunks = 0;
  let ended = false;
  let errored = false;

  function frame(obj: Json): string {
    if (sse) return `data: ${JSON.stringify(obj)}\r\n\r\n`;
    const sep = chunks === 0 ? "[" : "\r\n,\r\n";
    chunks++;
    return sep + JSON.stringify(obj, null, 2);
  }

  function chunk(parts: Json[], finishReason?: string): string {
    const candidate: Json = { content: { parts, role: "model" } };
    if (finishReason) candidate.finishReason = finishReason;
    candidate.index = 0;
    const out: Json = { candidates: [candidate] };
    const u = usage && usageToGemini(usage);
    if (u) out.usageMetadata = u;
    out.modelVersion = model;
    out.responseId = (id ??= newResponseId());
    return frame(out);
  }

  function callPart(c: { id: string; name: string; args: string }, signature?: string): Json {
    const part: Json = { functionCall: { id: c.id, name: c.name, args: parseArguments(c.args) } };
    if (signature) part.thoughtSignature = signature;
    return part;
  }

  /**
   * The held reasoning signature before function calls, as a signature-only thought part. On
   * the functionCall part it would read back as the call's own signature (Gemini 3 signs
   * calls) and the reasoning it signs — an Anthropic thinking block — would lose it.
   */
  function heldBeforeCalls(): Json[] {
    const sig = heldSignature;
    heldSignature = undefined;
    return sig ? [{ text: "", thought: true, thoughtSignature: sig }] : [];
  }

  const writer: StreamWriter = {
    write(ev: StreamEvent): string {
      if (ended || errored) return "";
      switch (ev.type) {
        case "start":
          id ??= ev.id || undefined;
          if (!model) model = ev.model;
          if (ev.usage) usage = ev.usage;
          return "";
        case "text_delta": {
          if (!ev.text) return "";
          const part: Json = { text: ev.text };
          if (heldSignature) part.thoughtSignature = heldSignature;
          heldSignature = undefined;
          return chunk([part]);
        }
        case "reasoning_delta":
          return ev.text ? chunk([{ text: ev.text, thought: true }]) : "";
        case "reasoning_signature": {
          // Two signatures in a row: the first one goes out on its own, as Google sends a
          // signature-only part.
          const out = heldSignature ? chunk([{ text: "", thoughtSignature: heldSignature }]) : "";
          heldSignature = ev.signature;
          return out;
        }
        case "redacted_reasoning":
          return ""; // Anthropic-only encrypted reasoning: nothing a Gemini client can use.
        case "tool_call_start":
          calls.set(ev.index, { id: ev.id, name: ev.name, args: "" });
          return "";
        case "tool_call_delta": {
          const c = calls.get(ev.index);
          if (c) c.args += ev.arguments;
          return "";
        }
        case "tool_call_end": {
          const c = calls.get(ev.index);
          if (!c) return "";
          calls.delete(ev.index);
          return chunk([...heldBeforeCalls(), callPart(c, ev.signature)]);
        }
        case "usage":
          usage = ev.usage;
          return "";
        case "finish":
          finish ??= ev.reason;
          return "";
        case "error":
          return writer.error(new GatewayError(ev.status ?? 502, "upstream_error", ev.message));
      }
    },

    end(): string {
      if (ended || errored) return "";
      ended = true;
      let out = "";
      // Calls a reader left open are sent as they are rather than lost.
      const parts: Json[] = calls.size ? [...heldBeforeCalls(), ...[...calls.values()].map((c) => callPart(c))] : [];
      calls.clear();
      if (heldSignature) parts.push({ text: "", thoughtSignature: heldSignature });
      heldSignature = undefined;
      // No finish means the upstream stopped short: no finishReason is claimed for it.
      if (finish) out += chunk(parts.length ? parts : [{ text: "" }], finishToGemini(finish));
      else if (parts.length || usage) out += chunk(parts.length ? parts : [{ text: "" }]);
      if (!sse) out += chunks === 0 ? "[]" : "\r\n]";
      return out;
    },

    /**
     * SSE: a blank line. Google's SDKs differ on comments: @google/genai skips `: …` events,
     * but python-genai feeds any non-`data:` line to json.loads and fails ("Failed to parse
     * response as JSON. Raw response: : keep-alive"); every parser skips empty lines.
     * JSON array: none (whitespace between elements is valid JSON, but hand-written array
     * splitters are common and would break).
     */
    keepAlive(): string | null {
      return sse ? "\r\n" : null;
    },

    error(err: GatewayError): string {
      if (errored) return "";
      errored = true;
      const body = geminiErrorBody(err);
      // An SSE error event is still readable after the final chunk; a closed array is not.
      if (sse) return `data: ${JSON.stringify(body)}\r\n\r\n`;
      if (ended) return "";
      ended = true;
      return `${frame(body)}\r\n]`;
    },
  };
  return writer;
}
