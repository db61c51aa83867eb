import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { CanonicalRequest } from "../../../src/formats/canonical.ts";
import { canonicalToGeminiRequest, geminiClient, geminiRequestToCanonical, geminiUpstream } from "../../../src/formats/gemini/index.ts";

const fixture = async (name: string) => JSON.parse(await Bun.file(new URL(`../../fixtures/gemini/${name}`, import.meta.url)).text());
const REQUEST = await fixture("request-tool-history.json");
const FC_SIG = REQUEST.contents[1].parts[1].thoughtSignature as string;
const TEXT_SIG = REQUEST.contents[3].parts[0].thoughtSignature as string;

const base = (over: Partial<CanonicalRequest> = {}): CanonicalRequest => ({ model: "x", system: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], stream: false, ...over });

describe("Gemini request → canonical", () => {
  const c = geminiRequestToCanonical(REQUEST, { model: "models/gemini-2.5-flash", stream: true });

  test("model and streaming come from the URL", () => {
    expect(c.model).toBe("gemini-2.5-flash");
    expect(c.stream).toBe(true);
    expect(geminiClient.parseRequest({ contents: [{ parts: [{ text: "x" }] }] }, { pathModel: "m", pathStream: false }).stream).toBe(false);
  });

  test("snake_case system_instruction, inline_data and max_output_tokens are read", () => {
    expect(c.system).toEqual([{ type: "text", text: "You are terse." }]);
    expect(c.messages[0]!.content[1]).toEqual({ type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } });
    expect(c.maxTokens).toBe(256);
  });

  test("function calls get stable ids and id-less responses answer them in order, by name", () => {
    const calls = c.messages[1]!.content.filter((p) => p.type === "tool_call") as any[];
    expect(calls).toHaveLength(2);
    expect(calls[0].id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(calls[0].id).not.toBe(calls[1].id);
    expect(calls[0]).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}', signature: FC_SIG });
    expect(calls[1].signature).toBeUndefined();
    const results = c.messages[2]!.content as any[];
    expect(results.map((r) => r.toolCallId)).toEqual([calls[0].id, calls[1].id]);
    expect(results[0]).toEqual({ type: "tool_result", toolCallId: calls[0].id, name: "get_weather", content: [{ type: "text", text: "sunny, 21°C" }] });
    expect(results[1].content).toEqual([{ type: "text", text: '{"temp":25,"sky":"clear"}' }]);
    // Same request, same ids (cache keys, idempotency).
    const again = geminiRequestToCanonical(REQUEST, { model: "gemini-2.5-flash" });
    expect((again.messages[1]!.content[1] as any).id).toBe(calls[0].id);
  });

  test("a response with an id answers that call; the latest turn wins for id-less ones", () => {
    const body = {
      contents: [
        { role: "user", parts: [{ text: "go" }] },
        { role: "model", parts: [{ functionCall: { id: "a1", name: "f", args: {} } }, { functionCall: { id: "b2", name: "f", args: {} } }] },
        { role: "user", parts: [{ functionResponse: { id: "b2", name: "f", response: { output: "B" } } }, { functionResponse: { name: "f", response: { output: "A" } } }] },
        { role: "model", parts: [{ functionCall: { name: "f", args: { n: 1 } } }] },
        { role: "user", parts: [{ functionResponse: { name: "f", response: { error: "boom" } } }] },
      ],
    };
    const r = geminiRequestToCanonical(body);
    const ids = (i: number) => (r.messages[i]!.content as any[]).map((p) => p.toolCallId);
    expect(ids(2)).toEqual(["b2", "a1"]);
    const lastCall = r.messages[3]!.content[0] as any;
    expect(r.messages[4]!.content[0]).toEqual({ type: "tool_result", toolCallId: lastCall.id, name: "f", content: [{ type: "text", text: "boom" }], isError: true });
  });

  test("a signature on an answer part signs the reasoning before it; thoughts keep theirs", () => {
    expect(c.messages[1]!.content[0]).toEqual({ type: "thinking", text: "Planning the calls" });
    expect(c.messages[3]!.content).toEqual([
      { type: "thinking", text: "", signature: TEXT_SIG },
      { type: "text", text: "Paris: sunny. Rome: clear." },
    ]);
    const merged = geminiRequestToCanonical({
      contents: [{ role: "model", parts: [{ text: "hmm", thought: true }, { text: "ok", thoughtSignature: "U0lH" }] }],
    });
    expect(merged.messages[0]!.content).toEqual([
      { type: "thinking", text: "hmm", signature: "U0lH" },
      { type: "text", text: "ok" },
    ]);
  });

  test("a chat history of streamed chunks (one model turn per chunk) keeps thoughts and signature together", () => {
    // What @google/genai's chats.sendMessageStream records: every chunk's content is a turn.
    const r = geminiRequestToCanonical({
      contents: [
        { role: "user", parts: [{ text: "first" }] },
        { role: "model", parts: [{ text: "Let ", thought: true }] },
        { role: "model", parts: [{ text: "me think.", thought: true }] },
        { role: "model", parts: [{ text: "Hello ", thoughtSignature: "sig-fake-1" }] },
        { role: "model", parts: [{ text: "there" }] },
        { role: "model", parts: [{ text: "", thoughtSignature: "U0lH" }] },
        { role: "user", parts: [{ text: "second" }] },
      ],
    });
    expect(r.messages).toHaveLength(3);
    expect(r.messages[1]!.content).toEqual([
      { type: "thinking", text: "Let me think.", signature: "sig-fake-1" },
      { type: "text", text: "Hello " },
      { type: "text", text: "there" },
      { type: "thinking", text: "", signature: "U0lH" },
    ]);
    // A signed thought is complete: the next thought starts a block of its own.
    const signed = geminiRequestToCanonical({ contents: [{ role: "model", parts: [{ text: "a", thought: true, thoughtSignature: "QQ==" }, { text: "b", thought: true }] }] });
    expect(signed.messages[0]!.content).toEqual([
      { type: "thinking", text: "a", signature: "QQ==" },
      { type: "thinking", text: "b" },
    ]);
  });

  test("tool results come first in a user message made of several user turns", () => {
    const r = geminiRequestToCanonical({
      contents: [
        { role: "user", parts: [{ text: "go" }] },
        { role: "model", parts: [{ functionCall: { id: "c1", name: "f", args: {} } }] },
        { role: "user", parts: [{ text: "here you are" }] },
        { role: "user", parts: [{ functionResponse: { id: "c1", name: "f", response: { output: "R" } } }] },
      ],
    });
    expect((r.messages[2]!.content as any[]).map((p) => p.type)).toEqual(["tool_result", "text"]);
  });

  test("tools: OpenAPI types become JSON Schema, Google-hosted tools are dropped, ANY + one name → that tool", () => {
    expect(c.tools).toEqual([
      {
        name: "get_weather",
        description: "Current weather",
        parameters: { type: "object", properties: { city: { type: "string" }, days: { type: ["integer", "null"] } }, required: ["city"] },
      },
    ]);
    expect(c.toolChoice).toEqual({ type: "tool", name: "get_weather" });
    const js = { type: "object", properties: { q: { type: "string" } }, additionalProperties: false };
    const r = geminiRequestToCanonical({
      contents: [{ parts: [{ text: "x" }] }],
      tools: [{ function_declarations: [{ name: "a", parametersJsonSchema: js }, { name: "b" }] }],
      tool_config: { function_calling_config: { mode: "ANY", allowed_function_names: ["a", "b"] } },
    });
    expect(r.tools).toEqual([
      { name: "a", parameters: js },
      { name: "b", parameters: { type: "object", properties: {} } },
    ]);
    expect(r.toolChoice).toEqual({ type: "required" });
    for (const [mode, type] of [["AUTO", "auto"], ["NONE", "none"], ["ANY", "required"]] as const) {
      expect(geminiRequestToCanonical({ contents: [{ parts: [{ text: "x" }] }], toolConfig: { functionCallingConfig: { mode } } }).toolChoice).toEqual({ type } as any);
    }
  });

  test("generationConfig: sampling, stop, seed, JSON schema, thinking budget", () => {
    expect(c).toMatchObject({ temperature: 0.2, topP: 0.9, topK: 40, stop: ["END"], seed: 7 });
    expect(c.responseFormat).toEqual({ type: "json_schema", name: "response", schema: { type: "object", properties: { answer: { type: "string" } } } });
    expect(c.reasoning).toEqual({ budgetTokens: 2048, enabled: true });
    const think = (thinkingConfig: unknown) => geminiRequestToCanonical({ contents: [{ parts: [{ text: "x" }] }], generationConfig: { thinkingConfig } }).reasoning;
    expect(think({ thinkingBudget: 0 })).toEqual({ enabled: false });
    expect(think({ thinkingBudget: -1 })).toEqual({ enabled: true });
    expect(think({ thinkingLevel: "HIGH" })).toEqual({ effort: "high", enabled: true });
    expect(think({ includeThoughts: true })).toEqual({ enabled: true });
    expect(geminiRequestToCanonical({ contents: [{ parts: [{ text: "x" }] }], generationConfig: { responseMimeType: "application/json" } }).responseFormat).toEqual({ type: "json_object" });
  });

  test("no contents is a 400 in Google's words", () => {
    for (const body of [{}, { contents: [] }, null, "x"]) {
      let err: unknown;
      try {
        geminiRequestToCanonical(body);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(400);
    }
  });

  test("a string systemInstruction, a lone parts object and a role-less turn are accepted", () => {
    const r = geminiRequestToCanonical({ systemInstruction: "Be brief", contents: { parts: { text: "hello" } } });
    expect(r.system).toEqual([{ type: "text", text: "Be brief" }]);
    expect(r.messages).toEqual([{ role: "user", content: [{ type: "text", text: "hello" }] }]);
  });
});

