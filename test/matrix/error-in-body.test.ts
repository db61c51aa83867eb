// OpenRouter answers HTTP 200 with {"error":{"code":<status>,"message",…}} when the model fails
// after the request was accepted. The client gets that status and message in its own format
// (streamed or not, same format or translated), not a 502 about an unexpected body.
import { expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { usageRows } from "../support/setup.ts";
import { matrixWithSdks, UPSTREAMS } from "./harness.ts";

const t = matrixWithSdks();

/** Each call its own model id: an in-body 429 cools its target down like an HTTP 429 (tested below). */
const model = (status: number, tag: string) => UPSTREAMS.find((u) => u.format === "openai")!.model(`error-in-body-${status}-${tag}` as never);
const settle = (p: Promise<unknown>): Promise<any> => p.then(() => null, (e) => e);

test("openai client, same format: the body's status and message, streamed or not", async () => {
  for (const stream of [false, true]) {
    const err = await settle(t.openai.chat.completions.create({ model: model(429, `oa-${stream}`), messages: [{ role: "user", content: "x" }], stream }));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.error).toMatchObject({ message: "[openai] Provider returned error", type: "rate_limit_error" });
  }
  const down = await settle(t.openai.chat.completions.create({ model: model(502, "oa"), messages: [{ role: "user", content: "x" }] }));
  expect(down).toBeInstanceOf(OpenAI.InternalServerError);
  expect(down.status).toBe(502);
  expect(down.error.message).toBe("[openai] Provider returned error");
});

test("anthropic client, translated: the same status and message in Anthropic's error shape", async () => {
  for (const stream of [false, true]) {
    const err = await settle(t.anthropic.messages.create({ model: model(429, `an-${stream}`), max_tokens: 64, messages: [{ role: "user", content: "x" }], stream }));
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.error).toEqual({ type: "error", error: { type: "rate_limit_error", message: "[openai] Provider returned error" } });
  }
});

test("the usage row has the body's status and message", async () => {
  const res = await t.openai.chat.completions.create({ model: model(503, "row"), messages: [{ role: "user", content: "x" }] }).withResponse().catch((e) => e);
  expect(res.status).toBe(503);
  const row = usageRows(t.m.gw).at(-1);
  expect(row).toMatchObject({ status: 503, model: "gpt-4o-mini-error-in-body-503-row" });
  expect(row.error).toContain("Provider returned error");
});

test("an in-body 429 cools its target down like an HTTP 429 does: the next call gets the cooldown answer", async () => {
  const first = await settle(t.openai.chat.completions.create({ model: model(429, "cool"), messages: [{ role: "user", content: "x" }] }));
  expect(first.error.message).toBe("[openai] Provider returned error");
  const second = await settle(t.openai.chat.completions.create({ model: model(429, "cool"), messages: [{ role: "user", content: "x" }] }));
  expect(second).toBeInstanceOf(OpenAI.RateLimitError);
  expect(second.error.message).toContain("is cooling down");
});
