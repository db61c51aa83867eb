// A same-format stream is passed through byte for byte — but only if it is a stream. An
// upstream that answers a streamed request with 200 and a web page (a captive portal, a
// proxy's error page) must reach the client as a 502 in the client's own error shape, not as
// HTML with status 200.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startMatrix, UPSTREAMS, type Matrix } from "./harness.ts";

let m: Matrix;
beforeAll(async () => {
  m = await startMatrix();
});
afterAll(() => m.close());

const garbage = (format: string) => `${UPSTREAMS.find((u) => u.format === format)!.model()}-garbage`;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${m.base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

test("anthropic client → anthropic upstream: 502 with Anthropic's error body", async () => {
  const res = await post("/v1/messages", { model: garbage("anthropic"), max_tokens: 64, stream: true, messages: [{ role: "user", content: "x" }] });
  expect(res.status).toBe(502);
  expect(res.headers.get("content-type")).toStartWith("application/json");
  const body = (await res.json()) as { type: string; error: { type: string; message: string } };
  expect(body.type).toBe("error");
  expect(body.error.type).toBe("api_error");
  expect(body.error.message).toContain("web page (text/html)");
});

test("gemini client → gemini upstream (alt=sse): 502 with Google's error body", async () => {
  const res = await post(`/v1beta/models/${garbage("gemini")}:streamGenerateContent?alt=sse`, { contents: [{ role: "user", parts: [{ text: "x" }] }] }, { "x-goog-api-key": m.key });
  expect(res.status).toBe(502);
  const body = (await res.json()) as { error: { code: number; message: string; status: string } };
  expect(body.error.code).toBe(502);
  expect(body.error.message).toContain("web page (text/html)");
});

test("ollama client → ollama upstream (streamed by default): 502 with Ollama's error body", async () => {
  const res = await post("/api/chat", { model: garbage("ollama"), messages: [{ role: "user", content: "x" }] });
  expect(res.status).toBe(502);
  const body = (await res.json()) as { error: string };
  expect(body.error).toContain("web page (text/html)");
});

test("responses client → responses upstream: 502 with OpenAI's error body", async () => {
  const res = await post("/v1/responses", { model: garbage("openai-responses"), stream: true, input: "x" });
  expect(res.status).toBe(502);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("upstream_bad_response");
  expect(body.error.message).toContain("web page (text/html)");
});

test("the failure is in the usage log with its reason", async () => {
  await post("/api/chat", { model: garbage("ollama"), messages: [{ role: "user", content: "x" }] });
  const res = await fetch(`${m.base}/api/usage/request-logs?limit=1&provider=ollama`);
  const { logs } = (await res.json()) as { logs: { status: number; errorCode: string; error: string }[] };
  expect(logs[0]).toMatchObject({ status: 502, errorCode: "upstream_bad_response" });
  expect(logs[0]!.error).toContain("web page");
});
