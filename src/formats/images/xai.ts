// xAI's /v1/images/generations is OpenAI's minus three fields: it answers 400 "Argument not
// supported: size" (likewise quality and style) instead of ignoring them (docs.x.ai, image
// generation guide). OpenAI clients send `size` by habit, so those fields are dropped.
const UNSUPPORTED = ["size", "quality", "style"];

export function xaiImagesRequest(body: Record<string, unknown>, model: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, model };
  for (const key of UNSUPPORTED) delete out[key];
  return out;
}
