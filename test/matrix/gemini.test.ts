// Row "Gemini client" of the matrix: the official @google/genai SDK against every upstream
// format. The SDK calls `${base}/v1beta/models/{model}:generateContent` with the model id as
// given ("openai/gpt-4o-mini" keeps its slash) and always streams with `?alt=sse`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ApiError, FinishReason, GoogleGenAI, type Content, type Schema, type GenerateContentResponse, type Part, type Tool } from "@google/genai";
import { startMatrix, TINY_PNG_BASE64, TOOL_RESULT, UPSTREAMS, weatherTool, type Matrix } from "./harness.ts";

let m: Matrix;
let ai: GoogleGenAI;
beforeAll(async () => {
  m = await startMatrix();
  ai = new GoogleGenAI({ apiKey: m.key, httpOptions: { baseUrl: m.base } });
});
afterAll(() => m.close());

// The SDK upper-cases `parameters` types (OpenAPI "OBJECT"); `parametersJsonSchema` goes as is.
const tools: Tool[] = [{ functionDeclarations: [{ ...weatherTool, parameters: weatherTool.parameters as Schema }] }];
const jsonSchemaTools: Tool[] = [{ functionDeclarations: [{ name: weatherTool.name, description: weatherTool.description, parametersJsonSchema: weatherTool.parameters }] }];
const partsOf = (r: GenerateContentResponse): Part[] => r.candidates?.[0]?.content?.parts ?? [];

describe.each(UPSTREAMS)("gemini client → $format upstream", (up) => {
  test("text", async () => {
    const res = await ai.models.generateContent({ model: up.model(), contents: "hi there" });
    expect(res.text).toBe("Hello from fake: hi there");
    expect(res.candidates![0]!.finishReason).toBe(FinishReason.STOP);
    expect(res.usageMetadata!.totalTokenCount).toBeGreaterThan(0);
    expect(res.usageMetadata!.candidatesTokenCount).toBeGreaterThan(0);
  });

  test("streamed text", async () => {
    const stream = await ai.models.generateContentStream({
      model: up.model(),
      contents: [{ role: "user", parts: [{ text: "stream please" }] }],
      config: { systemInstruction: "be brief" },
    });
    let text = "";
    let finish: FinishReason | undefined;
    let last: GenerateContentResponse | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? "";
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
      last = chunk;
    }
    expect(text).toBe("Hello from fake: stream please");
    expect(finish).toBe(FinishReason.STOP);
    expect(last!.usageMetadata!.candidatesTokenCount).toBeGreaterThan(0);
  });

  test("tool-call round trip (call, functionResponse, final answer), streamed first turn", async () => {
    const contents: Content[] = [{ role: "user", parts: [{ text: "weather in Paris?" }] }];
    const stream = await ai.models.generateContentStream({ model: up.model("tool-call"), contents, config: { tools } });
    const modelParts: Part[] = [];
    let finish: FinishReason | undefined;
    for await (const chunk of stream) {
      modelParts.push(...partsOf(chunk));
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
    }
    expect(finish).toBe(FinishReason.STOP);
    const calls = modelParts.filter((p) => p.functionCall);
    expect(calls).toHaveLength(1);
    const call = calls[0]!.functionCall!;
    expect(call.name).toBe("get_weather");
    expect(call.args).toEqual({ city: "Paris" });
    contents.push(
      { role: "model", parts: modelParts },
      { role: "user", parts: [{ functionResponse: { id: call.id, name: call.name, response: { result: TOOL_RESULT } } }] },
    );
    const second = await ai.models.generateContent({ model: up.model("tool-call"), contents, config: { tools } });
    expect(second.text).toBe(`The weather is: ${TOOL_RESULT}`);
    expect(second.functionCalls).toBeUndefined();
  });

  test("image input (inlineData) reaches the upstream", async () => {
    const res = await ai.models.generateContent({
      model: up.model(),
      contents: [{ role: "user", parts: [{ text: "what is this" }, { inlineData: { mimeType: "image/png", data: TINY_PNG_BASE64 } }] }],
    });
    expect(res.text).toBe("Hello from fake: what is this [images:1]");
  });

  test("reasoning arrives as a thought part, then the answer", async () => {
    const config = { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } };
    const res = await ai.models.generateContent({ model: up.model("reasoning"), contents: "think first", config });
    const parts = partsOf(res);
    const thoughts = parts.filter((p) => p.thought === true);
    expect(thoughts.map((p) => p.text).join("")).toBe("Let me think.");
    expect(parts.indexOf(thoughts[0]!)).toBe(0);
    expect(res.text).toBe("Hello from fake: think first");

    // Streamed too: the thought chunk comes first, the answer after it.
    const stream = await ai.models.generateContentStream({ model: up.model("reasoning"), contents: "think first", config });
    let reasoning = "";
    let text = "";
    for await (const chunk of stream) {
      for (const p of partsOf(chunk)) {
        if (p.thought) reasoning += p.text ?? "";
        else {
          if (p.text) expect(reasoning).toBe("Let me think.");
          text += p.text ?? "";
        }
      }
    }
    expect(reasoning).toBe("Let me think.");
    expect(text).toBe("Hello from fake: think first");
  });

  test("an upstream 429 becomes the SDK's ApiError with status 429", async () => {
    const err = await ai.models.generateContent({ model: up.model("error-429"), contents: "x" }).then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    const body = JSON.parse((err as ApiError).message) as { error: { code: number; status: string } };
    expect(body.error.code).toBe(429);
    expect(body.error.status).toBe("RESOURCE_EXHAUSTED");

    const streamErr = await ai.models.generateContentStream({ model: up.model("error-429"), contents: "x" }).then(
      () => null,
      (e) => e,
    );
    expect(streamErr).toBeInstanceOf(ApiError);
    expect((streamErr as ApiError).status).toBe(429);
  });

  // ai.chats keeps every streamed chunk as a model turn of its own and sends it all back.
  test("a chat keeps its history (thoughts and their signature) across turns", async () => {
    const chat = ai.chats.create({ model: up.model("reasoning"), config: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } } });
    let text = "";
    for await (const chunk of await chat.sendMessageStream({ message: "first question" })) text += chunk.text ?? "";
    expect(text).toBe("Hello from fake: first question");
    const second = await chat.sendMessage({ message: "second question" });
    expect(second.text).toBe("Hello from fake: second question");
    expect(partsOf(second).find((p) => p.thought)?.text).toBe("Let me think.");
  });

  test("a chat with thinking and a function call, answered by name (as the Gemini CLI does)", async () => {
    const chat = ai.chats.create({
      model: `${up.model("tool-call")}-reasoning`,
      config: { tools: jsonSchemaTools, thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } },
    });
    let thought = "";
    const calls: string[] = [];
    for await (const chunk of await chat.sendMessageStream({ message: "weather in Paris?" })) {
      for (const p of partsOf(chunk)) if (p.thought) thought += p.text ?? "";
      for (const fc of chunk.functionCalls ?? []) calls.push(`${fc.name} ${JSON.stringify(fc.args)}`);
    }
    expect(thought).toBe("Let me think.");
    expect(calls).toEqual(['get_weather {"city":"Paris"}']);
    const answer = await chat.sendMessage({ message: [{ functionResponse: { name: "get_weather", response: { output: TOOL_RESULT } } }] });
    expect(answer.text).toBe(`The weather is: ${TOOL_RESULT}`);
    // Every model turn was valid: the SDK's curated history dropped nothing.
    expect(chat.getHistory(true)).toEqual(chat.getHistory(false));
  });
});

