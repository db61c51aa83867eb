import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import { createResponsesStreamReader, createResponsesStreamWriter, responsesStreamContext } from "../../../src/formats/openai-responses/index.ts";
import { fixtureBytes, fixtureText, frames, randomSizes, readAll, splitEvery, writeAll } from "./helpers.ts";

const ctx = { requestedModel: "gpt-test", includeUsage: true };
const usage = { promptTokens: 13, completionTokens: 12, totalTokens: 25, cachedTokens: 0, reasoningTokens: 0 };
const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9a-f]{50}$`);

function sequenceNumbers(fs: { data: any }[]) {
  expect(fs.map((f) => f.data.sequence_number)).toEqual(fs.map((_, i) => i));
}

describe("Responses stream writer", () => {
  test("a text answer: exact event order, sequence numbers, ids and indexes", () => {
    const fs = frames(
      writeAll(createResponsesStreamWriter(ctx), [
        { type: "start", id: "chatcmpl-abc", model: "gpt-4o-mini" },
        { type: "text_delta", text: "Hel" },
        { type: "text_delta", text: "lo" },
        { type: "finish", reason: "stop" },
        { type: "usage", usage },
      ]),
    );
    expect(fs.map((f) => f.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    sequenceNumbers(fs);
    const [created, inProgress, added, partAdded, d1, d2, textDone, partDone, itemDone, completed] = fs.map((f) => f.data);
    const id = created.response.id;
    const msgId = added.item.id;
    expect(id).toMatch(ID("resp"));
    expect(msgId).toMatch(ID("msg"));
    expect(created.response).toMatchObject({ id, object: "response", status: "in_progress", model: "gpt-test", output: [], usage: null, completed_at: null, error: null });
    expect(inProgress.response).toEqual(created.response);
    expect(added).toEqual({
      type: "response.output_item.added",
      item: { id: msgId, type: "message", status: "in_progress", content: [], role: "assistant" },
      output_index: 0,
      sequence_number: 2,
    });
    expect(partAdded).toEqual({
      type: "response.content_part.added",
      content_index: 0,
      item_id: msgId,
      output_index: 0,
      part: { type: "output_text", annotations: [], logprobs: [], text: "" },
      sequence_number: 3,
    });
    expect(d1).toEqual({ type: "response.output_text.delta", content_index: 0, delta: "Hel", item_id: msgId, logprobs: [], output_index: 0, sequence_number: 4 });
    expect(d2.delta).toBe("lo");
    expect(textDone).toEqual({ type: "response.output_text.done", content_index: 0, item_id: msgId, logprobs: [], output_index: 0, sequence_number: 6, text: "Hello" });
    expect(partDone).toEqual({
      type: "response.content_part.done",
      content_index: 0,
      item_id: msgId,
      output_index: 0,
      part: { type: "output_text", annotations: [], logprobs: [], text: "Hello" },
      sequence_number: 7,
    });
    const message = { id: msgId, type: "message", status: "completed", content: [{ type: "output_text", annotations: [], logprobs: [], text: "Hello" }], role: "assistant" };
    expect(itemDone).toEqual({ type: "response.output_item.done", item: message, output_index: 0, sequence_number: 8 });
    expect(completed.response).toMatchObject({
      id,
      status: "completed",
      output: [message],
      usage: { input_tokens: 13, input_tokens_details: { cached_tokens: 0 }, output_tokens: 12, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 25 },
    });
    expect(completed.response.completed_at).toBeGreaterThanOrEqual(created.response.created_at);
  });

  test("re-encoding the recorded text stream gives the recorded event sequence and frame fields", async () => {
    const recorded = frames(await fixtureText("stream-text.sse"));
    const events = readAll(createResponsesStreamReader(), [await fixtureBytes("stream-text.sse")]);
    const ours = frames(writeAll(createResponsesStreamWriter(ctx), events));
    expect(ours.map((f) => f.event)).toEqual(recorded.map((f) => f.event));
    ours.forEach((f, i) => {
      // obfuscation is random padding OpenAI adds against length side channels; not produced here.
      const want = Object.keys(recorded[i]!.data).filter((k) => k !== "obfuscation").sort();
      expect(Object.keys(f.data).sort()).toEqual(want);
    });
    expect(ours.at(-1)!.data.response.output).toEqual(
      recorded.at(-1)!.data.response.output.map((item: any) => ({ ...item, id: ours.at(-1)!.data.response.output[0].id })),
    );
    expect(ours.at(-1)!.data.response.usage).toEqual(recorded.at(-1)!.data.response.usage);
  });

  test("re-encoding the recorded reasoning + function call stream gives the recorded event sequence", async () => {
    const recorded = frames(await fixtureText("stream-function-call.sse"));
    const events = readAll(createResponsesStreamReader(), [await fixtureBytes("stream-function-call.sse")]);
    const ours = frames(writeAll(createResponsesStreamWriter(ctx), events));
    expect(ours.map((f) => f.event)).toEqual(recorded.map((f) => f.event));
    sequenceNumbers(ours);
    ours.forEach((f, i) => {
      const want = Object.keys(recorded[i]!.data).filter((k) => k !== "obfuscation");
      // function_call_arguments.done also carries `name` (required in the openai SDK's types).
      const got = Object.keys(f.data).filter((k) => !(f.event === "response.function_call_arguments.done" && k === "name"));
      expect(got.sort()).toEqual(want.sort());
    });
    const added = ours[4]!.data;
    const done = ours[15]!.data;
    expect(added.item).toEqual({ id: added.item.id, type: "function_call", status: "in_progress", arguments: "", call_id: "call_ygg090lIbgPfPIoYIGePN4cg", name: "get_weather" });
    expect(added.item.id).toMatch(ID("fc"));
    expect(ours.slice(5, 14).map((f) => f.data.delta).join("")).toBe('{"location":"New York City, USA"}');
    expect(ours[14]!.data).toMatchObject({ arguments: '{"location":"New York City, USA"}', item_id: added.item.id, name: "get_weather", output_index: 1 });
    expect(done.item).toEqual({ ...added.item, status: "completed", arguments: '{"location":"New York City, USA"}' });
    expect(ours[3]!.data.item).toEqual({ id: ours[2]!.data.item.id, type: "reasoning", encrypted_content: recorded[3]!.data.item.encrypted_content, summary: [] });
    expect(ours.at(-1)!.data.response.usage).toEqual(recorded.at(-1)!.data.response.usage);
  });

  test("reasoning summary events, then the message; the signature lands in encrypted_content", () => {
    const fs = frames(
      writeAll(createResponsesStreamWriter(ctx), [
        { type: "start", id: "msg_1", model: "claude" },
        { type: "reasoning_delta", text: "Let me " },
        { type: "reasoning_delta", text: "think." },
        { type: "reasoning_signature", signature: "sig-fake-1" },
        { type: "text_delta", text: "391" },
        { type: "finish", reason: "stop" },
      ]),
    );
    expect(fs.map((f) => f.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    sequenceNumbers(fs);
    const rsId = fs[2]!.data.item.id;
    expect(rsId).toMatch(ID("rs"));
    expect(fs[2]!.data).toEqual({ type: "response.output_item.added", item: { id: rsId, type: "reasoning", summary: [] }, output_index: 0, sequence_number: 2 });
    expect(fs[3]!.data).toEqual({
      type: "response.reasoning_summary_part.added",
      item_id: rsId,
      output_index: 0,
      part: { type: "summary_text", text: "" },
      sequence_number: 3,
      summary_index: 0,
    });
    expect(fs[4]!.data).toEqual({ type: "response.reasoning_summary_text.delta", delta: "Let me ", item_id: rsId, output_index: 0, sequence_number: 4, summary_index: 0 });
    expect(fs[6]!.data).toMatchObject({ text: "Let me think.", summary_index: 0, item_id: rsId });
    expect(fs[7]!.data.part).toEqual({ type: "summary_text", text: "Let me think." });
    const reasoning = { id: rsId, type: "reasoning", encrypted_content: "sig-fake-1", summary: [{ type: "summary_text", text: "Let me think." }] };
    expect(fs[8]!.data.item).toEqual(reasoning);
    expect(fs[9]!.data.output_index).toBe(1);
    expect(fs.at(-1)!.data.response.output[0]).toEqual(reasoning);
    // no usage from the upstream: none is invented
    expect(fs.at(-1)!.data.response.usage).toBeNull();
  });

  test("finish=length ends with response.incomplete and the open item incomplete", () => {
    const fs = frames(
      writeAll(createResponsesStreamWriter(ctx), [
        { type: "text_delta", text: "Rivers are vital" },
        { type: "usage", usage: { promptTokens: 16, completionTokens: 16, totalTokens: 32, cachedTokens: null, reasoningTokens: null } },
        { type: "finish", reason: "length" },
      ]),
    );
    expect(fs.at(-1)!.event).toBe("response.incomplete");
    expect(fs.at(-2)!.data.item.status).toBe("incomplete");
    expect(fs.at(-1)!.data.response).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      completed_at: null,
      usage: { input_tokens: 16, output_tokens: 16, total_tokens: 32 },
    });
    expect(fs.at(-1)!.data.response.output[0].status).toBe("incomplete");
    sequenceNumbers(fs);
  });

  test("a missing start: the writer makes the id and still opens with created/in_progress", () => {
    const fs = frames(writeAll(createResponsesStreamWriter(ctx), [{ type: "text_delta", text: "x" }, { type: "finish", reason: "stop" }]));
    expect(fs[0]!.event).toBe("response.created");
    expect(fs[0]!.data.response.id).toMatch(ID("resp"));
    expect(fs.at(-1)!.data.response.id).toBe(fs[0]!.data.response.id);
  });

  test("interleaved parallel tool calls keep their own items and indexes", () => {
    const fs = frames(
      writeAll(createResponsesStreamWriter(ctx), [
        { type: "start", id: "chatcmpl-1", model: "gpt" },
        { type: "tool_call_start", index: 0, id: "call_a", name: "get_weather" },
        { type: "tool_call_start", index: 1, id: "call_b", name: "get_time" },
        { type: "tool_call_delta", index: 0, arguments: '{"city":' },
        { type: "tool_call_delta", index: 1, arguments: "{}" },
        { type: "tool_call_delta", index: 0, arguments: '"Paris"}' },
        { type: "tool_call_end", index: 0 },
        { type: "tool_call_end", index: 1 },
        { type: "finish", reason: "tool_calls" },
      ]),
    );
    sequenceNumbers(fs);
    const a = fs[2]!.data.item;
    const b = fs[3]!.data.item;
    expect([fs[2]!.data.output_index, fs[3]!.data.output_index]).toEqual([0, 1]);
    const deltas = fs.filter((f) => f.event === "response.function_call_arguments.delta").map((f) => [f.data.item_id, f.data.output_index, f.data.delta]);
    expect(deltas).toEqual([
      [a.id, 0, '{"city":'],
      [b.id, 1, "{}"],
      [a.id, 0, '"Paris"}'],
    ]);
    const output = fs.at(-1)!.data.response.output;
    expect(output).toEqual([
      { id: a.id, type: "function_call", status: "completed", arguments: '{"city":"Paris"}', call_id: "call_a", name: "get_weather" },
      { id: b.id, type: "function_call", status: "completed", arguments: "{}", call_id: "call_b", name: "get_time" },
    ]);
    expect(fs.at(-1)!.event).toBe("response.completed");
  });

  test("a call to a custom tool streams as custom_tool_call input", () => {
    const writer = createResponsesStreamWriter(responsesStreamContext({ model: "m", input: "q", tools: [{ type: "custom", name: "apply_patch" }] }, "m"));
    const fs = frames(
      writeAll(writer, [
        { type: "tool_call_start", index: 0, id: "call_p", name: "apply_patch" },
        { type: "tool_call_delta", index: 0, arguments: '{"input":"*** Begin Patch\\n' },
        { type: "tool_call_delta", index: 0, arguments: '*** End Patch\\n"}' },
        { type: "tool_call_end", index: 0 },
        { type: "finish", reason: "tool_calls" },
      ]),
    );
    expect(fs.map((f) => f.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.custom_tool_call_input.delta",
      "response.custom_tool_call_input.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const id = fs[2]!.data.item.id;
    expect(id).toMatch(ID("ctc"));
    expect(fs[3]!.data).toMatchObject({ delta: "*** Begin Patch\n*** End Patch\n", item_id: id, output_index: 0 });
    expect(fs[5]!.data.item).toEqual({ id, type: "custom_tool_call", status: "completed", call_id: "call_p", input: "*** Begin Patch\n*** End Patch\n", name: "apply_patch" });
  });

  test("error(): an error event then response.failed, with the output so far", () => {
    const writer = createResponsesStreamWriter(ctx);
    let text = writer.write({ type: "start", id: "x", model: "m" }) + writer.write({ type: "text_delta", text: "partial" });
    text += writer.error(new GatewayError(502, "upstream_bad_response", "upstream stream failed: socket closed"));
    text += writer.end();
    const fs = frames(text);
    sequenceNumbers(fs);
    expect(fs.slice(-2).map((f) => f.event)).toEqual(["error", "response.failed"]);
    expect(fs.at(-2)!.data).toEqual({
      type: "error",
      code: "upstream_bad_response",
      error: { message: "upstream stream failed: socket closed", type: "server_error", param: null, code: "upstream_bad_response" },
      message: "upstream stream failed: socket closed",
      param: null,
      sequence_number: fs.length - 2,
    });
    expect(fs.at(-1)!.data.response).toMatchObject({
      status: "failed",
      error: { code: "server_error", message: "upstream stream failed: socket closed" },
      output: [{ type: "message", status: "incomplete", content: [{ type: "output_text", text: "partial" }] }],
    });
    // nothing after the terminal event
    expect(writer.write({ type: "text_delta", text: "late" })).toBe("");
    expect(writer.error(new GatewayError(502, "upstream_error", "again"))).toBe("");
  });

  test("a rate limit failure carries Codex's retry hint; errors before any event still open the response", () => {
    const writer = createResponsesStreamWriter(ctx);
    const fs = frames(writer.error(new GatewayError(429, "rate_limited", "Rate limit reached.", { retryAfter: "7" })));
    expect(fs.map((f) => f.event)).toEqual(["response.created", "response.in_progress", "error", "response.failed"]);
    expect(fs[3]!.data.response.error).toEqual({ code: "rate_limit_exceeded", message: "Rate limit reached. Please try again in 7s." });
    expect(fs[2]!.data.error.type).toBe("rate_limit_error");
  });

  test("an upstream's in-stream error event fails the response", () => {
    const fs = frames(
      writeAll(createResponsesStreamWriter(ctx), [
        { type: "start", id: "x", model: "m" },
        { type: "tool_call_start", index: 0, id: "call_1", name: "f" },
        { type: "error", message: "overloaded", status: 529 },
        { type: "finish", reason: "error" },
      ]),
    );
    expect(fs.slice(-2).map((f) => f.event)).toEqual(["error", "response.failed"]);
    expect(fs.at(-1)!.data.response.output[0]).toMatchObject({ type: "function_call", status: "incomplete", call_id: "call_1" });
  });

  test("after a completed terminal event an error is still reported (the SDKs raise it)", () => {
    const writer = createResponsesStreamWriter(ctx);
    const done = writer.write({ type: "finish", reason: "stop" }) + writer.end();
    expect(frames(done).at(-1)!.event).toBe("response.completed");
    const late = frames(writer.error(new GatewayError(502, "upstream_bad_response", "cut")));
    expect(late.map((f) => f.event)).toEqual(["error"]);
    expect(late[0]!.data.sequence_number).toBe(3);
  });

  test("a stream that ends without a finish was cut: error + response.failed, never response.completed", () => {
    // The readers leave `finish` out when the upstream stopped short (no finish_reason/[DONE],
    // no message_stop, no done line).
    const writer = createResponsesStreamWriter(ctx);
    const fs = frames(writeAll(writer, [{ type: "start", id: "x", model: "m" }, { type: "text_delta", text: "Hello, I was" }]));
    sequenceNumbers(fs);
    expect(fs.map((f) => f.event)).not.toContain("response.completed");
    expect(fs.slice(-2).map((f) => f.event)).toEqual(["error", "response.failed"]);
    expect(fs.at(-2)!.data.error).toEqual({
      message: "The upstream stream ended before the response was finished.",
      type: "server_error",
      param: null,
      code: "upstream_bad_response",
    });
    expect(fs.at(-1)!.data.response).toMatchObject({
      status: "failed",
      error: { code: "server_error", message: "The upstream stream ended before the response was finished." },
      output: [{ type: "message", status: "incomplete", content: [{ type: "output_text", text: "Hello, I was" }] }],
    });
    // A stream with nothing at all is cut too.
    expect(frames(createResponsesStreamWriter(ctx).end()).map((f) => f.event)).toEqual(["response.created", "response.in_progress", "error", "response.failed"]);
  });

  test("keep-alive is a numbered keepalive event (Codex counts events, not comments); none after the end", () => {
    const writer = createResponsesStreamWriter(ctx);
    const first = frames(writer.keepAlive()!);
    expect(first).toHaveLength(1);
    expect(first[0]!.event).toBe("keepalive");
    expect(first[0]!.data).toEqual({ type: "keepalive", sequence_number: 0 });
    expect(frames(writer.keepAlive()!)[0]!.data.sequence_number).toBe(1);
    writer.end();
    expect(writer.keepAlive()).toBeNull();
  });

  test("round trip: writer output read back at any split gives the same canonical events", () => {
    const events: StreamEvent[] = [
      { type: "start", id: "resp_0123", model: "m" },
      { type: "reasoning_delta", text: "Pensons: città 🌍. " },
      { type: "reasoning_delta", text: "Done." },
      { type: "reasoning_signature", signature: "sig-1" },
      { type: "text_delta", text: "Héllo " },
      { type: "text_delta", text: "wörld 👋" },
      { type: "tool_call_start", index: 0, id: "call_a", name: "get_weather" },
      { type: "tool_call_delta", index: 0, arguments: '{"city":"Zürich"}' },
      { type: "tool_call_end", index: 0 },
      { type: "usage", usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12, cachedTokens: 1, reasoningTokens: 3 } },
      { type: "finish", reason: "tool_calls" },
    ];
    const bytes = new TextEncoder().encode(writeAll(createResponsesStreamWriter(ctx), events));
    const expected: StreamEvent[] = [
      { type: "start", id: "resp_0123", model: "gpt-test" },
      { type: "reasoning_delta", text: "Pensons: città 🌍. " },
      { type: "reasoning_delta", text: "Done." },
      { type: "reasoning_signature", signature: "sig-1" },
      { type: "text_delta", text: "Héllo " },
      { type: "text_delta", text: "wörld 👋" },
      { type: "tool_call_start", index: 0, id: "call_a", name: "get_weather" },
      { type: "tool_call_delta", index: 0, arguments: '{"city":"Zürich"}' },
      { type: "tool_call_end", index: 0 },
      { type: "usage", usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12, cachedTokens: 1, reasoningTokens: 3 } },
      { type: "finish", reason: "tool_calls" },
    ];
    for (const sizes of [[1], [2], [3], [5], [7], [13], [64], [bytes.length], randomSizes(7, 200, 40), randomSizes(99, 200, 300)]) {
      expect(readAll(createResponsesStreamReader(), splitEvery(bytes, sizes))).toEqual(expected);
    }
  });
});
