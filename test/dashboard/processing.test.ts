// The Cache and Request processing pages: each form goes through its /api/* route, errors come
// back inline (htmx fragment) or on the whole page (no JavaScript), user text is escaped.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { HOSTILE, expectEscaped, expectFragment, expectPage, loggedIn, type Browser } from "./helpers.ts";

let b: Browser;
beforeEach(async () => {
  b = await loggedIn();
});
afterEach(async () => {
  await b.gw.close();
});

const json = async (res: Response) => (await res.json()) as any;

describe("cache", () => {
  test("stats in cards; clearing works as htmx and as a plain form post", async () => {
    const html = await (await b.get("/dashboard/cache")).text();
    expectPage(html);
    for (const label of ["In memory", "In the database", "Hit rate", "Idempotency keys"]) expect(html).toContain(label);
    expect(html).toContain('hx-confirm="Clear every cached answer and idempotency key?"');
    expect(html).toContain('action="/dashboard/cache/clear"');

    const hx = await b.post("/dashboard/cache/clear", {}, { hx: true });
    expect(hx.status).toBe(200);
    const fragment = await hx.text();
    expectFragment(fragment);
    expect(fragment).toContain('id="cache-area"');
    expect(fragment).toContain("Cleared 0 cached answers and 0 idempotency keys.");

    const plain = await b.post("/dashboard/cache/clear");
    expect(plain.status).toBe(200);
    const page = await plain.text();
    expectPage(page);
    expect(page).toContain("Cleared 0 cached answers");
  });
});

