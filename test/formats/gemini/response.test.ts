import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { CanonicalResponse } from "../../../src/formats/canonical.ts";
import {
  canonicalToGeminiResponse,
  geminiClient,
  geminiErrorBody,
  geminiRequestToCanonical,
  geminiResponseToCanonical,
  geminiRetryDelaySeconds,
  geminiUpstream,
} from "../../../src/formats/gemini/index.ts";

const fixture = async (name: string) => JSON.parse(await Bun.file(new URL(`../../fixtures/gemini/${name}`, import.meta.url)).text());
const ctx = { requestedModel: "gemini-2.5-flash", includeUsage: true };

describe("Gemini response → canonical", () => {
  test("plain text answer with thoughts counted as output", async () => {
    const res = geminiUpstream.parseResponse(await fixture("response-text.json"));
    expect(res).toEqual({
      id: "kq1oaMCzKdmV1MkPqdTFyQ4",
      model: "gemini-2.5-flash",
      content: [{ type: "text", text: "Bonjour ! Il fait beau à Paris aujourd’hui 🌞" }],
      finishReason: "stop",
      usage: { promptTokens: 9, completionTokens: 49, totalTokens: 58, cachedTokens: null, reasoningTokens: 37 },
    });
  });

  test("function calls: ids generated, STOP → tool_calls, the signature stays on its call", async () => {
    const json = await fixture("response-function-call.json");
    const res = geminiResponseToCanonical(json);
    expect(res.finishReason).toBe("tool_calls");
    const [a, b] = res.content as any[];
    expect(a).toMatchObject({ type: "tool_call", name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}', signature: json.candidates[0].content.parts[0].thoughtSignature });
    expect(b).toMatchObject({ type: "tool_call", name: "get_time", arguments: '{"tz":"Europe/Paris"}' });
    expect(b.signature).toBeUndefined();
    expect(a.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(a.id).not.toBe(b.id);
    expect(res.usage).toEqual({ promptTokens: 83, completionTokens: 134, totalTokens: 217, cachedTokens: null, reasoningTokens: 104 });
  });

  test("finish reasons, blocked prompts, thought parts and an id of the upstream's own", () => {
    const one = (finishReason: string) => geminiResponseToCanonical({ candidates: [{ content: { parts: [{ text: "x" }] }, finishReason }] }).finishReason;
    expect(one("MAX_TOKENS")).toBe("length");
    expect(one("SAFETY")).toBe("content_filter");
    expect(one("RECITATION")).toBe("content_filter");
    expect(one("PROHIBITED_CONTENT")).toBe("content_filter");
    expect(one("OTHER")).toBe("stop");
    expect(geminiResponseToCanonical({ promptFeedback: { blockReason: "SAFETY" } }).finishReason).toBe("content_filter");
    const r = geminiResponseToCanonical({
      candidates: [{ content: { role: "model", parts: [{ text: "think", thought: true }, { text: "Hel" }, { text: "lo", thoughtSignature: "U0lH" }, { functionCall: { id: "fc-1", name: "f", args: { a: 1 } } }] }, finishReason: "STOP" }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5, cachedContentTokenCount: 2 },
    });
    expect(r.content).toEqual([
      { type: "thinking", text: "think" },
      { type: "text", text: "Hel" },
      { type: "thinking", text: "", signature: "U0lH" },
      { type: "text", text: "lo" },
      { type: "tool_call", id: "fc-1", name: "f", arguments: '{"a":1}' },
    ]);
    expect(r.usage).toEqual({ promptTokens: 3, completionTokens: 2, totalTokens: 5, cachedTokens: 2, reasoningTokens: null });
    expect(r.id).toMatch(/^[A-Za-z0-9_-]{23}$/);
    expect(() => geminiResponseToCanonical({ error: { code: 500, message: "boom", status: "INTERNAL" } })).toThrow("boom");
  });
});

describe("canonical → Gemini response", () => {
  const res: CanonicalResponse = {
    id: "resp-1",
    model: "claude-sonnet-4-5",
    content: [
      { type: "thinking", text: "Let me think.", signature: "sig-from-elsewhere" },
      { type: "text", text: "Calling." },
      { type: "tool_call", id: "toolu_01", name: "get_weather", arguments: '{"city":"Paris"}' },
    ],
    finishReason: "tool_calls",
    usage: { promptTokens: 10, completionTokens: 7, totalTokens: 17, cachedTokens: 4, reasoningTokens: 3 },
  };

  test("exact GenerateContentResponse shape", () => {
    expect(geminiClient.renderResponse(res, ctx)).toEqual({
      candidates: [
        {
          content: {
            parts: [
              { text: "Let me think.", thought: true, thoughtSignature: "sig-from-elsewhere" },
              { text: "Calling." },
              { functionCall: { id: "toolu_01", name: "get_weather", args: { city: "Paris" } } },
            ],
            role: "model",
          },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 4, totalTokenCount: 17, cachedContentTokenCount: 4, thoughtsTokenCount: 3 },
      modelVersion: "gemini-2.5-flash",
      responseId: "resp-1",
    });
  });

  test("an empty answer still has a text part; a filtered one has none; unknown usage is left out", () => {
    const empty = canonicalToGeminiResponse({ ...res, content: [], finishReason: "length", usage: { promptTokens: null, completionTokens: null, totalTokens: null, cachedTokens: null, reasoningTokens: null } }, ctx);
    expect(empty.candidates[0]).toEqual({ content: { parts: [{ text: "" }], role: "model" }, finishReason: "MAX_TOKENS", index: 0 });
    expect(empty.usageMetadata).toBeUndefined();
    const filtered = canonicalToGeminiResponse({ ...res, content: [], finishReason: "content_filter" }, ctx);
    expect(filtered.candidates[0]).toEqual({ finishReason: "SAFETY", index: 0 });
  });

  test("a trailing signature goes back on the last answer part, as Gemini 2.5 sends it", () => {
    const out = canonicalToGeminiResponse({ ...res, content: [{ type: "text", text: "Hi" }, { type: "thinking", text: "", signature: "U0lH" }], finishReason: "stop" }, ctx);
    expect(out.candidates[0].content.parts).toEqual([{ text: "Hi", thoughtSignature: "U0lH" }]);
  });

  test("a signature-only reasoning before a call stays a thought part (it would read back as the call's)", () => {
    const content: CanonicalResponse["content"] = [
      { type: "thinking", text: "", signature: "ZW5j" },
      { type: "tool_call", id: "fc_1", name: "f", arguments: "{}" },
    ];
    const parts = canonicalToGeminiResponse({ ...res, content }, ctx).candidates[0].content.parts;
    expect(parts).toEqual([{ text: "", thought: true, thoughtSignature: "ZW5j" }, { functionCall: { id: "fc_1", name: "f", args: {} } }]);
    expect(geminiRequestToCanonical({ contents: [{ role: "model", parts }] }).messages[0]!.content).toEqual(content);
  });

  test("Gemini → canonical → Gemini keeps parts, signatures and usage", async () => {
    const json = await fixture("response-function-call.json");
    const back = canonicalToGeminiResponse(geminiResponseToCanonical(json), ctx);
    const parts = back.candidates[0].content.parts;
    expect(parts.map((p: any) => ({ name: p.functionCall.name, args: p.functionCall.args, sig: p.thoughtSignature }))).toEqual(
      json.candidates[0].content.parts.map((p: any) => ({ name: p.functionCall.name, args: p.functionCall.args, sig: p.thoughtSignature })),
    );
    expect(back.usageMetadata).toEqual({ promptTokenCount: 83, candidatesTokenCount: 30, totalTokenCount: 217, thoughtsTokenCount: 104 });
    expect(back.candidates[0].finishReason).toBe("STOP");
    expect(back.responseId).toBe(json.responseId);
  });
});

describe("Gemini error bodies", () => {
  test("google.rpc.Status with the status name of the code", () => {
    const cases: [number, string][] = [
      [400, "INVALID_ARGUMENT"],
      [401, "UNAUTHENTICATED"],
      [403, "PERMISSION_DENIED"],
      [404, "NOT_FOUND"],
      [429, "RESOURCE_EXHAUSTED"],
      [500, "INTERNAL"],
      [502, "UNAVAILABLE"],
      [503, "UNAVAILABLE"],
      [504, "DEADLINE_EXCEEDED"],
    ];
    for (const [status, name] of cases) {
      expect(geminiErrorBody(new GatewayError(status, "upstream_error", "nope"))).toEqual({ error: { code: status, message: "nope", status: name } });
    }
    expect(geminiClient.errorBody(new GatewayError(529, "upstream_error", "overloaded"))).toEqual({ error: { code: 503, message: "overloaded", status: "UNAVAILABLE" } });
  });

  test("retry-after travels as a RetryInfo detail, and is read back from Google's body", async () => {
    const body = geminiErrorBody(new GatewayError(429, "rate_limited", "slow down", { retryAfter: "7" }));
    expect(body.error.details).toEqual([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }]);
    expect(geminiRetryDelaySeconds(body)).toBe(7);
    expect(geminiRetryDelaySeconds(await fixture("error-429.json"))).toBe(7);
    expect(geminiRetryDelaySeconds(await fixture("error-403-no-key.json"))).toBeUndefined();
  });
});
