// Row "OpenAI Chat client" of the matrix: the official openai SDK against every upstream format.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startMatrix, TINY_PNG_BASE64, TOOL_RESULT, UPSTREAMS, weatherTool, type Matrix } from "./harness.ts";

let m: Matrix;
let client: OpenAI;
beforeAll(async () => {
  m = await startMatrix();
  client = new OpenAI({ baseURL: `${m.base}/v1`, apiKey: m.key, maxRetries: 0 });
});
afterAll(() => m.close());

const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: weatherTool }];

describe.each(UPSTREAMS)("openai-chat client → $format upstream", (up) => {
  test("text", async () => {
    const res = await client.chat.completions.create({ model: up.model(), messages: [{ role: "user", content: "hi there" }] });
    expect(res.choices[0]!.message.content).toBe("Hello from fake: hi there");
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect(res.usage!.total_tokens).toBeGreaterThan(0);
  });

  test("streamed text", async () => {
    const stream = await client.chat.completions.create({
      model: up.model(),
      messages: [{ role: "system", content: "be brief" }, { role: "user", content: "stream please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from fake: stream please");
    expect(finish).toBe("stop");
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  test("tool-call round trip (call, result, final answer), streamed", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "weather in Paris?" }];
    const first = await client.chat.completions.stream({ model: up.model("tool-call"), messages, tools }).finalChatCompletion();
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    expect(call.id).toBeTruthy();
    messages.push(choice.message as OpenAI.ChatCompletionMessageParam, { role: "tool", tool_call_id: call.id, content: TOOL_RESULT });
    const second = await client.chat.completions.create({ model: up.model("tool-call"), messages, tools });
    expect(second.choices[0]!.message.content).toBe(`The weather is: ${TOOL_RESULT}`);
  });

  test("image input reaches the upstream", async () => {
    const res = await client.chat.completions.create({
      model: up.model(),
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` } },
          ],
        },
      ],
    });
    expect(res.choices[0]!.message.content).toBe("Hello from fake: what is this [images:1]");
  });

  test("reasoning arrives as reasoning_content", async () => {
    const stream = await client.chat.completions.create({
      model: up.model("reasoning"),
      messages: [{ role: "user", content: "think first" }],
      stream: true,
      reasoning_effort: "low",
    });
    let reasoning = "";
    let text = "";
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? "";
      text += delta?.content ?? "";
    }
    expect(reasoning).toBe("Let me think.");
    expect(text).toBe("Hello from fake: think first");
  });

  test("an upstream 429 becomes the SDK's RateLimitError", async () => {
    const err = await client.chat.completions.create({ model: up.model("error-429"), messages: [{ role: "user", content: "x" }] }).then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  });
});
