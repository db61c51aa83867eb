import { startGateway } from "../support/gateway.ts";
const gw = await startGateway();
const O = { origin: "http://localhost" };
let r = await gw.request("/login/skip", { method: "POST", headers: O });
for (const p of ["/dashboard", "/dashboard/providers", "/dashboard/providers/nodes", "/dashboard/models", "/dashboard/providers/openai", "/dashboard/aliases", "/dashboard/keys", "/dashboard/connect", "/dashboard/settings", "/dashboard/nope", "/dashboard/overview/live"]) {
  r = await gw.request(p);
  const t = await r.text();
  console.log(p, r.status, t.length, t.includes("<main") ? "" : t.slice(0, 100));
}
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
r = await gw.request("/dashboard/providers/connections", { method: "POST", headers: { ...O, "content-type": "application/x-www-form-urlencoded", "hx-request": "true" }, body: form({ provider: "openai", name: "<script>alert(1)</script>", apiKey: "sk-test-1234567890abcdef", baseUrl: "http://127.0.0.1:9/v1" }) });
let t = await r.text();
console.log("add conn", r.status, t.includes("&lt;script&gt;"), t.includes("<script>alert"));
r = await gw.request("/dashboard/keys", { method: "POST", headers: { ...O, "content-type": "application/x-www-form-urlencoded", "hx-request": "true" }, body: form({ name: "laptop" }) });
t = await r.text();
console.log("add key", r.status, /sk-omni-[A-Za-z0-9_-]+/.exec(t)?.[0]);
r = await gw.request("/dashboard/keys", { method: "POST", headers: { ...O, "content-type": "application/x-www-form-urlencoded", "hx-request": "true" }, body: form({ name: "" }) });
t = await r.text();
console.log("add key empty", r.status, t.match(/field-error">([^<]*)/)?.[1]);
await gw.close();
