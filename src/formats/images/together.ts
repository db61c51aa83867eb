// OpenAI images ⇄ Together AI's /v1/images/generations (docs.together.ai; together-py
// ImageGenerateParams / ImageFile): the same path, `prompt` and `n`, but the size is `width`
// and `height`, `response_format` is "url" | "base64", and the answer is
// {id, model, object:"list", data:[{index, url | b64_json}]}.
import { parseSize, type ImageResponseFormat, type OpenAiImagesResponse } from "./openai.ts";

/** OpenAI fields Together has no equivalent for (quality and style are DALL·E knobs). */
const DROPPED = ["size", "quality", "style", "user", "background", "moderation", "output_compression"];

export function togetherImagesRequest(body: Record<string, unknown>, model: string, format: ImageResponseFormat): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, model, response_format: format === "b64_json" ? "base64" : "url" };
  for (const key of DROPPED) delete out[key];
  const size = parseSize(body.size);
  if (size) {
    out.width ??= size[0];
    out.height ??= size[1];
  }
  return out;
}

export function togetherImagesToOpenAi(body: unknown, now: number): OpenAiImagesResponse {
  const o = (body ?? {}) as Record<string, any>;
  if (!Array.isArray(o.data)) throw new Error("no data in the answer");
  const data = [...o.data]
    .sort((a, b) => (a?.index ?? 0) - (b?.index ?? 0))
    .map((d: any) => (typeof d?.b64_json === "string" ? { b64_json: d.b64_json } : { url: String(d?.url ?? "") }));
  return { created: Math.floor(now / 1000), data };
}
