// POST /v1/images/generations. OpenAI's body goes to OpenAI as it is and to xAI without the
// fields it refuses; Together (FLUX) and Fireworks (FLUX workflows) are translated. Both
// `response_format`s are honoured: an upstream that only returns bytes (Fireworks) answers a
// "url" request with a data: URL.
import { z } from "zod";
import { GatewayError } from "../../errors.ts";
import { fireworksImageRequest, fireworksImageToOpenAi } from "../../formats/images/fireworks.ts";
import { imageCount, imagesUsage, type ImageResponseFormat, type OpenAiImage } from "../../formats/images/openai.ts";
import { togetherImagesRequest, togetherImagesToOpenAi } from "../../formats/images/together.ts";
import { xaiImagesRequest } from "../../formats/images/xai.ts";
import { readJsonBody, validateBody } from "../body.ts";
import { estimateTextTokens, type MediaAnswer, type MediaEndpoint } from "./media-request.ts";
import type { MediaUpstream } from "./upstream.ts";

const ImagesBody = z.looseObject({
  model: z.string().trim().min(1, "model is required"),
  prompt: z.string().trim().min(1, "prompt is required"),
  n: z.number().int().min(1).max(10).optional(),
  response_format: z.enum(["url", "b64_json"]).optional(),
  size: z.string().optional(),
});

type ImagesBody = z.infer<typeof ImagesBody>;

export const imagesEndpoint: MediaEndpoint<ImagesBody> = {
  endpoint: "/v1/images/generations",
  path: "images/generations",
  async read(request) {
    const body = validateBody(ImagesBody, await readJsonBody(request));
    return { model: body.model, payload: body, fields: body, estimateInputTokens: () => estimateTextTokens([body.prompt]) };
  },
  async send(up, { payload }) {
    const answer = await sendImages(up, payload);
    const images = imageCount(answer.body);
    if (images !== undefined) up.setUnits({ images });
    return answer;
  },
};

async function sendImages(up: MediaUpstream, body: ImagesBody): Promise<MediaAnswer> {
  const { provider, model } = up.target;
  const format: ImageResponseFormat = body.response_format ?? "url";
  const dialect = provider.media?.images ?? (provider.format.startsWith("openai") ? "openai" : null);
  const now = up.services.routing.now();
  switch (dialect) {
    case "openai":
    case "xai": {
      const json = dialect === "xai" ? xaiImagesRequest(body, model) : { ...body, model };
      const res = await up.json({ path: "/images/generations", json });
      if (imageCount(res) === undefined) throw up.badResponse("an answer without images");
      return { body: res, usage: imagesUsage(res) };
    }
    case "together": {
      const res = await up.json({ path: "/images/generations", json: togetherImagesRequest(body, model, format) });
      return { body: up.parse(() => togetherImagesToOpenAi(res, now)) };
    }
    case "fireworks": {
      // One image per workflow call: n images are n calls, made together.
      const req = fireworksImageRequest(body, model);
      const answers = await Promise.all(Array.from({ length: body.n ?? 1 }, () => up.json({ path: req.path, json: req.body })));
      const data: OpenAiImage[] = [];
      for (const res of answers) {
        const out = up.parse(() => fireworksImageToOpenAi(res, format));
        if (!out.ok) throw new GatewayError(400, "invalid_request", `[${provider.id}] ${out.reason}`, { param: "prompt" });
        data.push(...out.images);
      }
      return { body: { created: Math.floor(now / 1000), data } };
    }
    default:
      throw new GatewayError(400, "invalid_request", `Provider "${provider.id}" does not offer image generation.`, { param: "model" });
  }
}
