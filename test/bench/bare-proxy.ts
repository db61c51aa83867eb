// Reference point for the benchmark: the least a Bun process can do to forward a chat
// completion — Bun.serve, read the body, one fetch() to the upstream, hand the bytes back.
// No routing, validation, model resolution or usage accounting. What the gateway loses
// against this is its own code; what this loses against the direct run is the runtime's
// (an extra process, an HTTP server and an HTTP client on the same two cores).
//   bun test/bench/bare-proxy.ts <upstream base url> <api key>   → prints {"port":N}
const [upstream, apiKey] = Bun.argv.slice(2);
if (!upstream || !apiKey) {
  console.error("usage: bare-proxy.ts <upstream base url> <api key>");
  process.exit(2);
}

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  idleTimeout: 0,
  async fetch(req) {
    const body = (await req.json()) as { model: string };
    body.model = body.model.slice(body.model.indexOf("/") + 1);
    const res = await fetch(`${upstream}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return new Response(await res.arrayBuffer(), { status: res.status, headers: { "content-type": "application/json" } });
  },
});

console.log(JSON.stringify({ port: server.port }));
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
