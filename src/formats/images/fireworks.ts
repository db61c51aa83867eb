// OpenAI images ⇄ Fireworks' FLUX text-to-image workflow (docs.fireworks.ai, "Generate an image
// with FLUX.1 [schnell] FP8"):
//   POST /workflows/{model}/text_to_image   Accept: application/json
//   {prompt, aspect_ratio?, guidance_scale?, num_inference_steps?, seed?}
//   → {id?, base64:[...png...], finishReason:"SUCCESS"|"CONTENT_FILTERED", seed}
// One image per call and no size, only an aspect ratio from a fixed list.
import { bareBase64, dataUrl, parseSize, type ImageResponseFormat, type OpenAiImage } from "./openai.ts";

const ASPECT_RATIOS = ["1:1", "21:9", "16:9", "3:2", "5:4", "4:5", "2:3", "9:16", "9:21", "4:3", "3:4"];
/** Workflow fields a client may pass through as they are. */
const PASSED = ["aspect_ratio", "guidance_scale", "num_inference_steps", "seed", "safety_check", "output_image_format"];

/** The listed aspect ratio closest to width/height. */
export function aspectRatioFor(width: number, height: number): string {
  const want = width / height;
  let best = "1:1";
  let bestDiff = Infinity;
  for (const r of ASPECT_RATIOS) {
    const [w, h] = r.split(":").map(Number) as [number, number];
    const diff = Math.abs(Math.log(w / h) - Math.log(want));
    if (diff < bestDiff) [best, bestDiff] = [r, diff];
  }
  return best;
}

export function fireworksImageRequest(body: Record<string, unknown>, model: string): { path: string; body: Record<string, unknown> } {
  const out: Record<string, unknown> = { prompt: body.prompt };
  for (const key of PASSED) if (body[key] !== undefined) out[key] = body[key];
  const size = parseSize(body.size);
  if (size && out.aspect_ratio === undefined) out.aspect_ratio = aspectRatioFor(size[0], size[1]);
  // Model ids are account paths ("accounts/fireworks/models/flux-1-schnell-fp8"), kept as paths.
  return { path: `/workflows/${model.split("/").map(encodeURIComponent).join("/")}/text_to_image`, body: out };
}

export type FireworksImageResult = { ok: true; images: OpenAiImage[] } | { ok: false; reason: string };

export function fireworksImageToOpenAi(body: unknown, format: ImageResponseFormat): FireworksImageResult {
  const o = (body ?? {}) as Record<string, any>;
  if (o.finishReason === "CONTENT_FILTERED") return { ok: false, reason: "the image was filtered by the provider's safety check" };
  const list: unknown[] = Array.isArray(o.base64) ? o.base64 : typeof o.base64 === "string" ? [o.base64] : [];
  if (list.length === 0 || !list.every((v) => typeof v === "string")) throw new Error("no base64 image in the answer");
  const images = (list as string[]).map((text) => {
    const { b64, mime } = bareBase64(text);
    return format === "b64_json" ? { b64_json: b64 } : { url: dataUrl(b64, mime ?? "image/png") };
  });
  return { ok: true, images };
}
