// POST /v1/images/generations against fakes of each upstream's real wire format.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeFireworks, type FakeFireworks } from "../support/fake-fireworks.ts";
import { PNG_1PX } from "../support/fake-openai-media.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startFakeTogether, type FakeTogether } from "../support/fake-together.ts";
import type { TestGateway } from "../support/gateway.ts";
import { requestLogRows, usageRows } from "../support/setup.ts";
import { gatewayWith, json } from "./support.ts";

let openai: FakeOpenAi;
let together: FakeTogether;
let fireworks: FakeFireworks;
let gw: TestGateway;

beforeAll(async () => {
  openai = startFakeOpenAi();
  together = startFakeTogether();
  fireworks = startFakeFireworks();
  gw = await gatewayWith([
    { provider: "openai", baseUrl: openai.baseUrl },
    { provider: "xai", baseUrl: openai.baseUrl },
    { provider: "together", baseUrl: together.baseUrl, apiKey: "together-fake-key" },
    { provider: "fireworks", baseUrl: fireworks.baseUrl, apiKey: "fw-fake-key" },
  ]);
});
afterAll(async () => {
  await gw.close();
  openai.close();
  together.close();
  fireworks.close();
});

const lastAttempt = () => JSON.parse(requestLogRows(gw).at(-1).attempts).at(-1);

test("OpenAI DALL·E 3: the reference's request, url answer passed through", async () => {
  const res = await json(gw, "/v1/images/generations", { model: "openai/dall-e-3", prompt: "A beautiful sunset over mountains", size: "1024x1024" });
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.data).toEqual([{ url: "https://fake-images.example/dall-e-3/0.png", revised_prompt: "A vivid rendering of: A beautiful sunset over mountains" }]);
  expect(openai.requests.at(-1)).toMatchObject({ path: "/v1/images/generations", body: { model: "dall-e-3", size: "1024x1024" } });
  expect(lastAttempt()).toMatchObject({ provider: "openai", status: 200, units: { images: 1 } });
  expect(usageRows(gw).at(-1)).toMatchObject({ endpoint: "/v1/images/generations", provider: "openai", model: "dall-e-3", status: 200 });
});

test("OpenAI gpt-image-1: b64_json with token usage recorded", async () => {
  const res = await json(gw, "/v1/images/generations", { model: "openai/gpt-image-1", prompt: "a cat", n: 2 });
  const body = await res.json();
  expect(body.data).toEqual([{ b64_json: PNG_1PX }, { b64_json: PNG_1PX }]);
  expect(usageRows(gw).at(-1)).toMatchObject({ prompt_tokens: 10, completion_tokens: 4160, total_tokens: 4170 });
  expect(lastAttempt().units).toEqual({ images: 2 });
});

test("xAI: OpenAI's size/quality/style are dropped (xAI refuses them)", async () => {
  const res = await json(gw, "/v1/images/generations", {
    model: "xai/grok-2-image",
    prompt: "a robot",
    size: "1024x1024",
    quality: "hd",
    style: "vivid",
    response_format: "b64_json",
  });
  expect(res.status).toBe(200);
  expect((await res.json()).data[0].b64_json).toBe(PNG_1PX);
  const sent = openai.requests.at(-1)!.body;
  expect(sent).toEqual({ model: "grok-2-image", prompt: "a robot", response_format: "b64_json" });
});

test("Together (FLUX): size becomes width/height, b64_json becomes base64, answer in OpenAI's shape", async () => {
  const res = await json(gw, "/v1/images/generations", {
    model: "together/black-forest-labs/FLUX.1-schnell",
    prompt: "a lighthouse",
    size: "512x768",
    n: 2,
    response_format: "b64_json",
  });
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.data).toEqual([{ b64_json: PNG_1PX }, { b64_json: PNG_1PX }]);
  expect(typeof body.created).toBe("number");
  expect(together.requests.at(-1)!.body).toEqual({
    model: "black-forest-labs/FLUX.1-schnell",
    prompt: "a lighthouse",
    n: 2,
    width: 512,
    height: 768,
    response_format: "base64",
  });
});

