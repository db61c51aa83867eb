import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import { responsesRequestToCanonical } from "../../../src/formats/openai-responses/request.ts";

const fixture = async (name: string) => Bun.file(new URL(`../../fixtures/openai-responses/${name}`, import.meta.url)).json();

function rejects(body: unknown): GatewayError {
  try {
    responsesRequestToCanonical(body);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(400);
    return err as GatewayError;
  }
  throw new Error("expected a 400");
}

describe("Responses request → canonical", () => {
  test("a Codex CLI request (messages, reasoning, function and custom tool calls)", async () => {
    const body = await fixture("request-codex.json");
    const req = responsesRequestToCanonical(body);
    const patch = "*** Begin Patch\n*** Update File: README.md\n@@\n+Hello\n*** End Patch\n";

    expect(req.model).toBe("gpt-5.1-codex");
    expect(req.stream).toBe(true);
    expect(req.includeUsage).toBe(true);
    expect(req.system).toEqual([
      { type: "text", text: body.instructions },
      { type: "text", text: body.input[0].content[0].text },
    ]);
    expect(req.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: body.input[1].content[0].text },
          { type: "text", text: "List the files, then add a README line." },
          {
            type: "image",
            source: {
              kind: "base64",
              mediaType: "image/png",
              data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
            },
          },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "thinking", text: "**Listing files**\n\nI'll run ls first.", signature: body.input[3].encrypted_content },
          { type: "tool_call", id: "call_Twy3ilTyWGpBGYlOS46CmYj6", name: "shell_command", arguments: '{"command":"ls","workdir":"/home/dev/project"}' },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            toolCallId: "call_Twy3ilTyWGpBGYlOS46CmYj6",
            name: "shell_command",
            content: [{ type: "text", text: "Exit code: 0\nWall time: 0 seconds\nOutput:\nREADME.md\nsrc\n" }],
          },
        ],
      },
      {
        role: "assistant",
        content: [{ type: "tool_call", id: "call_9XkqYw2Zp8dJb1TnQx3RsL0a", name: "apply_patch", arguments: JSON.stringify({ input: patch }) }],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            toolCallId: "call_9XkqYw2Zp8dJb1TnQx3RsL0a",
            name: "apply_patch",
            content: [{ type: "text", text: body.input[7].output }],
          },
        ],
      },
      { role: "assistant", content: [{ type: "text", text: "Done: README.md now starts with Hello." }] },
      { role: "user", content: [{ type: "text", text: "Thanks. Now run the tests." }] },
    ]);

    expect(req.tools).toHaveLength(2);
    expect(req.tools![0]).toEqual({ name: "shell_command", description: body.tools[0].description, parameters: body.tools[0].parameters });
    expect(req.tools![1]!.name).toBe("apply_patch");
    expect(req.tools![1]!.parameters).toEqual({
      type: "object",
      properties: { input: { type: "string", description: "The free-form input for this tool." } },
      required: ["input"],
      additionalProperties: false,
    });
    expect(req.tools![1]!.description).toContain("FREEFORM tool");
    expect(req.tools![1]!.description).toContain("lark grammar:\nstart: begin_patch hunk+ end_patch");
    expect(req.toolChoice).toEqual({ type: "auto" });
    expect(req.parallelToolCalls).toBe(false);
    expect(req.reasoning).toEqual({ effort: "medium", enabled: true });
    expect(req.responseFormat).toBeUndefined();
  });

  test("a string input with instructions and sampling parameters", () => {
    const req = responsesRequestToCanonical({
      model: "gpt-4o-mini",
      instructions: "Be brief.",
      input: "Say hi in three words.",
      max_output_tokens: 32,
      temperature: 0.2,
      top_p: 0.9,
      user: "user-7",
      store: true,
      metadata: { trace: "x" },
      include: ["reasoning.encrypted_content"],
      truncation: "auto",
    });
    expect(req).toEqual({
      model: "gpt-4o-mini",
      system: [{ type: "text", text: "Be brief." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Say hi in three words." }] }],
      stream: false,
      includeUsage: true,
      maxTokens: 32,
      temperature: 0.2,
      topP: 0.9,
      user: "user-7",
    });
  });

  test("messages without a type, easy-input style, and system/developer roles", () => {
    const req = responsesRequestToCanonical({
      model: "m",
      input: [
        { role: "system", content: "Rule one." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "output_text", text: "Hello", annotations: [] }] },
        { role: "developer", content: [{ type: "input_text", text: "Rule two." }] },
        { role: "user", content: [{ type: "input_text", text: "Again" }] },
        { role: "user", content: "and again" },
      ],
    });
    expect(req.system).toEqual([
      { type: "text", text: "Rule one." },
      { type: "text", text: "Rule two." },
    ]);
    expect(req.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi" }] },
      { role: "assistant", content: [{ type: "text", text: "Hello" }] },
      {
        role: "user",
        content: [
          { type: "text", text: "Again" },
          { type: "text", text: "and again" },
        ],
      },
    ]);
  });

  test("parallel calls share one assistant turn and their outputs one user turn, in order", () => {
    const req = responsesRequestToCanonical({
      model: "m",
      input: [
        { role: "user", content: "Weather in Paris and Rome?" },
        { type: "function_call", id: "fc_1", call_id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call", id: "fc_2", call_id: "call_b", name: "get_weather", arguments: '{"city":"Rome"}', status: "completed" },
        { type: "function_call_output", call_id: "call_a", output: "sunny" },
        {
          type: "function_call_output",
          call_id: "call_b",
          output: [
            { type: "input_text", text: "rainy" },
            { type: "input_image", image_url: "https://example.com/rome.png", detail: "low" },
          ],
        },
      ],
    });
    expect(req.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_call", id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
          { type: "tool_call", id: "call_b", name: "get_weather", arguments: '{"city":"Rome"}' },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", toolCallId: "call_a", name: "get_weather", content: [{ type: "text", text: "sunny" }] },
          {
            type: "tool_result",
            toolCallId: "call_b",
            name: "get_weather",
            content: [
              { type: "text", text: "rainy" },
              { type: "image", source: { kind: "url", url: "https://example.com/rome.png" }, detail: "low" },
            ],
          },
        ],
      },
    ]);
  });

  test("a tool output after a user message still leads the user turn", () => {
    const req = responsesRequestToCanonical({
      model: "m",
      input: [
        { type: "function_call", call_id: "call_a", name: "f", arguments: "{}" },
        { role: "user", content: "while you were at it…" },
        { type: "function_call_output", call_id: "call_a", output: { content: "boom", success: false } },
      ],
    });
    expect(req.messages[1]!.content.map((p) => p.type)).toEqual(["tool_result", "text"]);
    expect(req.messages[1]!.content[0]).toMatchObject({ toolCallId: "call_a", isError: true, content: [{ type: "text", text: "boom" }] });
  });

  test("reasoning items: summary or raw text signed by encrypted_content, or redacted", () => {
    const req = responsesRequestToCanonical({
      model: "m",
      input: [
        { role: "user", content: "q" },
        { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "opaque-blob" },
        { type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "raw thoughts" }] },
        { type: "reasoning", summary: [{ type: "summary_text", text: "a" }, { type: "summary_text", text: "b" }], encrypted_content: "sig" },
        { type: "reasoning", summary: [] },
      ],
    });
    expect(req.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "redacted_thinking", data: "opaque-blob" },
        { type: "thinking", text: "raw thoughts" },
        { type: "thinking", text: "a\n\nb", signature: "sig" },
      ],
    });
  });

  test("files and images inline or by URL", () => {
    const req = responsesRequestToCanonical({
      model: "m",
      input: [
        {
          role: "user",
          content: [
            { type: "input_file", filename: "report.pdf", file_data: "data:application/pdf;base64,JVBERi0xLjQ=" },
            { type: "input_file", filename: "notes.txt", file_data: "aGVsbG8=" },
            { type: "input_file", file_url: "https://example.com/paper.pdf" },
            { type: "input_image", image_url: "data:image/jpeg;base64,/9j/4AAQ", detail: "high" },
          ],
        },
      ],
    });
    expect(req.messages[0]!.content).toEqual([
      { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQ=" }, title: "report.pdf" },
      { type: "document", source: { kind: "base64", mediaType: "text/plain", data: "aGVsbG8=" }, title: "notes.txt" },
      { type: "document", source: { kind: "url", url: "https://example.com/paper.pdf", mediaType: "application/pdf" } },
      { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/4AAQ" }, detail: "high" },
    ]);
  });

  test("records of OpenAI-hosted tool calls are dropped, the conversation around them stays", () => {
    const req = responsesRequestToCanonical({
      model: "m",
      input: [
        { role: "user", content: "news?" },
        { type: "web_search_call", id: "ws_1", status: "completed", action: { type: "search", query: "news" } },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Here is the news." }] },
      ],
    });
    expect(req.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "news?" }] },
      { role: "assistant", content: [{ type: "text", text: "Here is the news." }] },
    ]);
  });

  test("tools, tool_choice, reasoning effort and structured output", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
    const req = responsesRequestToCanonical({
      model: "m",
      input: "q",
      tools: [{ type: "function", name: "lookup", description: "Look up", parameters: { type: "object", properties: { q: { type: "string" } } }, strict: true }],
      tool_choice: { type: "function", name: "lookup" },
      reasoning: { effort: "high", summary: "detailed" },
      text: { format: { type: "json_schema", name: "codex_output_schema", schema, strict: true } },
    });
    expect(req.tools).toEqual([{ name: "lookup", description: "Look up", parameters: { type: "object", properties: { q: { type: "string" } } } }]);
    expect(req.toolChoice).toEqual({ type: "tool", name: "lookup" });
    expect(req.reasoning).toEqual({ effort: "high", enabled: true });
    expect(req.responseFormat).toEqual({ type: "json_schema", name: "codex_output_schema", schema, strict: true });

    expect(responsesRequestToCanonical({ model: "m", input: "q", tool_choice: "required", tools: [{ type: "function", name: "f" }] }).toolChoice).toEqual({
      type: "required",
    });
    expect(responsesRequestToCanonical({ model: "m", input: "q", tools: [{ type: "function", name: "f" }] }).tools![0]!.parameters).toEqual({
      type: "object",
      properties: {},
    });
    expect(responsesRequestToCanonical({ model: "m", input: "q", reasoning: { effort: "none" } }).reasoning).toEqual({ enabled: false });
    expect(responsesRequestToCanonical({ model: "m", input: "q", reasoning: { effort: "xhigh" } }).reasoning).toEqual({ effort: "high", enabled: true });
    expect(responsesRequestToCanonical({ model: "m", input: "q", text: { format: { type: "json_object" } } }).responseFormat).toEqual({ type: "json_object" });
  });

  test("previous_response_id is refused: there is no server-side store to resolve it", () => {
    const err = rejects({ model: "m", input: "q", previous_response_id: "resp_123" });
    expect(err.message).toBe("previous_response_id is not supported: send the full conversation in input (store:false)");
    expect(err.details.param).toBe("previous_response_id");
    expect(rejects({ model: "m", input: "q", conversation: "conv_1" }).details.param).toBe("conversation");
    expect(rejects({ model: "m", input: "q", background: true }).details.param).toBe("background");
    expect(rejects({ model: "m", input: [{ type: "item_reference", id: "msg_1" }] }).message).toContain("item_reference");
  });

  test("built-in (hosted) tools are refused with a clear message", () => {
    for (const type of ["web_search", "web_search_preview", "file_search", "computer_use_preview", "code_interpreter", "local_shell", "image_generation"]) {
      const err = rejects({ model: "m", input: "q", tools: [{ type: "function", name: "ok" }, { type }] });
      expect(err.message).toContain(`the built-in tool type "${type}" is not supported`);
      expect(err.details.param).toBe("tools[1].type");
    }
  });

  test("file ids are refused: they point into OpenAI's file store", () => {
    const img = rejects({ model: "m", input: [{ role: "user", content: [{ type: "input_image", file_id: "file-abc", detail: "auto" }] }] });
    expect(img.message).toContain("input_image with file_id is not supported");
    expect(img.details.param).toBe("input[0].content[0].file_id");
    const file = rejects({ model: "m", input: [{ role: "user", content: [{ type: "input_file", file_id: "file-abc" }] }] });
    expect(file.message).toContain("input_file with file_id is not supported");
  });

  test("validation errors name the field", () => {
    expect(rejects({ input: "q" }).details.param).toBe("model");
    expect(rejects({ model: "m" }).details.param).toBe("input");
    expect(rejects({ model: "m", input: "q", max_output_tokens: "lots" }).details.param).toBe("max_output_tokens");
    expect(rejects({ model: "m", input: [{ role: "robot", content: "x" }] }).details.param).toBe("input[0].role");
    expect(rejects({ model: "m", input: [{ type: "function_call", name: "f", arguments: "{}" }] }).details.param).toBe("input[0].call_id");
    expect(rejects({ model: "m", input: "q", reasoning: { effort: "max" } }).details.param).toBe("reasoning.effort");
  });
});
