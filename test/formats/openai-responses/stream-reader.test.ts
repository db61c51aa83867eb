import { describe, expect, test } from "bun:test";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import { createResponsesStreamReader } from "../../../src/formats/openai-responses/index.ts";
import { fixtureBytes, randomSizes, readAll, splitEvery } from "./helpers.ts";

const enc = new TextEncoder();
const read = (text: string) => readAll(createResponsesStreamReader(), [enc.encode(text)]);

function everySplit(bytes: Uint8Array): number[][] {
  const sizes: number[][] = [];
  for (let n = 1; n <= 64; n++) sizes.push([n]);
  sizes.push([bytes.length], randomSizes(1, 500, 50), randomSizes(2, 500, 500), [1, 5, 2, 11, 3]);
  return sizes;
}

describe("Responses stream reader", () => {
  test("recorded text stream, split at every size", async () => {
    const bytes = await fixtureBytes("stream-text.sse");
    const whole = readAll(createResponsesStreamReader(), [bytes]);
    expect(whole[0]).toEqual({ type: "start", id: "resp_045d5195f1ed9f940068ff5b16458c8197acc79be8346cd880", model: "gpt-3.5-turbo-0125" });
    expect(whole.filter((e) => e.type === "text_delta")).toHaveLength(11);
    expect(
      whole
        .filter((e): e is Extract<StreamEvent, { type: "text_delta" }> => e.type === "text_delta")
        .map((e) => e.text)
        .join(""),
    ).toBe("Greetings, hello, hi, hey, salutations!");
    expect(whole.slice(-2)).toEqual([
      { type: "usage", usage: { promptTokens: 13, completionTokens: 12, totalTokens: 25, cachedTokens: 0, reasoningTokens: 0 } },
      { type: "finish", reason: "stop" },
    ]);
    for (const sizes of everySplit(bytes)) expect(readAll(createResponsesStreamReader(), splitEvery(bytes, sizes))).toEqual(whole);
  });

  test("recorded reasoning + function call stream, split at every size", async () => {
    const bytes = await fixtureBytes("stream-function-call.sse");
    const whole = readAll(createResponsesStreamReader(), [bytes]);
    const args = whole.filter((e): e is Extract<StreamEvent, { type: "tool_call_delta" }> => e.type === "tool_call_delta");
    expect(args.map((e) => e.arguments).join("")).toBe('{"location":"New York City, USA"}');
    expect(whole.filter((e) => e.type !== "tool_call_delta")).toEqual([
      { type: "start", id: "resp_0c4bb6cd4369e1aa016968ca745874819fb78038dffff6cdac", model: "gpt-5.2-2025-12-11" },
      { type: "redacted_reasoning", data: "gAAAAABpaMp1Fa2BLjdax8uRigDgnntTZ247YGf3FBzckk4nDB153z2UuiHanbo2R7N0KN7svQ_Zp9YCSQMyBqFNlhJ_h9lZZEq2KZGpQcef" },
      { type: "tool_call_start", index: 0, id: "call_ygg090lIbgPfPIoYIGePN4cg", name: "get_weather" },
      { type: "tool_call_end", index: 0 },
      { type: "usage", usage: { promptTokens: 92, completionTokens: 38, totalTokens: 130, cachedTokens: 0, reasoningTokens: 14 } },
      { type: "finish", reason: "tool_calls" },
    ]);
    for (const sizes of everySplit(bytes)) expect(readAll(createResponsesStreamReader(), splitEvery(bytes, sizes))).toEqual(whole);
  });

  test("CRLF line endings and comments", async () => {
    const text = (await Bun.file(new URL("../../fixtures/openai-responses/stream-text.sse", import.meta.url)).text()).replaceAll("\n", "\r\n");
    const bytes = enc.encode(": keep-alive\r\n\r\n" + text);
    const whole = readAll(createResponsesStreamReader(), [await fixtureBytes("stream-text.sse")]);
    for (const sizes of [[1], [2], [3], [7], randomSizes(3, 400, 30)]) expect(readAll(createResponsesStreamReader(), splitEvery(bytes, sizes))).toEqual(whole);
  });

  test("DeepSeek-style raw reasoning_text deltas and a message", () => {
    const events = read(
      [
        'event: response.created\ndata: {"type":"response.created","response":{"id":"bc5f4f54-80e9-4928-a5b2-ee0bfb874556","object":"response","status":"in_progress","model":"deepseek-flash","output":[],"usage":null},"sequence_number":0}',
        'event: response.output_item.added\ndata: {"type":"response.output_item.added","item":{"type":"reasoning","id":"72005f0a","status":"in_progress","content":[],"summary":[],"encrypted_content":"bc5f4f54-0"},"output_index":0,"sequence_number":2}',
        'event: response.reasoning_text.delta\ndata: {"type":"response.reasoning_text.delta","content_index":0,"delta":"We","item_id":"72005f0a","output_index":0,"sequence_number":4}',
        'event: response.reasoning_text.delta\ndata: {"type":"response.reasoning_text.delta","content_index":0,"delta":" need 391.","item_id":"72005f0a","output_index":0,"sequence_number":5}',
        'event: response.output_item.done\ndata: {"type":"response.output_item.done","item":{"type":"reasoning","id":"72005f0a","status":"completed","content":[{"type":"reasoning_text","text":"We need 391."}],"summary":[],"encrypted_content":"bc5f4f54-0"},"output_index":0,"sequence_number":6}',
        'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","content_index":0,"delta":"391","item_id":"8b5deacb","logprobs":[],"output_index":1,"sequence_number":7}',
        'event: response.output_item.done\ndata: {"type":"response.output_item.done","item":{"type":"message","id":"8b5deacb","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"391"}],"phase":"final_answer","role":"assistant"},"output_index":1,"sequence_number":8}',
        'event: response.completed\ndata: {"type":"response.completed","response":{"id":"bc5f4f54-80e9-4928-a5b2-ee0bfb874556","status":"completed","model":"deepseek-flash","usage":{"input_tokens":43,"input_tokens_details":{"cached_tokens":0},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":18},"total_tokens":63}},"sequence_number":9}',
        "",
      ].join("\n\n"),
    );
    expect(events).toEqual([
      { type: "start", id: "bc5f4f54-80e9-4928-a5b2-ee0bfb874556", model: "deepseek-flash" },
      { type: "reasoning_delta", text: "We" },
      { type: "reasoning_delta", text: " need 391." },
      { type: "reasoning_signature", signature: "bc5f4f54-0" },
      { type: "text_delta", text: "391" },
      { type: "usage", usage: { promptTokens: 43, completionTokens: 20, totalTokens: 63, cachedTokens: 0, reasoningTokens: 18 } },
      { type: "finish", reason: "stop" },
    ]);
  });

  test("summary parts are separated; a server that only sends done items is understood", () => {
    const events = read(
      [
        'data: {"type":"response.created","response":{"id":"resp_1","model":"gpt-5"}}',
        'data: {"type":"response.reasoning_summary_text.delta","item_id":"rs_1","output_index":0,"summary_index":0,"delta":"**Plan**"}',
        'data: {"type":"response.reasoning_summary_text.delta","item_id":"rs_1","output_index":0,"summary_index":1,"delta":"**Act**"}',
        'data: {"type":"response.output_item.done","output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"**Plan**"},{"type":"summary_text","text":"**Act**"}]}}',
        'data: {"type":"response.output_item.done","output_index":1,"item":{"id":"msg_1","type":"message","content":[{"type":"output_text","text":"ok"}]}}',
        'data: {"type":"response.output_item.done","output_index":2,"item":{"id":"fc_1","type":"function_call","call_id":"call_1","name":"f","arguments":"{\\"a\\":1}"}}',
        'data: {"type":"response.incomplete","response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}}',
        "data: [DONE]",
        "",
      ].join("\n\n"),
    );
    expect(events).toEqual([
      { type: "start", id: "resp_1", model: "gpt-5" },
      { type: "reasoning_delta", text: "**Plan**" },
      { type: "reasoning_delta", text: "\n\n" },
      { type: "reasoning_delta", text: "**Act**" },
      { type: "text_delta", text: "ok" },
      { type: "tool_call_start", index: 0, id: "call_1", name: "f" },
      { type: "tool_call_delta", index: 0, arguments: '{"a":1}' },
      { type: "tool_call_end", index: 0 },
      { type: "finish", reason: "length" },
    ]);
  });

  test("a terminal event alone carries the whole answer", () => {
    expect(
      read(
        'event: response.completed\ndata: {"type":"response.completed","response":{"id":"r1","model":"m","status":"completed","output":[{"type":"reasoning","summary":[{"type":"summary_text","text":"deep"}],"encrypted_content":"e"},{"type":"message","content":[{"type":"output_text","text":"body"}]}],"usage":{"input_tokens":5,"output_tokens":2}}}\n\n',
      ),
    ).toEqual([
      { type: "start", id: "r1", model: "m" },
      { type: "reasoning_delta", text: "deep" },
      { type: "reasoning_signature", signature: "e" },
      { type: "text_delta", text: "body" },
      { type: "usage", usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7, cachedTokens: null, reasoningTokens: null } },
      { type: "finish", reason: "stop" },
    ]);
  });

  test("custom tool calls become JSON {input} arguments", () => {
    const events = read(
      [
        'data: {"type":"response.output_item.added","output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","status":"in_progress","call_id":"call_p","input":"","name":"apply_patch"}}',
        'data: {"type":"response.custom_tool_call_input.delta","item_id":"ctc_1","output_index":0,"delta":"*** Begin"}',
        'data: {"type":"response.custom_tool_call_input.delta","item_id":"ctc_1","output_index":0,"delta":" Patch"}',
        'data: {"type":"response.output_item.done","output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","status":"completed","call_id":"call_p","input":"*** Begin Patch","name":"apply_patch"}}',
        'data: {"type":"response.completed","response":{"status":"completed"}}',
        "",
      ].join("\n\n"),
    );
    expect(events).toEqual([
      { type: "start", id: "", model: "" },
      { type: "tool_call_start", index: 0, id: "call_p", name: "apply_patch" },
      { type: "tool_call_delta", index: 0, arguments: '{"input":"*** Begin Patch"}' },
      { type: "tool_call_end", index: 0 },
      { type: "finish", reason: "tool_calls" },
    ]);
  });

  test("errors: the error event (flat or nested) and response.failed", () => {
    expect(
      read(
        'event: error\ndata: {"type":"error","sequence_number":2,"error":{"type":"too_many_requests","code":"too_many_requests","message":"Too Many Requests","param":null}}\n\n' +
          'event: response.failed\ndata: {"type":"response.failed","response":{"id":"r","status":"failed","error":{"code":"rate_limit_exceeded","message":"Too Many Requests"}},"sequence_number":3}\n\n',
      ),
    ).toEqual([
      { type: "start", id: "", model: "" },
      { type: "error", message: "Too Many Requests", code: "too_many_requests" },
      { type: "finish", reason: "error" },
    ]);
    expect(read('data: {"type":"error","code":"server_error","message":"boom","param":null,"sequence_number":1}\n\n')).toEqual([
      { type: "start", id: "", model: "" },
      { type: "error", message: "boom", code: "server_error" },
    ]);
    expect(read('data: {"type":"response.failed","response":{"id":"r","model":"m","status":"failed","error":{"code":"server_error","message":"The model failed."}}}\n\n')).toEqual([
      { type: "start", id: "r", model: "m" },
      { type: "error", message: "The model failed.", code: "server_error" },
      { type: "finish", reason: "error" },
    ]);
  });

  test("a stream cut mid-call still ends every started call", () => {
    const events = read(
      'data: {"type":"response.created","response":{"id":"r","model":"m"}}\n\n' +
        'data: {"type":"response.output_item.added","output_index":0,"item":{"id":"fc_1","type":"function_call","call_id":"call_1","name":"f","arguments":""}}\n\n' +
        'data: {"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":"{\\"a\\""}\n\n' +
        'data: {"type":"response.function_call_arguments.delta","item_id":"fc_1","output_ind',
    );
    expect(events).toEqual([
      { type: "start", id: "r", model: "m" },
      { type: "tool_call_start", index: 0, id: "call_1", name: "f" },
      { type: "tool_call_delta", index: 0, arguments: '{"a"' },
      { type: "tool_call_end", index: 0 },
    ]);
  });
});
