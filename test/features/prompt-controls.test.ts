// The global system prompt and the thinking-budget policy, seen from the upstream: what each
// fake received for every client format, passed through (the client's own body, in its own
// place) and translated (the canonical form, placed by the upstream's writer).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startMatrixWithFakes, type MatrixWithFakes } from "../matrix/harness.ts";
import { systemPromptRaw } from "../../src/features/system-prompt.ts";
import { thinkingBudgetRaw } from "../../src/features/thinking-budget.ts";

let m: MatrixWithFakes;
const G = "GLOBAL RULES";

const post = (path: string, body: unknown) =>
  fetch(`${m.base}${path}`, { method: "POST", headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
const call = async (path: string, body: unknown) => {
  const res = await post(path, body);
  const text = await res.text();
  expect(res.status, text).toBe(200);
};
const put = async (path: string, body: unknown) => {
  const res = await m.gw.request(path, { method: "PUT", json: body });
  expect(res.status).toBe(200);
  return res.json();
};
const last = (fake: { requests: { body: any }[] }) => fake.requests.at(-1)!.body;

beforeAll(async () => {
  m = await startMatrixWithFakes();
});
afterAll(() => m.close());
afterEach(async () => {
  await put("/api/settings/system-prompt", { enabled: false, prompt: "", mode: "prepend" });
  await put("/api/settings/thinking-budget", { mode: "passthrough" });
});

describe("control plane", () => {
  test("GET shows the defaults; PUT merges a subset and answers the whole config; bad values are 400", async () => {
    expect(await (await m.gw.request("/api/settings/system-prompt")).json()).toEqual({ enabled: false, prompt: "", mode: "prepend" });
    expect(await (await m.gw.request("/api/settings/thinking-budget")).json()).toEqual({ mode: "passthrough", budgetTokens: 8192 });
    expect(await put("/api/settings/system-prompt", { enabled: true, prompt: G })).toEqual({ enabled: true, prompt: G, mode: "prepend" });
    expect(await put("/api/settings/system-prompt", { mode: "append" })).toEqual({ enabled: true, prompt: G, mode: "append" });
    expect(await put("/api/settings/thinking-budget", { mode: "cap", budgetTokens: 4096 })).toEqual({ mode: "cap", budgetTokens: 4096 });
    for (const [path, body] of [
      ["/api/settings/system-prompt", { mode: "sideways" }],
      ["/api/settings/system-prompt", { prompt: 42 }],
      ["/api/settings/system-prompt", { unknown: true }],
      ["/api/settings/thinking-budget", { budgetTokens: -1 }],
      ["/api/settings/thinking-budget", {}],
    ] as const) {
      const res = await m.gw.request(path, { method: "PUT", json: body });
      expect(res.status).toBe(400);
    }
  });
});

describe("system prompt, pass-through (the client's body, in its format's place)", () => {
  test("OpenAI Chat: a new first system message, or merged into the client's own", async () => {
    await put("/api/settings/system-prompt", { enabled: true, prompt: G, mode: "prepend" });
    await call("/v1/chat/completions", { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.openai).messages).toEqual([{ role: "system", content: G }, { role: "user", content: "hi" }]);
    await call("/v1/chat/completions", { model: "openai/gpt-4o-mini", messages: [{ role: "developer", content: "be brief" }, { role: "user", content: "hi" }] });
    expect(last(m.fakes.openai).messages[0]).toEqual({ role: "developer", content: `${G}\n\nbe brief` });
    await put("/api/settings/system-prompt", { mode: "append" });
    await call("/v1/chat/completions", { model: "openai/gpt-4o-mini", messages: [{ role: "system", content: [{ type: "text", text: "be brief" }] }, { role: "user", content: "hi" }] });
    expect(last(m.fakes.openai).messages[0].content).toEqual([{ type: "text", text: "be brief" }, { type: "text", text: G }]);
    await put("/api/settings/system-prompt", { mode: "replace" });
    await call("/v1/chat/completions", { model: "openai/gpt-4o-mini", messages: [{ role: "system", content: "mine" }, { role: "user", content: "hi" }, { role: "system", content: "also mine" }] });
    expect(last(m.fakes.openai).messages).toEqual([{ role: "system", content: G }, { role: "user", content: "hi" }]);
  });

  test("Anthropic: `system` as a string or as blocks, cache_control kept", async () => {
    await put("/api/settings/system-prompt", { enabled: true, prompt: G, mode: "prepend" });
    const msg = { model: "anthropic/claude-sonnet-4-5", max_tokens: 50, messages: [{ role: "user", content: "hi" }] };
    await call("/v1/messages", msg);
    expect(last(m.fakes.anthropic).system).toBe(G);
    await call("/v1/messages", { ...msg, system: "client prompt" });
    expect(last(m.fakes.anthropic).system).toBe(`${G}\n\nclient prompt`);
    await put("/api/settings/system-prompt", { mode: "append" });
    const blocks = [{ type: "text", text: "long cached prompt", cache_control: { type: "ephemeral" } }];
    await call("/v1/messages", { ...msg, system: blocks });
    expect(last(m.fakes.anthropic).system).toEqual([...blocks, { type: "text", text: G }]);
  });

  test("Gemini: systemInstruction parts", async () => {
    await put("/api/settings/system-prompt", { enabled: true, prompt: G, mode: "append" });
    await call("/v1beta/models/gemini/gemini-2.5-flash:generateContent", {
      systemInstruction: { parts: [{ text: "client" }] },
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
    });
    expect(last(m.fakes.gemini).systemInstruction).toEqual({ parts: [{ text: "client" }, { text: G }] });
    await call("/v1beta/models/gemini/gemini-2.5-flash:generateContent", { contents: [{ role: "user", parts: [{ text: "hi" }] }] });
    expect(last(m.fakes.gemini).systemInstruction).toEqual({ parts: [{ text: G }] });
  });

  test("Ollama: a system message (string content)", async () => {
    await put("/api/settings/system-prompt", { enabled: true, prompt: G, mode: "prepend" });
    await call("/api/chat", { model: "ollama/llama3.2", stream: false, messages: [{ role: "system", content: "client" }, { role: "user", content: "hi" }] });
    expect(last(m.fakes.ollama).messages[0]).toEqual({ role: "system", content: `${G}\n\nclient` });
  });
});

describe("system prompt, translated (canonical form, placed by the upstream's writer)", () => {
  test("OpenAI Chat → Anthropic, Anthropic → Gemini, Responses → OpenAI, Gemini → Ollama", async () => {
    await put("/api/settings/system-prompt", { enabled: true, prompt: G, mode: "prepend" });
    await call("/v1/chat/completions", { model: "anthropic/claude-sonnet-4-5", messages: [{ role: "system", content: "client" }, { role: "user", content: "hi" }] });
    const sys = last(m.fakes.anthropic).system;
    expect((typeof sys === "string" ? sys : sys.map((b: any) => b.text).join("\n\n")).startsWith(G)).toBe(true);
    expect(JSON.stringify(sys)).toContain("client");

    await call("/v1/messages", { model: "gemini/gemini-2.5-flash", max_tokens: 50, system: "client", messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.gemini).systemInstruction.parts.map((p: any) => p.text)).toEqual([G, "client"]);

    await call("/v1/responses", { model: "openai/gpt-4o-mini", instructions: "client", input: "hi" });
    expect(last(m.fakes.openai).messages[0]).toEqual({ role: "system", content: `${G}\n\nclient` });

    await put("/api/settings/system-prompt", { mode: "replace" });
    await call("/v1beta/models/ollama/llama3.2:generateContent", { systemInstruction: { parts: [{ text: "client" }] }, contents: [{ role: "user", parts: [{ text: "hi" }] }] });
    expect(last(m.fakes.ollama).messages[0]).toEqual({ role: "system", content: G });
  });

  test("a fallback from a pass-through target to a translated one places the prompt once", async () => {
    await put("/api/settings/system-prompt", { enabled: true, prompt: G, mode: "prepend" });
    await m.gw.request("/api/combos", { method: "POST", json: { name: "prompt-fb", targets: ["openai/gpt-4o-mini-error-503", "anthropic/claude-sonnet-4-5"] } });
    await call("/v1/chat/completions", { model: "prompt-fb", messages: [{ role: "user", content: "hi" }] });
    expect(JSON.stringify(last(m.fakes.anthropic).system).split(G).length - 1).toBe(1);
  });
});

describe("thinking budget", () => {
  test("cap: each format's own field is lowered, nothing is added", async () => {
    await put("/api/settings/thinking-budget", { mode: "cap", budgetTokens: 4096 });
    await call("/v1/messages", { model: "anthropic/claude-sonnet-4-5", max_tokens: 20000, thinking: { type: "enabled", budget_tokens: 16000 }, messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.anthropic).thinking).toEqual({ type: "enabled", budget_tokens: 4096 });
    await call("/v1/chat/completions", { model: "openai/gpt-4o-mini", reasoning_effort: "high", messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.openai).reasoning_effort).toBe("low");
    await call("/v1/chat/completions", { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.openai).reasoning_effort).toBeUndefined();
    await call("/v1beta/models/gemini/gemini-2.5-flash:generateContent", { contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig: { thinkingConfig: { thinkingBudget: -1 } } });
    expect(last(m.fakes.gemini).generationConfig.thinkingConfig).toEqual({ thinkingBudget: 4096 });
    await call("/api/chat", { model: "ollama/llama3.2", stream: false, think: "high", messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.ollama).think).toBe("low");
    // Translated: OpenAI's effort becomes an Anthropic budget within the cap.
    await call("/v1/chat/completions", { model: "anthropic/claude-sonnet-4-5", reasoning_effort: "high", max_tokens: 10000, messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.anthropic).thinking).toEqual({ type: "enabled", budget_tokens: 4096 });
  });

  test("force: every request reasons with the budget (0: none)", async () => {
    await put("/api/settings/thinking-budget", { mode: "force", budgetTokens: 2048 });
    await call("/v1/messages", { model: "anthropic/claude-sonnet-4-5", max_tokens: 1000, temperature: 0.5, messages: [{ role: "user", content: "hi" }] });
    const a = last(m.fakes.anthropic);
    expect(a.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(a.max_tokens).toBeGreaterThan(2048);
    expect(a.temperature).toBeUndefined();
    await call("/v1/chat/completions", { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.openai).reasoning_effort).toBe("low");
    await call("/v1/chat/completions", { model: "gemini/gemini-2.5-flash", messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.gemini).generationConfig.thinkingConfig.thinkingBudget).toBe(2048);

    await put("/api/settings/thinking-budget", { budgetTokens: 0 });
    await call("/v1/messages", { model: "anthropic/claude-sonnet-4-5", max_tokens: 3000, thinking: { type: "enabled", budget_tokens: 2000 }, messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.anthropic).thinking).toBeUndefined();
    await call("/v1/chat/completions", { model: "openai/gpt-4o-mini", reasoning_effort: "medium", messages: [{ role: "user", content: "hi" }] });
    expect(last(m.fakes.openai).reasoning_effort).toBeUndefined();
  });
});

describe("the raw transforms leave the client's object alone", () => {
  test("system prompt and thinking budget return new objects", () => {
    const body = { messages: [{ role: "system", content: "x" }], reasoning_effort: "high" };
    const copy = structuredClone(body);
    systemPromptRaw("openai", body, { enabled: true, prompt: G, mode: "replace" });
    thinkingBudgetRaw("openai", body, { mode: "cap", budgetTokens: 0 });
    expect(body).toEqual(copy);
  });
});