describe("request processing", () => {
  test("the page shows the four sections with what is in force", async () => {
    await b.api("PUT", "/api/settings/thinking-budget", { mode: "cap", budgetTokens: 2048 });
    await b.api("PUT", "/api/settings/ip-filter", { blocklist: ["203.0.113.0/24", "198.51.100.7"] });
    const html = await (await b.get("/dashboard/processing")).text();
    expectPage(html);
    for (const id of ["system-prompt", "thinking-budget", "ip-filter", "proxy"]) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('value="2048"');
    expect(html).toContain('<option value="cap" selected>');
    expect(html).toContain("203.0.113.0/24\n198.51.100.7</textarea>");
  });

  test("system prompt: saved through the API, hostile text escaped, errors inline", async () => {
    const res = await b.post("/dashboard/processing/system-prompt", { enabled: "true", mode: "append", prompt: HOSTILE }, { hx: true });
    expect(res.status).toBe(200);
    const fragment = await res.text();
    expectFragment(fragment);
    expect(fragment).toContain('id="system-prompt"');
    expect(fragment).toContain("Saved.");
    expectEscaped(fragment);
    expect(await json(await b.api("GET", "/api/settings/system-prompt"))).toEqual({ enabled: true, mode: "append", prompt: HOSTILE });
    expectEscaped(await (await b.get("/dashboard/processing")).text());

    // The hidden "false" then no box: unticked turns it off.
    await b.post("/dashboard/processing/system-prompt", { enabled: "false", mode: "prepend", prompt: "x" }, { hx: true });
    expect((await json(await b.api("GET", "/api/settings/system-prompt"))).enabled).toBe(false);

    const bad = await b.post("/dashboard/processing/system-prompt", { enabled: "true", mode: "sideways", prompt: HOSTILE }, { hx: true });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('class="field-error"');
    expectEscaped(badHtml);
    expect((await json(await b.api("GET", "/api/settings/system-prompt"))).mode).toBe("prepend");

    // Without JavaScript: the whole page, the error in its section.
    const plain = await b.post("/dashboard/processing/system-prompt", { enabled: "true", mode: "sideways", prompt: "p" });
    expect(plain.status).toBe(400);
    const page = await plain.text();
    expectPage(page);
    expect(page).toContain('class="field-error"');
  });

  test("thinking budget: policy saved; a bad number is refused inline", async () => {
    const ok = await b.post("/dashboard/processing/thinking-budget", { mode: "force", budgetTokens: "0" }, { hx: true });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Saved.");
    expect(await json(await b.api("GET", "/api/settings/thinking-budget"))).toEqual({ mode: "force", budgetTokens: 0 });

    const nan = await b.post("/dashboard/processing/thinking-budget", { mode: "cap", budgetTokens: "lots" }, { hx: true });
    expect(nan.status).toBe(400);
    expect(await nan.text()).toContain("Enter a number");
    const big = await b.post("/dashboard/processing/thinking-budget", { mode: "cap", budgetTokens: "2000000" }, { hx: true });
    expect(big.status).toBe(400);
    const bigHtml = await big.text();
    expect(bigHtml).toContain('class="field-error"');
    expect(bigHtml).toContain('value="2000000"');
    expect(await json(await b.api("GET", "/api/settings/thinking-budget"))).toEqual({ mode: "force", budgetTokens: 0 });
  });

  test("IP filter: lists one per line; a bad entry is refused inline and escaped", async () => {
    const ok = await b.post("/dashboard/processing/ip-filter", { enabled: "false", allowlist: "", blocklist: "203.0.113.0/24\n\n 198.51.100.7 ", trustedProxies: "10.0.0.1" }, { hx: true });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Saved.");
    expect(await json(await b.api("GET", "/api/settings/ip-filter"))).toEqual({ enabled: false, allowlist: [], blocklist: ["203.0.113.0/24", "198.51.100.7"], trustedProxies: ["10.0.0.1"] });

    const bad = await b.post("/dashboard/processing/ip-filter", { enabled: "false", allowlist: "", blocklist: HOSTILE, trustedProxies: "" }, { hx: true });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain("not an IP address or CIDR range");
    expectEscaped(html);
  });

  test("IP filter: the API's 'would refuse you' is shown inline with a force box, which saves it", async () => {
    const base = await b.gw.listen();
    const post = (fields: Record<string, string>) =>
      fetch(`${base}/dashboard/processing/ip-filter`, {
        method: "POST",
        headers: { cookie: b.cookie, origin: base, "content-type": "application/x-www-form-urlencoded", "hx-request": "true" },
        body: new URLSearchParams(fields).toString(),
      });
    const fields = { enabled: "true", allowlist: "10.0.0.0/8", blocklist: "", trustedProxies: "" };
    const refused = await post(fields);
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain("This filter would refuse your own address (127.0.0.1)");
    expect(html).toContain('name="force"');
    expect(html).toContain("10.0.0.0/8</textarea>");
    expect((await json(await b.api("GET", "/api/settings/ip-filter"))).enabled).toBe(false);

    const forced = await post({ ...fields, force: "true" });
    expect(forced.status).toBe(200);
    expect(await json(await b.api("GET", "/api/settings/ip-filter"))).toMatchObject({ enabled: true, allowlist: ["10.0.0.0/8"] });
    // And it took effect: this browser is now refused.
    expect((await fetch(`${base}/dashboard/processing`, { headers: { cookie: b.cookie } })).status).toBe(403);
  });

  test("upstream proxy: global URL saved without showing the password; bad URL inline; overrides", async () => {
    const saved = await b.post("/dashboard/processing/proxy", { global: "http://user:s3cret@proxy.local:3128" }, { hx: true });
    expect(saved.status).toBe(200);
    const html = await saved.text();
    expectFragment(html);
    expect(html).toContain('value="http://user@proxy.local:3128"');
    expect(html).toContain("a password is stored");
    expect(html).not.toContain("s3cret");
    // Posting the shown URL back keeps the stored password.
    await b.post("/dashboard/processing/proxy", { global: "http://user@proxy.local:3128" }, { hx: true });
    expect((await json(await b.api("GET", "/api/settings/proxy"))).global).toMatchObject({ host: "proxy.local", hasPassword: true });

    const bad = await b.post("/dashboard/processing/proxy", { global: "ftp://nope" }, { hx: true });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("proxy type must be http or https");

    const direct = await b.post("/dashboard/processing/proxy/override", { provider: "openai", proxy: "direct" }, { hx: true });
    expect(direct.status).toBe(200);
    expect(await direct.text()).toContain("direct (bypasses the global proxy)");
    expect((await json(await b.api("GET", "/api/settings/proxy"))).providers).toEqual({ openai: "direct" });
    const badOverride = await b.post("/dashboard/processing/proxy/override", { provider: "no-such-provider", proxy: "http://p:1" }, { hx: true });
    expect(badOverride.status).toBe(400);
    expect(await badOverride.text()).toContain("Invalid provider");
    const removed = await b.post("/dashboard/processing/proxy/remove", { provider: "openai" }, { hx: true });
    expect(removed.status).toBe(200);
    expect((await json(await b.api("GET", "/api/settings/proxy"))).providers).toEqual({});

    const cleared = await b.post("/dashboard/processing/proxy", { global: "" });
    expect(cleared.status).toBe(200);
    expectPage(await cleared.text());
    expect((await json(await b.api("GET", "/api/settings/proxy"))).global).toBeNull();
  });

  test("Test proxy: the API's result inline (htmx) or on the page; nothing configured is an inline error", async () => {
    const none = await b.post("/dashboard/processing/proxy/test", { global: "" }, { hx: true });
    expect(none.status).toBe(200);
    const noneHtml = await none.text();
    expect(noneHtml).toContain('id="proxy-test"');
    expect(noneHtml).toContain("No proxy given and none configured");

    // Nothing listens on port 1: the test fails fast, and says so.
    const failed = await b.post("/dashboard/processing/proxy/test", { global: "http://127.0.0.1:1" }, { hx: true });
    const failedHtml = await failed.text();
    expectFragment(failedHtml);
    expect(failedHtml).toContain("Proxy test failed (http://127.0.0.1:1)");

    const plain = await b.post("/dashboard/processing/proxy/test", { global: "http://127.0.0.1:1" });
    const page = await plain.text();
    expectPage(page);
    expect(page).toContain("Proxy test failed");
    expect(page).toContain('value="http://127.0.0.1:1"');
    expect(page).toContain('hx-indicator="#proxy-spinner"');
  });
});
