// Gemini `parts` ↔ canonical content parts, shared by requests (contents) and responses
// (candidates[0].content). Thought signatures are the delicate bit:
// - on a functionCall part the signature belongs to that call → tool_call.signature (Gemini 3
//   rejects the next request with 400 if it is missing);
// - on a thought part it belongs to that thought → thinking.signature;
// - on any other part (Gemini 2.5 signs the first part after its thoughts, or sends an empty
//   `{text:"", thoughtSignature}` part at the end of a stream) it is the signature of the
//   reasoning so far → it goes onto the preceding unsigned thinking part, or onto an empty
//   thinking part of its own. Writers put such a signature back on the next part.
import type { ContentPart, MediaSource } from "../canonical.ts";
import { parseArguments } from "../canonical.ts";
import { asList, field, isObj, str, type Json } from "./wire.ts";

export interface ReadPartsOptions {
  /** Id for a functionCall part (its own id when it has one is passed as `given`). */
  callId(given: string | undefined, name: string, partIndex: number): string;
  /** Canonical tool-call id a functionResponse part answers. */
  resultId?(given: string | undefined, name: string, partIndex: number): string;
  /** Join adjacent text parts (response fragments); request parts stay as the client split them. */
  mergeText?: boolean;
}

function mediaFrom(part: Json): { source: MediaSource; image: boolean } | null {
  const inline = field(part, "inlineData");
  if (isObj(inline)) {
    const mediaType = str(field(inline, "mimeType")) ?? "application/octet-stream";
    return { source: { kind: "base64", mediaType, data: str(field(inline, "data")) ?? "" }, image: mediaType.startsWith("image/") };
  }
  const file = field(part, "fileData");
  if (isObj(file)) {
    const mediaType = str(field(file, "mimeType"));
    const url = str(field(file, "fileUri")) ?? "";
    return { source: { kind: "url", url, ...(mediaType ? { mediaType } : {}) }, image: (mediaType ?? "").startsWith("image/") };
  }
  return null;
}

function mediaPart(m: { source: MediaSource; image: boolean }): ContentPart {
  return m.image ? { type: "image", source: m.source } : { type: "document", source: m.source };
}

/** A signature for the reasoning so far (see the header comment). */
function attachSignature(out: ContentPart[], signature: string) {
  const last = out.at(-1);
  if (last?.type === "thinking" && !last.signature) last.signature = signature;
  else out.push({ type: "thinking", text: "", signature });
}

/**
 * functionResponse.response → tool-result content. Clients wrap plain output as
 * {result|output|content: "<text>"} (the API documents `output` and `error`), so a lone such
 * string comes back as text; anything else is kept as its JSON.
 */
function resultContent(fr: Json): { content: ContentPart[]; isError: boolean } {
  const resp = field(fr, "response");
  let text = "";
  let isError = false;
  if (isObj(resp)) {
    const keys = Object.keys(resp);
    const only = keys.length === 1 ? keys[0]! : null;
    if (only && ["result", "output", "content"].includes(only) && typeof resp[only] === "string") text = resp[only];
    else if (only === "error") {
      isError = true;
      text = typeof resp.error === "string" ? resp.error : JSON.stringify(resp.error);
    } else text = JSON.stringify(resp);
  } else if (typeof resp === "string") text = resp;
  else if (resp !== undefined) text = JSON.stringify(resp);
  const content: ContentPart[] = text ? [{ type: "text", text }] : [];
  // Multimodal function responses (Gemini 3): functionResponse.parts[{inlineData|fileData}].
  for (const p of asList(field(fr, "parts"))) {
    const m = isObj(p) ? mediaFrom(p) : null;
    if (m) content.push(mediaPart(m));
  }
  return { content, isError };
}

/**
 * Reads `parts` onto the end of `out` (by default a new list; a request reader passes the
 * content of the previous same-role turn, since the SDKs' chat history keeps every streamed
 * chunk as a turn of its own and a signature then arrives turns after its thoughts).
 */
export function readParts(parts: unknown, opts: ReadPartsOptions, out: ContentPart[] = []): ContentPart[] {
  asList(parts).forEach((part, i) => {
    if (!isObj(part)) return;
    const signature = str(field(part, "thoughtSignature")) || undefined;
    const fc = field(part, "functionCall");
    if (isObj(fc)) {
      const name = str(fc.name) ?? "";
      const args = fc.args ?? {};
      out.push({
        type: "tool_call",
        id: opts.callId(str(fc.id) || undefined, name, i),
        name,
        arguments: typeof args === "string" ? args : JSON.stringify(args),
        ...(signature ? { signature } : {}),
      });
      return;
    }
    const fr = field(part, "functionResponse");
    if (isObj(fr)) {
      const name = str(fr.name) ?? "";
      const { content, isError } = resultContent(fr);
      const toolCallId = opts.resultId ? opts.resultId(str(fr.id) || undefined, name, i) : (str(fr.id) ?? name);
      out.push({ type: "tool_result", toolCallId, name, content, ...(isError ? { isError } : {}) });
      return;
    }
    const text = str(part.text);
    if (text !== undefined && part.thought === true) {
      const last = out.at(-1);
      // Streamed thoughts come in fragments, signed (if at all) at the end: one reasoning block
      // until a signature closes it. Splitting it would leave the signature on the last piece
      // only, and Anthropic refuses a signature over text that is not all of its thinking.
      if (last?.type === "thinking" && !last.signature) {
        last.text += text;
        if (signature) last.signature = signature;
      } else if (text || signature) out.push({ type: "thinking", text, ...(signature ? { signature } : {}) });
      return;
    }
    if (signature) attachSignature(out, signature);
    if (text !== undefined) {
      if (!text) return;
      const last = out.at(-1);
      if (opts.mergeText && last?.type === "text") last.text += text;
      else out.push({ type: "text", text });
      return;
    }
    const media = mediaFrom(part);
    if (media) out.push(mediaPart(media));
    // executableCode / codeExecutionResult (the code-execution tool) and videoMetadata have
    // no canonical counterpart; they are dropped.
  });
  return out;
}