describe("gemini client: the rest of the Gemini API surface", () => {
  test("models.list returns the gateway's routable models", async () => {
    const names: string[] = [];
    for await (const model of await ai.models.list()) names.push(model.name!);
    for (const id of ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5-20250929", "gemini/gemini-2.5-flash", "ollama/llama3.2"]) {
      expect(names).toContain(`models/${id}`);
    }
    const one = await ai.models.get({ model: "openai/gpt-4o-mini" });
    expect(one.name).toBe("models/openai/gpt-4o-mini");
    expect(one.supportedActions).toContain("generateContent");
  });

  test("models.countTokens returns a positive totalTokens", async () => {
    for (const upstream of UPSTREAMS) {
      const res = await ai.models.countTokens({ model: upstream.model(), contents: "how many tokens is this sentence?" });
      expect(res.totalTokens).toBeGreaterThan(0);
    }
  });

  // Without alt=sse, :streamGenerateContent answers one JSON array, streamed element by element.
  test.each([UPSTREAMS.find((u) => u.format === "openai")!, UPSTREAMS.find((u) => u.format === "gemini")!])(
    "raw :streamGenerateContent without alt=sse is a JSON array ($format upstream)",
    async (up) => {
      const res = await fetch(`${m.base}/v1beta/models/${up.model()}:streamGenerateContent`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-goog-api-key": m.key },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "as an array" }] }] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toStartWith("application/json");
      const chunks = JSON.parse(await res.text()) as GenerateContentResponse[];
      expect(Array.isArray(chunks)).toBe(true);
      expect(chunks.length).toBeGreaterThan(0);
      const text = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? "").join("");
      expect(text).toBe("Hello from fake: as an array");
      expect(chunks.at(-1)!.candidates![0]!.finishReason).toBe(FinishReason.STOP);
    },
  );

  test("auth: ?key= query and x-goog-api-key header are accepted; a missing key is refused", async () => {
    const model = UPSTREAMS[0]!.model();
    const body = JSON.stringify({ contents: [{ parts: [{ text: "auth" }] }] });
    const url = `${m.base}/v1beta/models/${model}:generateContent`;
    const headers = { "content-type": "application/json" };
    const viaQuery = await fetch(`${url}?key=${encodeURIComponent(m.key)}`, { method: "POST", headers, body });
    expect(viaQuery.status).toBe(200);
    const viaHeader = await fetch(url, { method: "POST", headers: { ...headers, "x-goog-api-key": m.key }, body });
    expect(viaHeader.status).toBe(200);
    expect(((await viaHeader.json()) as GenerateContentResponse).candidates![0]!.content!.parts![0]!.text).toBe("Hello from fake: auth");
    const none = await fetch(url, { method: "POST", headers, body });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { status: string } }).error.status).toBe("UNAUTHENTICATED");
    const wrong = await fetch(`${url}?key=nope`, { method: "POST", headers, body });
    expect(wrong.status).toBe(401);
    // The read-only endpoints take the query key too.
    const list = await fetch(`${m.base}/v1beta/models?key=${encodeURIComponent(m.key)}`);
    expect(list.status).toBe(200);
  });
});
