// The client-format × upstream-format matrix: one gateway with a connection to a fake
// upstream of every wire format. Each upstream is addressed by its registry provider, except
// the Responses API one: the registry has no such provider, so it is what an operator would
// set up, a custom provider node (apiType "responses") addressed by its prefix "resp".
import { afterAll, beforeAll } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { startFakeAnthropic } from "../support/fake-anthropic.ts";
import { startFakeGemini } from "../support/fake-gemini.ts";
import { startFakeOllama } from "../support/fake-ollama.ts";
import { startFakeOpenAi } from "../support/fake-openai.ts";
import { startFakeOpenAiResponses } from "../support/fake-openai-responses.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection } from "../support/setup.ts";

export interface Upstream {
  /** The wire format the fake speaks. */
  format: "openai" | "anthropic" | "gemini" | "ollama" | "openai-responses";
  /** A model id the client sends; append a behaviour suffix (see fake conventions). */
  model(behaviour?: "tool-call" | "reasoning" | "error-429" | "error-400"): string;
}

export const UPSTREAMS: Upstream[] = [
  { format: "openai", model: (b) => `openai/gpt-4o-mini${b ? `-${b}` : ""}` },
  { format: "anthropic", model: (b) => `anthropic/claude-sonnet-4-5${b ? `-${b}` : ""}` },
  { format: "gemini", model: (b) => `gemini/gemini-2.5-flash${b ? `-${b}` : ""}` },
  { format: "ollama", model: (b) => `ollama/llama3.2${b ? `-${b}` : ""}` },
  { format: "openai-responses", model: (b) => `resp/gpt-5-mini${b ? `-${b}` : ""}` },
];

export interface Matrix {
  gw: TestGateway;
  base: string;
  key: string;
  close(): Promise<void>;
}

/** A 1×1 transparent PNG. */
export const TINY_PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

export const TOOL_RESULT = "sunny, 21°C";
export const weatherTool = {
  name: "get_weather",
  description: "Current weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

export async function startMatrix(): Promise<Matrix> {
  return startMatrixWithFakes();
}

/** startMatrix() plus the fake upstreams themselves, for tests that inspect what reached them. */
export interface MatrixWithFakes extends Matrix {
  fakes: {
    openai: ReturnType<typeof startFakeOpenAi>;
    anthropic: ReturnType<typeof startFakeAnthropic>;
    gemini: ReturnType<typeof startFakeGemini>;
    ollama: ReturnType<typeof startFakeOllama>;
    "openai-responses": ReturnType<typeof startFakeOpenAiResponses>;
  };
  /** The provider id of the Responses node (what usage rows and error messages name). */
  responsesNodeId: string;
}

export async function startMatrixWithFakes(): Promise<MatrixWithFakes> {
  const fakes = {
    openai: startFakeOpenAi(),
    anthropic: startFakeAnthropic(),
    gemini: startFakeGemini(),
    ollama: startFakeOllama(),
    "openai-responses": startFakeOpenAiResponses(),
  };
  const gw = await startGateway();
  await addConnection(gw, { provider: "openai", apiKey: "sk-fake-upstream", baseUrl: fakes.openai.baseUrl });
  await addConnection(gw, { provider: "anthropic", apiKey: "sk-ant-fake", baseUrl: fakes.anthropic.baseUrl });
  await addConnection(gw, { provider: "gemini", apiKey: "AIza-fake", baseUrl: fakes.gemini.baseUrl });
  await addConnection(gw, { provider: "ollama", baseUrl: fakes.ollama.baseUrl });
  const responsesNodeId = await addResponsesNode(gw, fakes["openai-responses"].baseUrl);
  await addConnection(gw, { provider: responsesNodeId, apiKey: "sk-fake-upstream", name: "resp-key" });
  const res = await gw.request("/api/keys", { method: "POST", json: { name: "matrix" } });
  const { key } = (await res.json()) as { key: string };
  await gw.request("/api/settings", { method: "PUT", json: { requireApiKey: true } });
  const base = await gw.listen();
  return {
    gw,
    base,
    key,
    fakes,
    responsesNodeId,
    async close() {
      await gw.close();
      for (const f of Object.values(fakes)) f.close();
    },
  };
}

/** A custom provider node whose upstream speaks the Responses API (POST {baseUrl}). */
async function addResponsesNode(gw: TestGateway, fakeBaseUrl: string): Promise<string> {
  const res = await gw.request("/api/provider-nodes", {
    method: "POST",
    json: { name: "Responses upstream", prefix: "resp", type: "openai-compatible", apiType: "responses", baseUrl: `${fakeBaseUrl}/responses` },
  });
  if (res.status !== 201) throw new Error(`creating the Responses node failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { node: { id: string } }).node.id;
}

/**
 * For a test file: a matrix started before its tests and closed after them, with the official
 * OpenAI and Anthropic SDKs pointed at it, retries off (a test sees each answer). The fields
 * are filled in by the time a test runs.
 */
export function matrixWithSdks(): { m: Matrix; openai: OpenAI; anthropic: Anthropic } {
  const ctx = {} as { m: Matrix; openai: OpenAI; anthropic: Anthropic };
  beforeAll(async () => {
    ctx.m = await startMatrix();
    ctx.openai = new OpenAI({ baseURL: `${ctx.m.base}/v1`, apiKey: ctx.m.key, maxRetries: 0 });
    ctx.anthropic = new Anthropic({ baseURL: ctx.m.base, apiKey: ctx.m.key, maxRetries: 0 });
  });
  afterAll(() => ctx.m.close());
  return ctx;
}
