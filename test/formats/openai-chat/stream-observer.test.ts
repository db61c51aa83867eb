import { describe, expect, test } from "bun:test";
import { createOpenAiStreamObserver } from "../../../src/formats/openai-chat/stream-observer.ts";
import { splitEvery } from "../../support/stream-splits.ts";

// Recorded shape of an OpenAI stream with stream_options.include_usage (non-ASCII included so
// that splits land inside multi-byte characters).
const FIXTURE = new Uint8Array(await Bun.file(new URL("../../fixtures/openai-chat/stream-with-usage.sse", import.meta.url)).arrayBuffer());
const decoder = () => new TextDecoder();

function run(parts: Uint8Array[], strip: boolean) {
  const obs = createOpenAiStreamObserver({ stripUsageChunk: strip });
  const d = decoder();
  let out = "";
  for (const p of parts) out += d.decode(obs.push(p), { stream: true });
  out += d.decode(obs.end());
  return { out, observation: obs.observation };
}

describe("OpenAI stream observer", () => {
  const splits = [[1], [2], [3], [7], [13], [64], [1, 5, 2, 11], [FIXTURE.length]];

  for (const sizes of splits) {
    test(`pass-through is byte-identical and usage is read (chunks of ${sizes.join(",")})`, () => {
      const { out, observation } = run(splitEvery(FIXTURE, sizes), false);
      expect(out).toBe(new TextDecoder().decode(FIXTURE));
      expect(observation.usage).toEqual({ promptTokens: 19, completionTokens: 10, totalTokens: 29, cachedTokens: 4, reasoningTokens: 2 });
      expect(observation.finishReason).toBe("stop");
      expect(observation.sawDone).toBe(true);
      expect(observation.events).toBe(6);
    });

    test(`stripping removes exactly the usage-only chunk (chunks of ${sizes.join(",")})`, () => {
      const { out, observation } = run(splitEvery(FIXTURE, sizes), true);
      const events = out.split("\n\n").filter(Boolean);
      expect(events).toHaveLength(5);
      expect(events.some((e) => e.includes('"prompt_tokens"'))).toBe(false);
      expect(out).toContain("città 🌍");
      expect(observation.usage.totalTokens).toBe(29);
    });
  }

  test("an error object inside the stream is noticed", () => {
    const obs = createOpenAiStreamObserver({ stripUsageChunk: false });
    obs.push(new TextEncoder().encode('data: {"error":{"message":"overloaded","type":"server_error"}}\n\n'));
    obs.end();
    expect(obs.observation.error).toBe("overloaded");
  });

  test("CRLF-delimited events are understood", () => {
    const obs = createOpenAiStreamObserver({ stripUsageChunk: true });
    const text = 'data: {"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"length"}]}\r\n\r\ndata: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\r\n\r\ndata: [DONE]\r\n\r\n';
    const out = new TextDecoder().decode(obs.push(new TextEncoder().encode(text))) + new TextDecoder().decode(obs.end());
    expect(obs.observation.finishReason).toBe("length");
    expect(obs.observation.usage.totalTokens).toBe(3);
    expect(out).not.toContain("prompt_tokens");
    expect(out).toContain("[DONE]");
  });

  test("atBoundary is false while a partial event is held", () => {
    const obs = createOpenAiStreamObserver({ stripUsageChunk: false });
    obs.push(new TextEncoder().encode('data: {"choi'));
    expect(obs.atBoundary()).toBe(false);
    obs.push(new TextEncoder().encode('ces":[]}\n\n'));
    expect(obs.atBoundary()).toBe(true);
  });
});