test("Together: url answers keep their index order", async () => {
  const res = await json(gw, "/v1/images/generations", { model: "together/black-forest-labs/FLUX.1.1-pro", prompt: "x", n: 3 });
  const body = await res.json();
  expect(body.data.map((d: any) => d.url)).toEqual([0, 1, 2].map((i) => `https://api.together.ai/imgproxy/${i}-1024x768.jpeg`));
  expect(together.requests.at(-1)!.body.response_format).toBe("url");
});

test("Fireworks (FLUX workflow): one call per image, size → aspect ratio, base64 answers", async () => {
  const before = fireworks.requests.length;
  const res = await json(gw, "/v1/images/generations", {
    model: "fireworks/accounts/fireworks/models/flux-1-schnell-fp8",
    prompt: "a fox",
    size: "1792x1024",
    n: 2,
    response_format: "b64_json",
    seed: 7,
  });
  expect(res.status).toBe(200);
  expect((await res.json()).data).toEqual([{ b64_json: PNG_1PX }, { b64_json: PNG_1PX }]);
  const sent = fireworks.requests.slice(before);
  expect(sent).toHaveLength(2);
  expect(sent[0]).toEqual({
    path: "/inference/v1/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image",
    accept: "application/json",
    body: { prompt: "a fox", aspect_ratio: "16:9", seed: 7 },
  });
  expect(lastAttempt().units).toEqual({ images: 2 });
});

test("Fireworks: a url request gets a data: URL (the API returns bytes only)", async () => {
  const res = await json(gw, "/v1/images/generations", { model: "fireworks/accounts/fireworks/models/flux-1-schnell-fp8", prompt: "a fox" });
  expect((await res.json()).data).toEqual([{ url: `data:image/png;base64,${PNG_1PX}` }]);
});

test("Fireworks: a filtered image is a 400 that says so", async () => {
  const res = await json(gw, "/v1/images/generations", { model: "fireworks/accounts/fireworks/models/flux-1-schnell-fp8", prompt: "something forbidden" });
  expect(res.status).toBe(400);
  expect((await res.json()).error.message).toContain("filtered by the provider's safety check");
});

test("GET /v1/images/generations lists the callable image models", async () => {
  const res = await gw.request("/v1/images/generations");
  const ids = (await res.json()).data.map((m: any) => m.id);
  expect(ids).toEqual(
    expect.arrayContaining(["openai/dall-e-3", "openai/gpt-image-1", "xai/grok-2-image", "together/black-forest-labs/FLUX.1-schnell", "fireworks/accounts/fireworks/models/flux-1-schnell-fp8"]),
  );
  expect(ids).not.toContain("openai/text-embedding-3-small");
});

test("upstream errors: status and message kept, OpenAI's shape", async () => {
  const res = await json(gw, "/v1/images/generations", { model: "together/x-error-500", prompt: "x" });
  expect(res.status).toBe(500);
  expect((await res.json()).error.message).toBe("[together] Fake failure 500");
  const fw = await json(gw, "/v1/images/generations", { model: "fireworks/accounts/fireworks/models/x-error-429", prompt: "x" });
  expect(fw.status).toBe(429);
});

test("unknown model, missing prompt, bad n", async () => {
  expect((await json(gw, "/v1/images/generations", { model: "nope/x", prompt: "x" })).status).toBe(404);
  const noPrompt = await json(gw, "/v1/images/generations", { model: "openai/dall-e-3" });
  expect(noPrompt.status).toBe(400);
  expect((await noPrompt.json()).error.param).toBe("prompt");
  expect((await json(gw, "/v1/images/generations", { model: "openai/dall-e-3", prompt: "x", n: 0 })).status).toBe(400);
  expect((await json(gw, "/v1/images/generations", { model: "openai/dall-e-3", prompt: "x", response_format: "png" })).status).toBe(400);
});

test("dedicated provider route for images", async () => {
  const res = await json(gw, "/v1/providers/openai/images/generations", { model: "dall-e-3", prompt: "x" });
  expect(res.status).toBe(200);
  expect(usageRows(gw).at(-1)).toMatchObject({ endpoint: "/v1/providers/openai/images/generations", requested_model: "openai/dall-e-3" });
  const other = await json(gw, "/v1/providers/openai/images/generations", { model: "xai/grok-2-image", prompt: "x" });
  expect(other.status).toBe(400);
});
