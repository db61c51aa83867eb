// The fake OpenAI upstream's conventions (images suffix, tool-call second turn, reasoning),
// read through this format's own upstream adapter: buildRequest → fetch → reader/parser.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { CanonicalRequest } from "../../../src/formats/canonical.ts";
import { openAiChatRequestToCanonical } from "../../../src/formats/openai-chat/request-canonical.ts";
import { openAiChatUpstream } from "../../../src/formats/openai-chat/index.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../../support/fake-openai.ts";
import { coalesce } from "./helpers.ts";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
let fake: FakeOpenAi;
beforeAll(() => {
  fake = startFakeOpenAi();
});
afterAll(() => fake.close());

async function send(req: CanonicalRequest, model: string) {
  const up = openAiChatUpstream.buildRequest(req, model);
  const res = await fetch(`${fake.baseUrl}${up.path}`, {
    method: "POST",
    headers: { authorization: "Bearer sk-fake-upstream", "content-type": "application/json" },
    body: JSON.stringify(up.body),
  });
  expect(res.status).toBe(200);
  if (!req.stream) return { response: openAiChatUpstream.parseResponse(await res.json()), events: [] };
  const reader = openAiChatUpstream.createStreamReader();
  const events = [];
  const body = res.body!.getReader();
  for (let r = await body.read(); !r.done; r = await body.read()) events.push(...reader.push(r.value));
  events.push(...reader.end());
  return { response: null, events: coalesce(events) };
}

const canon = (body: object) => openAiChatRequestToCanonical({ model: "client", ...body });

describe("fake OpenAI upstream conventions through the adapter", () => {
  test("images in the last user message add [images:n]", async () => {
    const req = canon({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    const { response } = await send(req, "gpt-4o-mini");
    expect(response!.content).toEqual([{ type: "text", text: "Hello from fake: what is this [images:2]" }]);
  });

  test("tool-call: first turn calls get_weather, second turn answers from the tool result (streamed)", async () => {
    const first = await send(canon({ messages: [{ role: "user", content: "weather?" }], stream: true }), "gpt-4o-mini-tool-call");
    expect(first.events.slice(1, -1)).toEqual([
      { type: "tool_call_start", index: 0, id: "call_Qm9vQmFy", name: "get_weather" },
      { type: "tool_call_delta", index: 0, arguments: '{"city":"Paris"}' },
      { type: "tool_call_end", index: 0 },
      { type: "finish", reason: "tool_calls" },
    ]);
    // The adapter always asks for usage when streaming, so the usage chunk is last.
    expect(first.events.at(-1)!.type).toBe("usage");

    const second = await send(
      canon({
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: null, tool_calls: [{ id: "call_Qm9vQmFy", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
          { role: "tool", tool_call_id: "call_Qm9vQmFy", content: "sunny, 21°C" },
        ],
        stream: true,
      }),
      "gpt-4o-mini-tool-call",
    );
    expect(second.events.find((e) => e.type === "text_delta")).toEqual({ type: "text_delta", text: "The weather is: sunny, 21°C" });
    expect(second.events.find((e) => e.type === "finish")).toEqual({ type: "finish", reason: "stop" });
    expect(fake.requests.at(-1)!.body.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "call_Qm9vQmFy", content: "sunny, 21°C" });
  });

  test("reasoning models: reasoning_content deltas first, message.reasoning_content when not streamed", async () => {
    const streamed = await send(canon({ messages: [{ role: "user", content: "think first" }], stream: true, reasoning_effort: "low" }), "gpt-4o-mini-reasoning");
    expect(streamed.events.slice(1, 3)).toEqual([
      { type: "reasoning_delta", text: "Let me think." },
      { type: "text_delta", text: "Hello from fake: think first" },
    ]);
    expect(fake.requests.at(-1)!.body.reasoning_effort).toBe("low");
    const usage = streamed.events.find((e) => e.type === "usage") as { usage: { reasoningTokens: number } };
    expect(usage.usage.reasoningTokens).toBe(3);

    const plain = await send(canon({ messages: [{ role: "user", content: "think first" }] }), "gpt-4o-mini-reasoning");
    expect(plain.response!.content).toEqual([
      { type: "thinking", text: "Let me think." },
      { type: "text", text: "Hello from fake: think first" },
    ]);
  });
});
