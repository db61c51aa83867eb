// Pages of the areas built on the routing and accounting layers: combos, resilience & limits,
// usage, pricing, budgets, telemetry, audit log, backups.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { addConnection, expectEscaped, expectFragment, expectPage, loggedIn, type Browser } from "./helpers.ts";

let b: Browser;
let fake: FakeOpenAi;
beforeEach(async () => {
  b = await loggedIn();
  fake = startFakeOpenAi({ apiKey: "sk-fake-upstream" });
  await addConnection(b, { provider: "openai", baseUrl: fake.baseUrl });
});
afterEach(async () => {
  fake.close();
  await b.gw.close();
});

const chat = (model: string, headers: Record<string, string> = {}) =>
  b.gw.request("/v1/chat/completions", { method: "POST", json: { model, messages: [{ role: "user", content: "hi" }] }, headers });

describe("combos", () => {
  test("create, reorder targets, edit strategy, delete; a combo routes; errors inline", async () => {
    const bad = await b.post("/dashboard/combos", { name: "x", strategy: "priority", targets: "nope/model" }, { hx: true });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Unknown target");
    const badLine = await b.post("/dashboard/combos", { name: "x", strategy: "priority", targets: "a b c" }, { hx: true });
    expect(await badLine.text()).toContain("Line 1");

    const created = await (await b.post("/dashboard/combos", { name: "smart", strategy: "priority", targets: "openai/gpt-4o-mini\nopenai/gpt-4o 3" }, { hx: true })).text();
    expectFragment(created);
    expect(created).toContain("Combo “smart” created");
    expect(created).toContain("weight 3");
    const combo = [...b.gw.services.store.combos.values()][0]!;
    expect(combo.targets).toEqual(["openai/gpt-4o-mini", { model: "openai/gpt-4o", weight: 3 }]);
    expect((await chat("smart")).status).toBe(200);

    await b.post(`/dashboard/combos/${combo.id}/move`, { index: "1", dir: "up" }, { hx: true });
    expect(b.gw.services.store.combos.get("smart")!.targets).toEqual([{ model: "openai/gpt-4o", weight: 3 }, "openai/gpt-4o-mini"]);

    const edit = await (await b.get(`/dashboard/combos/${combo.id}/edit`, { hx: true })).text();
    expect(edit).toContain("Save combo");
    expect(edit).toContain("openai/gpt-4o 3\nopenai/gpt-4o-mini");
    await b.post(`/dashboard/combos/${combo.id}`, { name: "smart", strategy: "round-robin", targets: "openai/gpt-4o-mini" }, { hx: true });
    expect(b.gw.services.store.combos.get("smart")!.strategy).toBe("round-robin");

    const hostile = await (await b.post("/dashboard/combos", { name: "evil", strategy: "priority", targets: "openai/<script>alert(1)</script>" }, { hx: true })).text();
    expectEscaped(hostile);

    const gone = await (await b.post(`/dashboard/combos/${combo.id}/delete`, {}, { hx: true })).text();
    expect(gone).toContain("Combo “smart” deleted.");
  });
});

describe("usage", () => {
  test("totals, chart and the request log with its detail page; filters and paging", async () => {
    for (let i = 0; i < 27; i++) await chat(i === 0 ? "openai/x-error-500" : "openai/gpt-4o-mini");
    b.gw.services.usage.flush();
    const page = await (await b.get("/dashboard/usage")).text();
    expectPage(page);
    expect(page).toMatch(/Requests<\/div><div class="stat-value">27</);
    expect(page).toContain('class="sparkline"');
    expect(page).toContain("openai/gpt-4o-mini");
    expect(page).toContain("Older →");

    const older = /hx-get="(\/dashboard\/usage\/log\?[^"]+)"/.exec(page)![1]!.replaceAll("&amp;", "&");
    const next = await (await b.get(older, { hx: true })).text();
    expectFragment(next);
    expect(next).toContain("← Newest");
    expect((next.match(/<tr>/g) ?? []).length).toBe(3); // header + the last 2 of 27

    const failed = await (await b.get("/dashboard/usage?range=7d&status=error", { hx: true })).text();
    expect(failed).toStartWith('<div id="usage-area">');
    expect(failed).toContain(">500<");
    expect(failed).not.toContain(">200<");

    const id = /\/dashboard\/usage\/requests\/([^"]+)"/.exec(failed)![1]!;
    const detail = await (await b.get(`/dashboard/usage/requests/${id}`)).text();
    expect(detail).toContain("Attempts");
    expect((await b.get("/dashboard/usage/requests/nope")).status).toBe(404);
  });
});

