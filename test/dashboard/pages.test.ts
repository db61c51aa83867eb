// Every page renders (whole document for a browser, fragment for htmx), the navigation lists
// every registered page, and the overview shows what happened.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { PAGES } from "../../src/dashboard/pages/index.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { addConnection, expectFragment, expectPage, loggedIn, type Browser } from "./helpers.ts";

let b: Browser;
let fake: FakeOpenAi;
beforeEach(async () => {
  b = await loggedIn();
  fake = startFakeOpenAi({ apiKey: "sk-fake-upstream" });
});
afterEach(async () => {
  fake.close();
  await b.gw.close();
});

/** Each page: its path and something only it shows. */
const PAGE_CONTENT: Record<string, string> = {
  "/dashboard": "Requests, last 60 minutes",
  "/dashboard/providers": "Add a connection",
  "/dashboard/providers/nodes": "Add a custom endpoint",
  "/dashboard/models": "Filter models",
  "/dashboard/aliases": "Add or change an alias",
  "/dashboard/keys": "Create a key",
  "/dashboard/connect": "Claude Code",
  "/dashboard/settings": "Dashboard login",
  "/dashboard/combos": "Create a combo",
  "/dashboard/resilience": "Connections right now",
  "/dashboard/usage": "Request log",
  "/dashboard/pricing": "Set a price",
  "/dashboard/budgets": "Set a budget",
  "/dashboard/telemetry": "Latency by provider",
  "/dashboard/audit": "entries",
  "/dashboard/backups": "Back up now",
  "/dashboard/processing": "Thinking budget",
  "/dashboard/cache": "Clear cache",
};

/** Where htmx asks a page for something narrower than its content (the models filter). */
const FRAGMENT_CONTENT: Record<string, string> = { "/dashboard/models": 'id="model-catalog"', "/dashboard/resilience": "Connections right now" };

describe("pages", () => {
  test("every registered page renders as a document with the navigation, and as a fragment for htmx", async () => {
    for (const page of PAGES) {
      const res = await b.get(page.path);
      expect(res.status, page.path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-store");
      const html = await res.text();
      expectPage(html);
      for (const other of PAGES) expect(html, `${page.path} links ${other.path}`).toContain(`href="${other.path}"`);
      expect(html).toContain(`href="${page.path}" aria-current="page"`);
      if (PAGE_CONTENT[page.path]) expect(html).toContain(PAGE_CONTENT[page.path]!);
      expect(html).toContain('action="/logout"');

      const fragment = await (await b.get(page.path, { hx: true })).text();
      expectFragment(fragment);
      const part = FRAGMENT_CONTENT[page.path] ?? PAGE_CONTENT[page.path];
      if (part) expect(fragment).toContain(part);
    }
    // A page added to the navigation gets a line above.
    expect(PAGES.map((p) => p.path).filter((p) => !(p in PAGE_CONTENT))).toEqual([]);
  });

  test("the page assets are served (htmx, CSS, the small script)", async () => {
    for (const [file, type] of [["htmx.min.js", "javascript"], ["app.css", "text/css"], ["app.js", "javascript"]] as const) {
      const res = await b.gw.request(`/public/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain(type);
    }
  });

  test("an unknown dashboard path is a 404 page with the navigation", async () => {
    const res = await b.get("/dashboard/no-such-page");
    expect(res.status).toBe(404);
    const html = await res.text();
    expectPage(html);
    expect(html).toContain("There is no such page.");
  });

  test("light and dark come from prefers-color-scheme; the layout fits a phone", async () => {
    const css = await (await b.gw.request("/public/app.css")).text();
    expect(css).toContain("@media (prefers-color-scheme: dark)");
    expect(css).toMatch(/@media \(max-width: \d+px\)/);
    const html = await (await b.get("/dashboard")).text();
    expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
    expect(html).toContain('name="color-scheme" content="light dark"');
  });
});

describe("overview", () => {
  test("empty: a getting-started checklist and empty states that say what to do", async () => {
    const html = await (await b.get("/dashboard")).text();
    expect(html).toContain("Getting started");
    expect(html).toContain('href="/dashboard/providers#add-connection"');
    expect(html).toContain("No requests yet");
    expect(html).toContain('class="sparkline"');
  });

  test("after a routed request: counts, the sparkline and the request in the recent list", async () => {
    await addConnection(b, { provider: "openai", baseUrl: fake.baseUrl });
    expect((await b.api("POST", "/api/keys", { name: "k" })).status).toBe(201);
    const chat = await b.gw.request("/v1/chat/completions", { method: "POST", json: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] } });
    expect(chat.status).toBe(200);
    await b.gw.request("/v1/chat/completions", { method: "POST", json: { model: "openai/x-error-500", messages: [{ role: "user", content: "hi" }] } });
    b.gw.services.usage.flush();

    const live = await (await b.get("/dashboard/overview/live", { hx: true })).text();
    expectFragment(live);
    expect(live).toContain('hx-trigger="every 5s"');
    expect(live).toMatch(/Requests today<\/div><div class="stat-value">2</);
    expect(live).toMatch(/Errors today<\/div><div class="stat-value">1</);
    expect(live).toContain("2 requests · 1 failed");
    expect(live).toContain("openai/gpt-4o-mini");
    expect(live).toContain('class="spark-error"');
    expect(live).toContain(">200<");
    expect(live).toContain(">500<");
    // Today by provider: both requests went to openai.
    expect(live).toMatch(/<span class="bar-label">openai<\/span>[\s\S]*?<span class="bar-value">2<\/span>/);
    const html = await (await b.get("/dashboard")).text();
    // Connection, key and request done: the checklist has served its purpose.
    expect(html).not.toContain("Getting started");
  });
});

describe("connect a client", () => {
  test("snippets carry the base URL the browser used (or a proxy's X-Forwarded-*)", async () => {
    const direct = await (await b.get("/dashboard/connect", { headers: { host: "gw.local:20128" } })).text();
    expect(direct).toContain("export ANTHROPIC_BASE_URL=http://gw.local:20128");
    expect(direct).toContain("base_url = &quot;http://gw.local:20128/v1&quot;");
    for (const client of ["Claude Code", "Codex CLI", "Cursor", "Open WebUI", "OpenAI SDK (Python)", "OpenAI SDK (JavaScript)", "Anthropic SDK"]) expect(direct).toContain(client);
    expect(direct).toContain("No provider is connected yet");
    expect(direct).toContain('data-copy="#code-claude-code"');

    const proxied = await (await b.get("/dashboard/connect", { headers: { "x-forwarded-proto": "https", "x-forwarded-host": "ai.example.com" } })).text();
    expect(proxied).toContain("https://ai.example.com/v1");
  });

  test("with a connection, the example model is one that routes now", async () => {
    await addConnection(b, { provider: "openai", baseUrl: fake.baseUrl });
    const html = await (await b.get("/dashboard/connect")).text();
    expect(html).not.toContain("No provider is connected yet");
    expect(html).toContain("&quot;model&quot;:&quot;openai/");
  });
});
