// The official `openai` SDK as a real client against a listening gateway.
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, createKey, putSettings } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
  const { key } = await createKey(gw, "sdk");
  await putSettings(gw, { requireApiKey: true });
  client = new OpenAI({ baseURL: `${await gw.listen()}/v1`, apiKey: key, maxRetries: 0 });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

test("chat.completions.create", async () => {
  const completion = await client.chat.completions.create({
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "from the sdk" }],
  });
  expect(completion.choices[0]!.message.content).toBe("Hello from fake: from the sdk");
  expect(completion.usage!.total_tokens).toBeGreaterThan(0);
});

test("streaming with the SDK's iterator, usage requested", async () => {
  const stream = await client.chat.completions.create({
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "stream me" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  expect(text).toBe("Hello from fake: stream me");
  expect(usage!.completion_tokens).toBeGreaterThan(0);
});

test("streamed tool calls assemble with the SDK's stream helper", async () => {
  const runner = client.chat.completions.stream({
    model: "openai/x-tool-call",
    messages: [{ role: "user", content: "weather?" }],
    tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
  });
  const final = await runner.finalChatCompletion();
  expect(final.choices[0]!.finish_reason).toBe("tool_calls");
  expect(final.choices[0]!.message.tool_calls![0]).toMatchObject({ function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
});

test("models.list", async () => {
  const ids: string[] = [];
  for await (const m of client.models.list()) ids.push(m.id);
  expect(ids).toContain("openai/gpt-4o-mini");
});

/** The SDK's APIPromise is lazy; await it and hand back what it threw. */
async function thrown(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

test("errors map to the SDK's exception classes", async () => {
  const unknown = await thrown(client.chat.completions.create({ model: "nope/nothing", messages: [{ role: "user", content: "x" }] }));
  expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
  expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
  const limited = await thrown(client.chat.completions.create({ model: "openai/x-error-429", messages: [{ role: "user", content: "x" }] }));
  expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
  const badKey = new OpenAI({ baseURL: client.baseURL, apiKey: "sk-omni-not-a-key", maxRetries: 0 });
  const denied = await thrown(badKey.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }] }));
  expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
});

test("an error after the stream began surfaces as an SDK error, not a hang", async () => {
  const stream = await client.chat.completions.create({
    model: "openai/x-broken-stream",
    messages: [{ role: "user", content: "x" }],
    stream: true,
  });
  const err = await thrown(
    (async () => {
      for await (const _ of stream) {
        // drain
      }
    })(),
  );
  expect(err).toBeInstanceOf(OpenAI.APIError);
  expect(String((err as Error).message)).toContain("upstream stream failed");
});
