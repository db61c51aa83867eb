// Content parts of Responses input items → canonical parts. Shapes from the openai SDK's
// ResponseInputContent (input_text, input_image, input_file) and the output_text / refusal
// parts of assistant messages that clients replay. Images and files must travel inline or by
// URL: a `file_id` names an object in OpenAI's file store, which no other provider can read.
import { GatewayError } from "../../errors.ts";
import type { ContentPart, MediaSource } from "../canonical.ts";

const obj = (v: unknown): Record<string, any> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : null);

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s;

/** `data:<type>;base64,<data>` → base64 source; anything else is a URL the upstream fetches. */
export function mediaSourceFromUrl(url: string, fallbackType?: string): MediaSource {
  const m = DATA_URL.exec(url);
  if (m && /;base64/i.test(m[2]!)) {
    return { kind: "base64", mediaType: m[1] || fallbackType || "application/octet-stream", data: m[3]! };
  }
  return { kind: "url", url };
}

const EXT_TYPES: Record<string, string> = {
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  json: "application/json",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

function mediaTypeOfFilename(filename: unknown): string | undefined {
  if (typeof filename !== "string") return undefined;
  const ext = filename.toLowerCase().split(".").pop() ?? "";
  return EXT_TYPES[ext];
}

function fileIdError(at: string, what: string): GatewayError {
  return new GatewayError(
    400,
    "invalid_request",
    `${what} with file_id is not supported: file ids refer to OpenAI's file store, which this gateway's upstreams cannot read. Send the content inline (a data: URL or base64 file_data) or as a URL.`,
    { param: `${at}.file_id` },
  );
}

function imagePart(p: Record<string, any>, at: string): ContentPart | null {
  // Older clients and the Chat-style shape nest the URL: {image_url: {url, detail}}.
  const nested = obj(p.image_url);
  const url = typeof p.image_url === "string" ? p.image_url : typeof nested?.url === "string" ? nested.url : null;
  const detail = typeof p.detail === "string" ? p.detail : typeof nested?.detail === "string" ? nested.detail : undefined;
  if (url) return { type: "image", source: mediaSourceFromUrl(url, "image/png"), ...(detail ? { detail } : {}) };
  if (p.file_id) throw fileIdError(at, "input_image");
  throw new GatewayError(400, "invalid_request", "input_image needs image_url (a data: URL or an http(s) URL).", { param: `${at}.image_url` });
}

function filePart(p: Record<string, any>, at: string): ContentPart {
  const title = typeof p.filename === "string" ? p.filename : undefined;
  if (typeof p.file_data === "string" && p.file_data) {
    const fallback = mediaTypeOfFilename(p.filename) ?? "application/pdf";
    // file_data is a data URL in OpenAI's docs; a bare base64 string is accepted too.
    const source: MediaSource = p.file_data.startsWith("data:")
      ? mediaSourceFromUrl(p.file_data, fallback)
      : { kind: "base64", mediaType: fallback, data: p.file_data };
    return { type: "document", source, ...(title ? { title } : {}) };
  }
  if (typeof p.file_url === "string" && p.file_url) {
    const mediaType = mediaTypeOfFilename(p.filename) ?? mediaTypeOfFilename(p.file_url);
    return { type: "document", source: { kind: "url", url: p.file_url, ...(mediaType ? { mediaType } : {}) }, ...(title ? { title } : {}) };
  }
  if (p.file_id) throw fileIdError(at, "input_file");
  throw new GatewayError(400, "invalid_request", "input_file needs file_data or file_url.", { param: at });
}

/**
 * A message's (or a tool output's) content → canonical parts. `at` is the JSON path used in
 * error messages (`input[3].content`). Empty text is dropped: several providers reject empty
 * text blocks.
 */
export function contentParts(content: unknown, at: string): ContentPart[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) {
    throw new GatewayError(400, "invalid_request", `${at} must be a string or an array of content parts.`, { param: at });
  }
  const parts: ContentPart[] = [];
  content.forEach((raw, j) => {
    const where = `${at}[${j}]`;
    if (typeof raw === "string") {
      if (raw) parts.push({ type: "text", text: raw });
      return;
    }
    const p = obj(raw);
    if (!p) return;
    switch (p.type) {
      case "input_text":
      case "output_text":
      case "text":
      case "summary_text":
        if (typeof p.text === "string" && p.text) parts.push({ type: "text", text: p.text });
        return;
      case "refusal":
        if (typeof p.refusal === "string" && p.refusal) parts.push({ type: "text", text: p.refusal });
        return;
      case "input_image":
      case "image_url": {
        const part = imagePart(p, where);
        if (part) parts.push(part);
        return;
      }
      case "input_file":
        parts.push(filePart(p, where));
        return;
      case "input_audio":
        throw new GatewayError(400, "invalid_request", "input_audio is not supported by this gateway.", { param: where });
      default:
        // Unknown part kinds that still carry text keep their text; anything else is dropped.
        if (typeof p.text === "string" && p.text) parts.push({ type: "text", text: p.text });
    }
  });
  return parts;
}