describe("resilience & limits", () => {
  test("live state with reset, client rate limits, availability, profiles JSON, policies", async () => {
    await chat("openai/x-error-500");
    const page = await (await b.get("/dashboard/resilience")).text();
    expectPage(page);
    expect(page).toContain("openai-test");
    const reset = await (await b.post("/dashboard/resilience/reset", {}, { hx: true })).text();
    expect(reset).toStartWith('<section class="card" id="live-state">');
    expect(reset).toContain("Reset:");

    const rate = await (await b.post("/dashboard/resilience/rate-limit", { requestsPerMinute: "120", requestsPerMinutePerKey: "0", maxConcurrentStreams: "0" }, { hx: true })).text();
    expect(rate).toContain("Saved.");
    expect((await (await b.api("GET", "/api/rate-limit")).json()) as any).toMatchObject({ requestsPerMinute: 120 });

    const ok = await (await b.post("/dashboard/resilience/availability", { model: "openai/gpt-4o-mini" }, { hx: true })).text();
    expect(ok).toContain(">available<");
    const unknown = await b.post("/dashboard/resilience/availability", { model: "nope/x" }, { hx: true });
    expect(await unknown.text()).toContain("alert tone-bad");

    const badJson = await b.post("/dashboard/resilience/profiles", { json: "{" }, { hx: true });
    expect(badJson.status).toBe(400);
    expect(await badJson.text()).toContain("Not valid JSON");
    const profiles = await (await b.post("/dashboard/resilience/profiles", { json: JSON.stringify({ cooldown: { baseMs: 1000 } }) }, { hx: true })).text();
    expect(profiles).toContain("Saved");

    const policy = await (await b.post("/dashboard/resilience/policies", { json: JSON.stringify({ name: "<b>night</b>", action: "allow", forceModel: "openai/gpt-4o-mini" }) }, { hx: true })).text();
    expect(policy).toContain("Policy “&lt;b&gt;night&lt;/b&gt;” added.");
    expectEscaped(policy, "<b>night</b>");
    const id = ((await (await b.api("GET", "/api/policies")).json()) as any).policies[0].id;
    const deleted = await (await b.post(`/dashboard/resilience/policies/${id}/delete`, {}, { hx: true })).text();
    expect(deleted).toContain("No policies");
  });
});

describe("pricing, budgets, telemetry, audit", () => {
  test("pricing: set an override, filter, reset", async () => {
    const saved = await (await b.post("/dashboard/pricing", { provider: "openai", model: "gpt-4o-mini", input: "1.5", output: "3", cached: "" }, { hx: true })).text();
    expect(saved).toContain("Price for openai/gpt-4o-mini saved.");
    expect(saved).toMatch(/openai\/gpt-4o-mini<\/code><\/td><td class="num">\$1.5</);
    expect(saved).toContain(">override<");
    const none = await b.post("/dashboard/pricing", { provider: "openai", model: "m", input: "", output: "" }, { hx: true });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Give at least an input or an output price");
    const filtered = await (await b.get("/dashboard/pricing?q=gpt-4o-mini", { hx: true })).text();
    expectFragment(filtered);
    expect(filtered).toContain("openai/gpt-4o-mini");
    expect(filtered).not.toContain("anthropic/");
    const reset = await (await b.post("/dashboard/pricing/reset", { provider: "openai", model: "gpt-4o-mini" }, { hx: true })).text();
    expect(reset).toContain("back to its built-in price");
    expect(reset).not.toContain(">override<");
  });

  test("budgets: set one on a key, see its meter, remove it", async () => {
    expect(await (await b.get("/dashboard/budgets")).text()).toContain("Create a key");
    const key = (await (await b.api("POST", "/api/keys", { name: "<i>team</i>" })).json()) as any;
    const bad = await b.post("/dashboard/budgets", { keyId: key.id, limit: "", period: "monthly", warningThreshold: "80" }, { hx: true });
    expect(bad.status).toBe(400);
    const saved = await (await b.post("/dashboard/budgets", { keyId: key.id, limit: "25", period: "weekly", warningThreshold: "50" }, { hx: true })).text();
    expect(saved).toContain("Budget saved.");
    expect(saved).toContain('class="meter meter-ok"');
    expectEscaped(saved, "<i>team</i>");
    const removed = await (await b.post("/dashboard/budgets/delete", { keyId: key.id }, { hx: true })).text();
    expect(removed).toContain("No budgets");
  });

  test("telemetry: percentiles per provider (polling fragment)", async () => {
    await chat("openai/gpt-4o-mini");
    b.gw.services.usage.flush();
    const page = await (await b.get("/dashboard/telemetry")).text();
    expectPage(page);
    const live = await (await b.get("/dashboard/telemetry?window=5", { hx: true })).text();
    expectFragment(live);
    expect(live).toContain('hx-trigger="every 10s"');
    expect(live).toContain("Latency by provider, last 5 min");
  });

  test("audit: dashboard changes are recorded and listed, with filters", async () => {
    await b.post("/dashboard/keys", { name: "audited" }, { hx: true });
    const page = await (await b.get("/dashboard/audit")).text();
    expect(page).toContain("<code>dashboard</code>");
    const filtered = await (await b.get("/dashboard/audit?actor=nobody", { hx: true })).text();
    expectFragment(filtered);
    expect(filtered).toContain("Nothing recorded");
  });
});

describe("backups", () => {
  test("create, list, download, restore", async () => {
    const created = await (await b.post("/dashboard/backups/create", {}, { hx: true })).text();
    expect(created).toContain("written.");
    expect(created).toContain(">manual<");
    const download = await b.get("/dashboard/backups/export");
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toContain(".sqlite");
    expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const backupId = ((await (await b.api("GET", "/api/db-backups")).json()) as any).backups[0].id;
    const restored = await (await b.post("/dashboard/backups/restore", { backupId }, { hx: true })).text();
    expect(restored).toContain("Restored.");
    const missing = await b.post("/dashboard/backups/restore", { backupId: "db_nope.sqlite" }, { hx: true });
    expect(missing.status).toBeGreaterThanOrEqual(400);
  });
});
