// Providers pages: connections (add, validate, test, edit, toggle, delete), custom endpoints,
// models. Hostile names must come back as text.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { addConnection, expectEscaped, expectFragment, expectNoMarkup, expectPage, HOSTILE, loggedIn, type Browser } from "./helpers.ts";

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

const connections = () => b.gw.services.db.$client.query("SELECT * FROM provider_connections").all() as any[];

describe("connections", () => {
  test("add through the form (htmx): saved encrypted, table and catalogue refreshed, form cleared", async () => {
    const res = await b.post("/dashboard/providers/connections", { provider: "openai", name: "main", apiKey: "sk-fake-upstream", baseUrl: fake.baseUrl, priority: "" }, { hx: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expectFragment(html);
    expect(html).toContain('id="connections-area"');
    expect(html).toContain("Connection “main” saved.");
    expect(html).toContain("sk-fake-****ream");
    expect(html).toContain(fake.baseUrl);
    expect(html).toContain('id="catalogue" hx-swap-oob="true"');
    expect(html).toContain("1 connected");
    const [row] = connections();
    expect(row.api_key_enc).not.toContain("sk-fake-upstream");
    expect(JSON.parse(row.provider_specific_data)).toEqual({ baseUrl: fake.baseUrl });
  });

  test("without JavaScript the same post answers the whole page", async () => {
    const res = await b.post("/dashboard/providers/connections", { provider: "openai", name: "main", apiKey: "sk-x", baseUrl: "" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expectPage(html);
    expect(html).toContain("Connection “main” saved.");
    expect(html).toContain('id="catalogue"');
  });

  test("invalid input comes back inline, values kept, nothing saved", async () => {
    const noName = await b.post("/dashboard/providers/connections", { provider: "openai", name: "", apiKey: "sk-x", baseUrl: "http://keep.me/v1" }, { hx: true });
    expect(noName.status).toBe(400);
    const html = await noName.text();
    expect(html).toContain('<span class="field-error">Name is required</span>');
    expect(html).toContain('value="http://keep.me/v1"');
    expect(html).toContain('aria-invalid="true"');
    const badUrl = await (await b.post("/dashboard/providers/connections", { provider: "openai", name: "n", apiKey: "sk-x", baseUrl: "ftp://x" }, { hx: true })).text();
    expect(badUrl).toContain("Must be an http(s) URL");
    const noKey = await (await b.post("/dashboard/providers/connections", { provider: "openai", name: "n", apiKey: "" }, { hx: true })).text();
    expect(noKey).toContain("API key is required");
    const prio = await b.post("/dashboard/providers/connections", { provider: "openai", name: "n", apiKey: "k", priority: "first" }, { hx: true });
    expect(prio.status).toBe(400);
    expect(await prio.text()).toContain("Priority must be a whole number");
    const unknown = await (await b.post("/dashboard/providers/connections", { provider: "nope", name: "n", apiKey: "k" }, { hx: true })).text();
    expect(unknown).toContain("Invalid provider");
    expect(connections()).toEqual([]);
  });

  test("a hostile connection name is shown as text everywhere", async () => {
    const html = await (await b.post("/dashboard/providers/connections", { provider: "openai", name: HOSTILE, apiKey: "sk-x" }, { hx: true })).text();
    expectEscaped(html);
    expectEscaped(await (await b.get("/dashboard/providers")).text());
    expectEscaped(await (await b.get("/dashboard/providers/openai")).text());
    const id = connections()[0].id;
    const edit = await (await b.get(`/dashboard/providers/connections/${id}/edit`, { hx: true })).text();
    expectNoMarkup(edit);
    expect(edit).toContain(`value="${HOSTILE}"`);
  });

  test("test connection: working key, then a failing one, with the loading indicator in place", async () => {
    const good = await addConnection(b, { provider: "openai", baseUrl: fake.baseUrl, name: "good" });
    const bad = await addConnection(b, { provider: "openai", baseUrl: fake.baseUrl, name: "bad", apiKey: "sk-wrong" });
    const page = await (await b.get("/dashboard/providers")).text();
    expect(page).toContain(`hx-post="/dashboard/providers/connections/${good.id}/test"`);
    expect(page).toContain('hx-indicator="find .spinner"');
    expect(page).toContain('class="spinner htmx-indicator"');

    const ok = await (await b.post(`/dashboard/providers/connections/${good.id}/test`, {}, { hx: true })).text();
    expectFragment(ok);
    expect(ok).toStartWith(`<tr id="conn-${good.id}"`);
    expect(ok).toContain(">working<");
    expect(ok).toMatch(/OK · \d+ ms/);

    const failed = await (await b.post(`/dashboard/providers/connections/${bad.id}/test`, {}, { hx: true })).text();
    expect(failed).toContain(">failing<");
    expect(failed).toContain('class="small bad-text"');
    expect(connections().find((c) => c.id === bad.id).test_status).toBe("error");

    const plain = await (await b.post(`/dashboard/providers/connections/${good.id}/test`)).text();
    expectPage(plain);
    expect(plain).toContain("Connection works.");
  });

  test("edit: the row turns into a form, saves, and an emptied base URL clears the override", async () => {
    const c = await addConnection(b, { provider: "openai", baseUrl: fake.baseUrl, name: "old" });
    const form = await (await b.get(`/dashboard/providers/connections/${c.id}/edit`, { hx: true })).text();
    expect(form).toContain('class="editing"');
    expect(form).toContain(`value="${fake.baseUrl}"`);
    const noJs = await (await b.get(`/dashboard/providers/connections/${c.id}/edit`)).text();
    expectPage(noJs);

    const bad = await b.post(`/dashboard/providers/connections/${c.id}`, { name: "", priority: "1", isActive: "true", baseUrl: "" }, { hx: true });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('class="editing"');

    const saved = await (await b.post(`/dashboard/providers/connections/${c.id}`, { name: "renamed", priority: "3", apiKey: "", baseUrl: "", isActive: "true" }, { hx: true })).text();
    expect(saved).toContain("renamed");
    expect(saved).toContain("priority 3");
    const row = connections()[0];
    expect(row.name).toBe("renamed");
    expect(JSON.parse(row.provider_specific_data)).toEqual({});
    expect(b.gw.services.store.connections.get(c.id)!.apiKey).toBe("sk-fake-upstream");
    const cancel = await (await b.get(`/dashboard/providers/connections/${c.id}/row`, { hx: true })).text();
    expect(cancel).toStartWith(`<tr id="conn-${c.id}"`);
  });

  test("disable / enable and delete", async () => {
    const c = await addConnection(b, { provider: "openai", baseUrl: fake.baseUrl });
    const off = await (await b.post(`/dashboard/providers/connections/${c.id}/toggle`, {}, { hx: true })).text();
    expect(off).toContain(">disabled<");
    expect(off).toContain(">Enable<");
    expect(off).toContain('hx-swap-oob="true"');
    expect(b.gw.services.store.connections.get(c.id)!.isActive).toBe(false);
    await b.post(`/dashboard/providers/connections/${c.id}/toggle`, {}, { hx: true });
    expect(b.gw.services.store.connections.get(c.id)!.isActive).toBe(true);

    const del = await (await b.post(`/dashboard/providers/connections/${c.id}/delete`, {}, { hx: true })).text();
    expect(del).toContain('id="connections-table"');
    expect(del).toContain("deleted");
    expect(del).toContain("No connections yet");
    expect(connections()).toEqual([]);
    const again = await b.post(`/dashboard/providers/connections/${c.id}/delete`, {}, { hx: true });
    expect(await again.text()).toContain("Connection not found");
  });
});

describe("custom endpoints (nodes)", () => {
  test("add (hostile name escaped), validation inline, edit, delete", async () => {
    const add = await (await b.post("/dashboard/providers/nodes", { name: HOSTILE, prefix: "local", type: "openai-compatible", baseUrl: `${fake.baseUrl}/chat/completions` }, { hx: true })).text();
    expectFragment(add);
    expectEscaped(add);
    expect(add).toContain("local/…");
    expect(add).toContain(fake.baseUrl + "<");
    expect(add).toContain("Add a connection →");
    expectEscaped(await (await b.get("/dashboard/providers/nodes")).text());
    expectEscaped(await (await b.get("/dashboard/providers")).text());
    expectNoMarkup(await (await b.get("/dashboard/models")).text());

    const taken = await b.post("/dashboard/providers/nodes", { name: "x", prefix: "openai", type: "openai-compatible", baseUrl: "http://x/v1" }, { hx: true });
    expect(taken.status).toBe(400);
    expect(await taken.text()).toContain("reserved for the built-in provider");

    const node = b.gw.services.db.$client.query("SELECT * FROM provider_nodes").get() as any;
    const edit = await (await b.get(`/dashboard/providers/nodes/${node.id}/edit`, { hx: true })).text();
    expect(edit).toContain('class="editing"');
    const badEdit = await (await b.post(`/dashboard/providers/nodes/${node.id}`, { name: "Local", prefix: "bad prefix!", baseUrl: fake.baseUrl }, { hx: true })).text();
    expect(badEdit).toContain('class="editing"');
    expect(badEdit).toContain("Prefix must start with a letter or digit");
    const saved = await (await b.post(`/dashboard/providers/nodes/${node.id}`, { name: "Local", prefix: "loc", baseUrl: fake.baseUrl }, { hx: true })).text();
    expect(saved).toContain("loc/…");

    // A connection for the node (no key needed), then the node's page lists it.
    await addConnection(b, { provider: node.id, apiKey: "sk-fake-upstream", name: "node-conn" });
    const detail = await (await b.get(`/dashboard/providers/${node.id}`)).text();
    expect(detail).toContain("node-conn");
    expect(detail).toContain("Custom endpoint");

    const del = await (await b.post(`/dashboard/providers/nodes/${node.id}/delete`, {}, { hx: true })).text();
    expect(del).toContain("No custom endpoints");

    // "Speaks: OpenAI-compatible (Responses API)": a node with apiType "responses".
    const responses = await (await b.post("/dashboard/providers/nodes", { name: "Codex box", prefix: "codex", type: "openai-responses", baseUrl: "http://127.0.0.1:9/v1" }, { hx: true })).text();
    expect(responses).toContain("openai-compatible · Responses API");
    const created = b.gw.services.db.$client.query("SELECT type, api_type FROM provider_nodes WHERE prefix = 'codex'").get();
    expect(created).toEqual({ type: "openai-compatible", api_type: "responses" });
    expect(connections()).toEqual([]);
  });
});

describe("models", () => {
  test("catalogue filter is an htmx partial; a provider's page adds and removes custom models", async () => {
    const all = await (await b.get("/dashboard/models")).text();
    expect(all).toContain("openai/gpt-4o-mini");
    const filtered = await (await b.get("/dashboard/models?q=claude", { hx: true })).text();
    expectFragment(filtered);
    expect(filtered).toContain("anthropic/claude-sonnet-4-5-20250929");
    expect(filtered).not.toContain("openai/gpt-4o-mini");
    expect(await (await b.get("/dashboard/models?q=zzzz", { hx: true })).text()).toContain("No model matches");

    const added = await (await b.post("/dashboard/providers/openai/models", { modelId: HOSTILE, modelName: "", type: "chat" }, { hx: true })).text();
    expectFragment(added);
    expect(added).toStartWith('<div id="provider-models">');
    expectEscaped(added);
    expect(b.gw.services.store.customModels.get("openai")!.map((m) => m.id)).toEqual([HOSTILE]);
    const empty = await b.post("/dashboard/providers/openai/models", { modelId: "", type: "chat" }, { hx: true });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Model id is required");
    const removed = await (await b.post("/dashboard/providers/openai/models/delete", { modelId: HOSTILE }, { hx: true })).text();
    expect(removed).toContain("removed");
    expect(b.gw.services.store.customModels.get("openai")).toBeUndefined();

    const missing = await b.get("/dashboard/providers/no-such-provider");
    expect(missing.status).toBe(404);
  });

  test("live models of a connection (partial), and the error when the upstream refuses", async () => {
    const good = await addConnection(b, { provider: "openai", baseUrl: fake.baseUrl, name: "good" });
    const detail = await (await b.get("/dashboard/providers/openai")).text();
    expect(detail).toContain(`hx-get="/dashboard/providers/connections/${good.id}/models"`);
    const live = await (await b.get(`/dashboard/providers/connections/${good.id}/models`, { hx: true })).text();
    expectFragment(live);
    expect(live).toContain("models reported by the upstream");
    expect(live).toContain("openai/");
    const bad = await addConnection(b, { provider: "openai", baseUrl: fake.baseUrl, name: "bad", apiKey: "sk-wrong" });
    const fallback = await (await b.get(`/dashboard/providers/connections/${bad.id}/models`, { hx: true })).text();
    expect(fallback).toContain("using local catalog");
  });
});
