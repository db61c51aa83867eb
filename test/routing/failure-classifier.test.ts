// The fallback decision: which failures move on, which stay, and what they do to health.
import { describe, expect, test } from "bun:test";
import { classifyFailure } from "../../src/routing/failure-classifier.ts";
import { defaultResilienceConfig } from "../../src/routing/resilience-config.ts";

const fallback = defaultResilienceConfig().fallback;
const classify = (status: number, message = "", code = "upstream_error") => classifyFailure({ status, code, message }, fallback);

describe("classifyFailure", () => {
  test("transport failures and 5xx advance and count against the breaker", () => {
    expect(classify(502, "refused", "upstream_unreachable")).toEqual({ kind: "unreachable", advance: true, accountScoped: false, breakerFailure: true, retrySame: true });
    expect(classify(504, "", "upstream_timeout")).toMatchObject({ kind: "timeout", advance: true, breakerFailure: true, retrySame: false });
    expect(classify(502, "", "upstream_bad_response")).toMatchObject({ kind: "bad_response", advance: true, breakerFailure: true });
    for (const s of [500, 502, 503, 504, 529]) expect(classify(s)).toMatchObject({ kind: "server_error", advance: true, breakerFailure: true });
    expect(classify(529).retrySame).toBe(true);
    expect(classify(500).retrySame).toBe(false);
  });

  test("account failures move to the next connection, not the breaker", () => {
    expect(classify(429, "Rate limit reached")).toEqual({ kind: "rate_limited", advance: true, accountScoped: true, breakerFailure: false, retrySame: false });
    // Quota 429s cool only the model (Gemini's per-model quotas read the same as OpenAI's).
    expect(classify(429, "You exceeded your current quota, please check your plan and billing details.")).toMatchObject({ kind: "rate_limited", advance: true, accountScoped: true });
    expect(classify(400, "Your credit balance is too low to access the Anthropic API.")).toMatchObject({ kind: "quota", advance: true, accountScoped: true });
    expect(classify(402, "Payment required")).toMatchObject({ kind: "quota", advance: true });
    expect(classify(401, "Incorrect API key")).toMatchObject({ kind: "auth", advance: true, accountScoped: true });
    expect(classify(403, "forbidden")).toMatchObject({ kind: "auth", advance: true });
  });

  test("4xx that mean 'this model can't' advance; other 4xx stop", () => {
    expect(classify(400, "This model's maximum context length is 128000 tokens.")).toMatchObject({ kind: "capability", advance: true, accountScoped: false });
    expect(classify(404, "The model `x` does not exist or you do not have access to it.")).toMatchObject({ kind: "capability", advance: true });
    expect(classify(413, "Request too large")).toMatchObject({ kind: "capability", advance: true });
    expect(classify(408, "timeout")).toMatchObject({ kind: "capability", advance: true, retrySame: true });
    expect(classify(400, "Invalid 'temperature': must be <= 2")).toMatchObject({ kind: "client_error", advance: false });
    expect(classify(422, "messages: field required")).toMatchObject({ kind: "client_error", advance: false });
    expect(classify(499, "client closed the request")).toMatchObject({ kind: "cancelled", advance: false });
  });

  test("the lists are configurable", () => {
    const custom = { ...fallback, statuses: [409], conditionalStatuses: [400], messagePatterns: ["temperature"] };
    expect(classifyFailure({ status: 409, code: "upstream_error", message: "" }, custom).advance).toBe(true);
    expect(classifyFailure({ status: 429, code: "upstream_error", message: "slow down" }, custom).advance).toBe(false);
    expect(classifyFailure({ status: 400, code: "upstream_error", message: "Invalid 'temperature'" }, custom).advance).toBe(true);
    expect(classifyFailure({ status: 400, code: "upstream_error", message: "maximum context length" }, custom).advance).toBe(false);
  });
});
