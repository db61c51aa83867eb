// Ollama client → Ollama upstream is a byte pass-through; what the gateway adds when the
// upstream dies mid-stream must still be a line the client can parse.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Ollama } from "ollama";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection } from "../support/setup.ts";

const encoder = new TextEncoder();
const FIRST = '{"model":"x","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hi"},"done":false}\n';

let gw: TestGateway;
let upstream: ReturnType<typeof Bun.serve>;
beforeAll(async () => {
  // An Ollama server that crashes half-way through its second NDJSON line.
  upstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch() {
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(encoder.encode(`${FIRST}{"model":"x","created_at":"2025-01-0`));
            return;
          }
          await Bun.sleep(30);
          controller.error(new Error("upstream crashed mid-line (expected by the test)"));
        },
      });
      return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
    },
  });
  gw = await startGateway();
  await addConnection(gw, { provider: "ollama", baseUrl: `http://127.0.0.1:${upstream.port}` });
});
afterAll(async () => {
  await gw.close();
  upstream.stop(true);
});

test("an upstream cut mid-line: the error line starts on a line of its own", async () => {
  const res = await gw.request("/api/chat", { method: "POST", json: { model: "ollama/x", messages: [{ role: "user", content: "a" }] } });
  const text = await res.text();
  expect(text.startsWith(FIRST)).toBe(true);
  const lines = text.split("\n");
  expect(lines.at(-1)).toBe("");
  const last = JSON.parse(lines.at(-2)!);
  expect(Object.keys(last)).toEqual(["error"]);
  expect(last.error).toContain("upstream stream failed");
  // The cut line stays as the upstream sent it (pass-through never rewrites bytes).
  expect(lines.at(-3)).toBe('{"model":"x","created_at":"2025-01-0');
});

test("ollama-js raises the gateway's error, not a generic 'no done' error", async () => {
  const base = await gw.listen();
  const ollama = new Ollama({ host: base });
  const warn = console.warn;
  console.warn = () => {}; // ollama-js warns about the cut line it skips
  try {
    const stream = await ollama.chat({ model: "ollama/x", messages: [{ role: "user", content: "a" }], stream: true });
    const err = await (async () => {
      for await (const _ of stream);
    })().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toContain("upstream stream failed");
  } finally {
    console.warn = warn;
  }
});
