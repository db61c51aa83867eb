// Gemini stream bytes → canonical events. :streamGenerateContent answers in one of two
// framings, told apart by the first non-blank byte:
// - with ?alt=sse: `data: {GenerateContentResponse}\r\n\r\n` events;
// - without: one JSON array written element by element (`[{…}\r\n,\r\n{…}\r\n]`).
// Each element is a whole GenerateContentResponse; every one repeats usageMetadata with
// running counts, and the last carries finishReason. Function calls arrive whole in one
// part. Bytes may be split anywhere (inside a UTF-8 character, a line ending, a string).
import type { StreamEvent } from "../canonical.ts";
import type { StreamReader } from "../types.ts";
import { field, finishFromGemini, isObj, newResponseId, newToolCallId, num, str, usageFromGemini } from "./wire.ts";

export function createGeminiStreamReader(): StreamReader {
  const decoder = new TextDecoder();
  let mode: "unknown" | "sse" | "json" = "unknown";
  let buf = "";
  let pos = 0; // where scanning resumes in buf
  // SSE
  let lineStart = 0;
  let data: string[] = [];
  // JSON array
  let depth = 0;
  let inString = false;
  let escaped = false;
  let objStart = -1;
  // events
  let started = false;
  let finished = false;
  let toolIndex = 0;
  let lastUsage = "";
  let parsedAny = false;

  function handle(obj: unknown): StreamEvent[] {
    const ev: StreamEvent[] = [];
    if (!isObj(obj)) return ev;
    parsedAny = true;
    const err = field(obj, "error");
    if (isObj(err)) {
      const status = num(err.code);
      ev.push({ type: "error", message: str(err.message) ?? "upstream error", ...(status ? { status } : {}), ...(str(err.status) ? { code: err.status } : {}) });
      return ev;
    }
    if (!started) {
      started = true;
      ev.push({ type: "start", id: str(field(obj, "responseId")) || newResponseId(), model: str(field(obj, "modelVersion")) ?? "" });
    }
    const candidates = field(obj, "candidates");
    const cand = Array.isArray(candidates) && isObj(candidates[0]) ? candidates[0] : undefined;
    const parts = field(field(cand, "content"), "parts");
    for (const part of Array.isArray(parts) ? parts : []) {
      if (!isObj(part)) continue;
      const signature = str(field(part, "thoughtSignature")) || undefined;
      const fc = field(part, "functionCall");
      if (isObj(fc)) {
        const index = toolIndex++;
        ev.push({ type: "tool_call_start", index, id: str(fc.id) || newToolCallId(), name: str(fc.name) ?? "" });
        const args = fc.args ?? {};
        ev.push({ type: "tool_call_delta", index, arguments: typeof args === "string" ? args : JSON.stringify(args) });
        ev.push({ type: "tool_call_end", index, ...(signature ? { signature } : {}) });
        continue;
      }
      const text = str(part.text);
      if (part.thought === true) {
        if (text) ev.push({ type: "reasoning_delta", text });
        if (signature) ev.push({ type: "reasoning_signature", signature });
        continue;
      }
      // A signature on an answer part signs the reasoning before it (see parts.ts).
      if (signature) ev.push({ type: "reasoning_signature", signature });
      if (text) ev.push({ type: "text_delta", text });
      // inlineData (image output), executableCode… have no stream event: dropped.
    }
    const usage = field(obj, "usageMetadata");
    if (isObj(usage)) {
      const key = JSON.stringify(usage);
      if (key !== lastUsage) {
        lastUsage = key;
        ev.push({ type: "usage", usage: usageFromGemini(usage) });
      }
    }
    if (!finished) {
      const blocked = !cand && field(field(obj, "promptFeedback"), "blockReason");
      const reason = finishFromGemini(field(cand, "finishReason"), toolIndex > 0) ?? (blocked ? "content_filter" : null);
      if (reason) {
        finished = true;
        ev.push({ type: "finish", reason });
      }
    }
    return ev;
  }

  function parse(text: string): StreamEvent[] {
    try {
      return handle(JSON.parse(text));
    } catch {
      return []; // `[DONE]` from a compatible server, or a torn line: nothing to report
    }
  }

  function dispatch(): StreamEvent[] {
    if (data.length === 0) return [];
    const text = data.join("\n");
    data = [];
    return parse(text);
  }

  function line(l: string): StreamEvent[] {
    if (l === "") return dispatch();
    if (l.charCodeAt(0) === 58 /* : */) return []; // comment
    const colon = l.indexOf(":");
    const name = colon < 0 ? l : l.slice(0, colon);
    if (name !== "data") return [];
    let value = colon < 0 ? "" : l.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    data.push(value);
    return [];
  }

  function pumpSse(final: boolean): StreamEvent[] {
    const out: StreamEvent[] = [];
    let i = pos;
    while (i < buf.length) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) {
        i++;
        continue;
      }
      // A CR at the end of the buffer may be the first half of a CRLF.
      if (c === 13 && i + 1 >= buf.length && !final) break;
      const l = buf.slice(lineStart, i);
      i += c === 13 && buf.charCodeAt(i + 1) === 10 ? 2 : 1;
      lineStart = i;
      out.push(...line(l));
    }
    if (final) {
      if (lineStart < buf.length) out.push(...line(buf.slice(lineStart)));
      out.push(...dispatch());
      buf = "";
      pos = lineStart = 0;
      return out;
    }
    buf = buf.slice(lineStart);
    pos = i - lineStart;
    lineStart = 0;
    return out;
  }

  function pumpJson(): StreamEvent[] {
    const out: StreamEvent[] = [];
    let i = pos;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (depth === 0) {
        // Between elements: `[`, `,`, `]` and whitespace.
        if (c === 123 /* { */) {
          depth = 1;
          objStart = i;
        }
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92 /* \ */) escaped = true;
        else if (c === 34 /* " */) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        depth--;
        if (depth === 0) {
          out.push(...parse(buf.slice(objStart, i + 1)));
          objStart = -1;
        }
      }
    }
    const keepFrom = depth > 0 ? objStart : i;
    buf = buf.slice(keepFrom);
    pos = i - keepFrom;
    if (objStart >= 0) objStart = 0;
    return out;
  }

  function pump(final: boolean): StreamEvent[] {
    if (mode === "unknown") {
      const first = /[^\s\uFEFF]/.exec(buf);
      if (!first) {
        if (final) buf = "";
        return [];
      }
      mode = first[0] === "[" || first[0] === "{" ? "json" : "sse";
    }
    return mode === "sse" ? pumpSse(final) : pumpJson();
  }

  return {
    push(chunk) {
      buf += decoder.decode(chunk, { stream: true });
      return pump(false);
    },
    end() {
      buf += decoder.decode();
      const sawBytes = mode !== "unknown" || /[^\s\uFEFF]/.test(buf);
      const out = pump(true);
      // Bytes that never made one GenerateContentResponse (an HTML error page with status
      // 200, a torn JSON array): say so rather than end as an empty success.
      if (sawBytes && !parsedAny) out.push({ type: "error", message: "the upstream stream contained no Gemini response", status: 502 });
      else if (mode === "json" && depth > 0 && !finished) out.push({ type: "error", message: "the upstream stream ended inside a response", status: 502 });
      buf = "";
      return out;
    },
  };
}