// ---- canonical → Gemini ------------------------------------------------------------------

const EXT_MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  pdf: "application/pdf",
  txt: "text/plain",
  mp3: "audio/mp3",
  wav: "audio/wav",
  mp4: "video/mp4",
};

function guessMime(url: string, fallback: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return (ext && EXT_MIME[ext]) || fallback;
}

/** Images and documents: base64 and data: URLs inline, other URLs as fileData. */
export function geminiMediaPart(source: MediaSource, fallbackMime: string): Json {
  if (source.kind === "base64") return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const dataUrl = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(source.url);
  if (dataUrl) {
    const mimeType = dataUrl[1] || source.mediaType || fallbackMime;
    const data = /;base64/i.test(dataUrl[2]!) ? dataUrl[3]! : Buffer.from(decodeURIComponent(dataUrl[3]!)).toString("base64");
    return { inlineData: { mimeType, data } };
  }
  return { fileData: { mimeType: source.mediaType ?? guessMime(source.url, fallbackMime), fileUri: source.url } };
}

/** A thought signature Google could have issued: base64 bytes (standard or URL-safe). */
const SIGNATURE_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Function output as the object `functionResponse.response` must be: a JSON object text is
 * sent as that object, anything else as {result: "<text>"} (errors as {error: "<text>"},
 * the key the API documents for failures).
 */
function responseObject(text: string, isError: boolean): Json {
  const t = text.trim();
  if (!isError && t.startsWith("{")) {
    try {
      const v = JSON.parse(t);
      if (isObj(v)) return v;
    } catch {
      // not JSON after all: wrap it
    }
  }
  return isError ? { error: text } : { result: text };
}

export interface WritePartsOptions {
  /** request: history sent to Gemini; response: an answer shown to a Gemini client. */
  mode: "request" | "response";
  /** Function name of an earlier tool call (functionResponse needs the name, not just an id). */
  nameFor?(toolCallId: string): string | undefined;
}

export function writeParts(content: ContentPart[], opts: WritePartsOptions): Json[] {
  const out: Json[] = [];
  const extra: Json[] = [];
  let held: string | undefined;
  const usable = (sig: string | undefined) => (sig && (opts.mode === "response" || SIGNATURE_RE.test(sig)) ? sig : undefined);
  const claim = (part: Json) => {
    if (held && !part.thoughtSignature) part.thoughtSignature = held;
    held = undefined;
    return part;
  };

  for (const p of content) {
    switch (p.type) {
      case "text":
        if (p.text) out.push(claim({ text: p.text }));
        break;
      case "thinking": {
        const sig = usable(p.signature);
        if (p.text) {
          // Gemini reads nothing from unsigned thought text it is sent back, and thoughts of
          // other providers mean nothing to it: history keeps only signed thoughts.
          if (opts.mode === "request" && !sig) break;
          out.push({ text: p.text, thought: true, ...(sig ? { thoughtSignature: sig } : {}) });
        } else if (sig) {
          if (held) placeLeftover(out, held, opts.mode);
          held = sig;
        }
        break;
      }
      case "redacted_thinking":
        break; // Anthropic-only encrypted reasoning: nothing Gemini can use.
      case "tool_call": {
        const fc: Json = { id: p.id, name: p.name, args: parseArguments(p.arguments) };
        const part: Json = { functionCall: fc };
        const sig = usable(p.signature);
        if (sig) part.thoughtSignature = sig;
        // To Gemini, the reasoning's signature goes on the call (Gemini 3 requires one there).
        // To a Gemini client it stays a thought part of its own: on the call it would read
        // back as the call's signature, and the reasoning it signs would lose it.
        if (opts.mode === "response" && held) {
          out.push({ text: "", thought: true, thoughtSignature: held });
          held = undefined;
        }
        out.push(claim(part));
        break;
      }
      case "tool_result": {
        const text = p.content.map((c) => (c.type === "text" ? c.text : "")).join("");
        const name = opts.nameFor?.(p.toolCallId) ?? p.name ?? p.toolCallId;
        out.push({ functionResponse: { id: p.toolCallId, name, response: responseObject(text, p.isError === true) } });
        // Images a tool returned follow the function responses as ordinary parts.
        for (const c of p.content) if (c.type === "image" || c.type === "document") extra.push(geminiMediaPart(c.source, c.type === "image" ? "image/jpeg" : "application/pdf"));
        break;
      }
      case "image":
        out.push(claim(geminiMediaPart(p.source, "image/jpeg")));
        break;
      case "document":
        out.push(claim(geminiMediaPart(p.source, "application/pdf")));
        break;
    }
  }
  if (held) placeLeftover(out, held, opts.mode);
  return [...out, ...extra];
}

/**
 * A signature with no part after it: back onto the last unsigned part (as the Gemini SDKs
 * do with a trailing signature-only part); a response may show it as Gemini does, on an
 * empty text part. A request drops it rather than send an empty text part, which the API
 * refuses ("empty text parameter").
 */
function placeLeftover(out: Json[], sig: string, mode: WritePartsOptions["mode"]) {
  for (let i = out.length - 1; i >= 0; i--) {
    if (!out[i]!.thoughtSignature && !out[i]!.functionResponse) {
      if (mode === "response" && out[i]!.thought) break;
      out[i]!.thoughtSignature = sig;
      return;
    }
  }
  if (mode === "response") out.push({ text: "", thoughtSignature: sig });
}