describe("canonical → Gemini request", () => {
  test("path follows streaming; the models/ prefix is not doubled", () => {
    expect(canonicalToGeminiRequest(base(), "models/gemini-2.5-flash").path).toBe("/models/gemini-2.5-flash:generateContent");
    expect(geminiUpstream.buildRequest(base({ stream: true }), "gemini-2.5-flash").path).toBe("/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  });

  test("a tool conversation: names looked up for function responses, args as objects, signatures re-attached", () => {
    const req = base({
      system: [{ type: "text", text: "Be brief." }],
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather?" }, { type: "image", source: { kind: "url", url: "https://x.test/cat.png" } }] },
        {
          role: "assistant",
          content: [
            { type: "thinking", text: "unsigned musing" },
            { type: "text", text: "Checking." },
            { type: "tool_call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}', signature: "Q0FG" },
            { type: "tool_call", id: "toolu_2", name: "get_time", arguments: "" },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", toolCallId: "toolu_1", content: [{ type: "text", text: "sunny" }] },
            { type: "tool_result", toolCallId: "toolu_2", content: [{ type: "text", text: '{"time":"10:00"}' }] },
            { type: "text", text: "and?" },
          ],
        },
        { role: "assistant", content: [{ type: "thinking", text: "", signature: "U0lH" }, { type: "text", text: "Sunny at 10." }] },
        { role: "user", content: [{ type: "tool_result", toolCallId: "unknown", name: "lost", content: [{ type: "text", text: "oops" }], isError: true }] },
      ],
      tools: [{ name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } }, additionalProperties: false } }],
      toolChoice: { type: "tool", name: "get_weather" },
    });
    const { body } = canonicalToGeminiRequest(req, "gemini-2.5-flash") as { body: any };
    expect(body.systemInstruction).toEqual({ parts: [{ text: "Be brief." }] });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "Weather?" }, { fileData: { mimeType: "image/png", fileUri: "https://x.test/cat.png" } }] },
      {
        role: "model",
        parts: [
          { text: "Checking." },
          { functionCall: { id: "toolu_1", name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "Q0FG" },
          { functionCall: { id: "toolu_2", name: "get_time", args: {} } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { id: "toolu_1", name: "get_weather", response: { result: "sunny" } } },
          { functionResponse: { id: "toolu_2", name: "get_time", response: { time: "10:00" } } },
          { text: "and?" },
        ],
      },
      { role: "model", parts: [{ text: "Sunny at 10.", thoughtSignature: "U0lH" }] },
      { role: "user", parts: [{ functionResponse: { id: "unknown", name: "lost", response: { error: "oops" } } }] },
    ]);
    expect(body.tools).toEqual([
      { functionDeclarations: [{ name: "get_weather", description: "Weather", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } }, additionalProperties: false } }] },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } });
  });

  test("signed thoughts are sent back as thought parts; signatures that cannot be Google's are not", () => {
    const { body } = canonicalToGeminiRequest(
      base({ messages: [{ role: "assistant", content: [{ type: "thinking", text: "plan", signature: "U0lH" }, { type: "tool_call", id: "c", name: "f", arguments: "{}", signature: "msg_not base64!" }] }] }),
      "gemini-2.5-flash",
    ) as { body: any };
    expect(body.contents[0].parts).toEqual([
      { text: "plan", thought: true, thoughtSignature: "U0lH" },
      { functionCall: { id: "c", name: "f", args: {} } },
    ]);
  });

  test("Gemini 3: a call without a signature gets the documented bypass value on the first call only", () => {
    const req = base({
      messages: [
        { role: "user", content: [{ type: "text", text: "go" }] },
        { role: "assistant", content: [{ type: "tool_call", id: "a", name: "f", arguments: "{}" }, { type: "tool_call", id: "b", name: "f", arguments: "{}" }] },
        { role: "user", content: [{ type: "tool_result", toolCallId: "a", content: [] }, { type: "tool_result", toolCallId: "b", content: [] }] },
      ],
    });
    const g3 = (canonicalToGeminiRequest(req, "gemini-3-pro-preview").body as any).contents[1].parts;
    expect(g3[0].thoughtSignature).toBe("skip_thought_signature_validator");
    expect(g3[1].thoughtSignature).toBeUndefined();
    const g25 = (canonicalToGeminiRequest(req, "gemini-2.5-flash").body as any).contents[1].parts;
    expect(g25[0].thoughtSignature).toBeUndefined();
    const results = (canonicalToGeminiRequest(req, "gemini-2.5-flash").body as any).contents[2].parts;
    expect(results.map((p: any) => p.functionResponse.name)).toEqual(["f", "f"]);
    expect(results[0].functionResponse.response).toEqual({ result: "" });
  });

  test("generationConfig: sampling, JSON schema and thinking budget from effort or budget", () => {
    const g = (over: Partial<CanonicalRequest>, model = "gemini-2.5-flash") => (canonicalToGeminiRequest(base(over), model).body as any).generationConfig;
    expect(g({ temperature: 0.5, topP: 0.8, topK: 20, maxTokens: 100, stop: ["a", "b"], seed: 3, presencePenalty: 0.1, frequencyPenalty: 0.2 })).toEqual({
      temperature: 0.5,
      topP: 0.8,
      topK: 20,
      maxOutputTokens: 100,
      stopSequences: ["a", "b"],
      seed: 3,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
    });
    expect(g({ responseFormat: { type: "json_schema", schema: { type: "object" } } })).toEqual({ responseMimeType: "application/json", responseJsonSchema: { type: "object" } });
    expect(g({ responseFormat: { type: "json_object" } })).toEqual({ responseMimeType: "application/json" });
    expect(g({ reasoning: { effort: "medium" } }).thinkingConfig).toEqual({ thinkingBudget: 8192, includeThoughts: true });
    expect(g({ reasoning: { budgetTokens: 31999 } }).thinkingConfig).toEqual({ thinkingBudget: 24576, includeThoughts: true });
    expect(g({ reasoning: { budgetTokens: 31999 } }, "gemini-2.5-pro").thinkingConfig).toEqual({ thinkingBudget: 31999, includeThoughts: true });
    expect(g({ reasoning: { enabled: true } }).thinkingConfig).toEqual({ thinkingBudget: -1, includeThoughts: true });
    expect(g({ reasoning: { enabled: false } }).thinkingConfig).toEqual({ thinkingBudget: 0 });
    expect(g({ reasoning: { enabled: false } }, "gemini-2.5-pro")).toBeUndefined();
    expect(g({})).toBeUndefined();
  });

  test("data: URLs become inlineData; tool choice without tools is not sent", () => {
    const { body } = canonicalToGeminiRequest(
      base({
        toolChoice: { type: "required" },
        messages: [{ role: "user", content: [{ type: "image", source: { kind: "url", url: "data:image/jpeg;base64,/9j/4AAQ" } }, { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" } }] }],
      }),
      "gemini-2.5-flash",
    ) as { body: any };
    expect(body.contents[0].parts).toEqual([{ inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } }, { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } }]);
    expect(body.toolConfig).toBeUndefined();
  });

  test("Gemini → canonical → Gemini keeps the conversation", () => {
    const c = geminiRequestToCanonical(REQUEST, { model: "gemini-2.5-flash" });
    const { body } = canonicalToGeminiRequest(c, "gemini-2.5-flash") as { body: any };
    expect(body.contents).toHaveLength(5);
    expect(body.contents[1].parts[0].functionCall).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
    expect(body.contents[1].parts[0].thoughtSignature).toBe(FC_SIG);
    expect(body.contents[2].parts[0].functionResponse).toMatchObject({ name: "get_weather", response: { result: "sunny, 21°C" } });
    expect(body.contents[2].parts[1].functionResponse.response).toEqual({ temp: 25, sky: "clear" });
    expect(body.contents[3].parts).toEqual([{ text: "Paris: sunny. Rome: clear.", thoughtSignature: TEXT_SIG }]);
    expect(body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 2048, includeThoughts: true });
  });
});
