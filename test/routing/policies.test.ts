// Policy rules: matching by key, model glob and time window; first match by priority decides.
import { describe, expect, test } from "bun:test";
import { capBodyMaxTokens, decidingPolicy, globMatches, inTimeWindow, PolicyInputSchema, type Policy } from "../../src/routing/policies.ts";

let n = 0;
const policy = (input: Record<string, unknown>): Policy => ({ ...PolicyInputSchema.parse({ name: `p${++n}`, ...input }), id: `id${n}`, createdAt: n });
// 2025-01-06 is a Monday.
const at = (hhmm: string, day = "2025-01-06") => Date.parse(`${day}T${hhmm}:00Z`);

describe("policies", () => {
  test("globs", () => {
    expect(globMatches("openai/*", "openai/gpt-4o")).toBe(true);
    expect(globMatches("openai/*", "groq/llama")).toBe(false);
    expect(globMatches("*gpt-4?", "openai/gpt-4o")).toBe(true);
    expect(globMatches("claude-*", "CLAUDE-opus")).toBe(true);
    expect(globMatches("a.b", "axb")).toBe(false);
  });

  test("time windows, wrapping midnight, days and offsets", () => {
    const office = { from: "09:00", to: "17:00", days: [1, 2, 3, 4, 5], utcOffsetMinutes: 0 };
    expect(inTimeWindow(office, at("09:00"))).toBe(true);
    expect(inTimeWindow(office, at("17:00"))).toBe(false);
    expect(inTimeWindow(office, at("12:00", "2025-01-05"))).toBe(false); // Sunday
    const night = { from: "22:00", to: "06:00", utcOffsetMinutes: 0 };
    expect(inTimeWindow(night, at("23:30"))).toBe(true);
    expect(inTimeWindow(night, at("05:59"))).toBe(true);
    expect(inTimeWindow(night, at("12:00"))).toBe(false);
    // 08:30 UTC is 10:30 at UTC+2.
    expect(inTimeWindow({ ...office, utcOffsetMinutes: 120 }, at("08:30"))).toBe(true);
  });

  test("the first enabled match by priority decides", () => {
    const rules = [
      policy({ priority: 50, action: "allow", match: { models: ["*"] }, maxTokens: 100 }),
      policy({ priority: 10, action: "deny", match: { apiKeyIds: ["bad"] }, message: "no" }),
      policy({ priority: 5, enabled: false, action: "deny", match: {} }),
    ];
    expect(decidingPolicy(rules, { apiKeyId: "bad", model: "x", now: 0 })?.action).toBe("deny");
    expect(decidingPolicy(rules, { apiKeyId: "good", model: "x", now: 0 })).toMatchObject({ action: "allow", maxTokens: 100 });
    expect(decidingPolicy(rules, { apiKeyId: null, model: "x", now: 0 })?.action).toBe("allow");
    expect(decidingPolicy([rules[1]!], { apiKeyId: null, model: "x", now: 0 })).toBeNull();
  });

  test("only allow rules change a request", () => {
    expect(PolicyInputSchema.safeParse({ name: "x", action: "deny", maxTokens: 5 }).success).toBe(false);
    expect(PolicyInputSchema.safeParse({ name: "x", action: "allow", forceModel: "fast" }).success).toBe(true);
    expect(PolicyInputSchema.safeParse({ name: "x", action: "allow", match: { time: { from: "9:00", to: "10:00" } } }).success).toBe(false);
  });

  test("max tokens are capped in each client format's own field", () => {
    const chat: Record<string, unknown> = { max_tokens: 5000 };
    capBodyMaxTokens(chat, "openai-chat", 100);
    expect(chat).toEqual({ max_tokens: 100 });
    const o1: Record<string, unknown> = { max_completion_tokens: 50 };
    capBodyMaxTokens(o1, "openai-chat", 100);
    expect(o1).toEqual({ max_completion_tokens: 50 });
    const anthropic: Record<string, unknown> = { max_tokens: 4096 };
    capBodyMaxTokens(anthropic, "anthropic", 1000);
    expect(anthropic.max_tokens).toBe(1000);
    const gemini: Record<string, unknown> = { generationConfig: { temperature: 0 } };
    capBodyMaxTokens(gemini, "gemini", 64);
    expect(gemini.generationConfig).toEqual({ temperature: 0, maxOutputTokens: 64 });
    const ollama: Record<string, unknown> = {};
    capBodyMaxTokens(ollama, "ollama", 64);
    expect(ollama.options).toEqual({ num_predict: 64 });
    const responses: Record<string, unknown> = {};
    capBodyMaxTokens(responses, "openai-responses", 64);
    expect(responses.max_output_tokens).toBe(64);
  });
});
