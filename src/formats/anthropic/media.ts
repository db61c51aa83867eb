// Media helpers shared by the request reader and writer.
import type { MediaSource } from "../canonical.ts";

export const utf8ToBase64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
export const base64ToUtf8 = (data: string) => Buffer.from(data, "base64").toString("utf8");

/** `data:` URLs (what OpenAI-style clients put in image URLs) become inline base64. */
export function dataUrlSource(url: string): Extract<MediaSource, { kind: "base64" }> | null {
  const m = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s.exec(url);
  if (!m) return null;
  const mediaType = m[1] || "text/plain";
  const data = m[3] ? m[4]! : utf8ToBase64(decodeURIComponent(m[4]!));
  return { kind: "base64", mediaType, data };
}
