// Ollama carries images as bare base64 strings (`images: ["iVBORw0K…"]`, no data: prefix
// and no media type), while every other format needs the media type. We recover it from the
// file's magic bytes, which only needs the first few base64 characters decoded.
import type { MediaSource } from "../canonical.ts";

/** PNG, JPEG, GIF and WebP by signature; anything else is reported as PNG, Ollama's usual input. */
export function mediaTypeFromBase64(data: string): string {
  let head: Uint8Array;
  try {
    // 16 base64 characters = 12 bytes, enough for the RIFF....WEBP signature.
    head = Uint8Array.from(atob(data.replace(/\s+/g, "").slice(0, 16)), (c) => c.charCodeAt(0));
  } catch {
    return "image/png";
  }
  const at = (i: number) => head[i] ?? -1;
  if (at(0) === 0x89 && at(1) === 0x50 && at(2) === 0x4e && at(3) === 0x47) return "image/png";
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return "image/jpeg";
  if (at(0) === 0x47 && at(1) === 0x49 && at(2) === 0x46 && at(3) === 0x38) return "image/gif";
  if (at(0) === 0x52 && at(1) === 0x49 && at(2) === 0x46 && at(3) === 0x46 && at(8) === 0x57 && at(9) === 0x45 && at(10) === 0x42 && at(11) === 0x50) {
    return "image/webp";
  }
  return "image/png";
}

/**
 * One entry of a message's `images`. Ollama itself wants bare base64, but clients that
 * copy OpenAI habits sometimes send a data: URL; accept both.
 */
export function imageSourceFromOllama(image: string): MediaSource {
  const m = /^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$/s.exec(image);
  if (m) {
    const data = m[2]!;
    return { kind: "base64", mediaType: m[1] || mediaTypeFromBase64(data), data };
  }
  return { kind: "base64", mediaType: mediaTypeFromBase64(image), data: image };
}
