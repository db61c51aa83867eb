// API keys, aliases and settings pages: each form with htmx and without JavaScript, errors
// inline, hostile strings as text.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { hashApiKey } from "../../src/security/api-keys.ts";
import { cookieFrom, expectEscaped, expectFragment, expectPage, HOSTILE, loggedIn, PASSWORD, type Browser } from "./helpers.ts";

let b: Browser;
beforeEach(async () => {
  b = await loggedIn();
});
afterEach(async () => {
  await b.gw.close();
});

describe("API keys", () => {
  test("create shows the key once (with a copy button); the list and later pages never do", async () => {
    const res = await b.post("/dashboard/keys", { name: HOSTILE }, { hx: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expectFragment(html);
    expectEscaped(html);
    const key = /<code id="new-key-value">([^<]+)<\/code>/.exec(html)![1]!;
    expect(key).toStartWith("sk-omni-");
    expect(html).toContain('data-copy="#new-key-value"');
    expect(html).toContain("shown only this once");
    expect(b.gw.services.store.keysByHash.has(hashApiKey(key))).toBe(true);
    const later = await (await b.get("/dashboard/keys")).text();
    expectEscaped(later);
    expect(later).not.toContain(key);
    expect(later).toContain(`${key.slice(0, 12)}`);

    const noJs = await b.post("/dashboard/keys", { name: "second" });
    const page = await noJs.text();
    expectPage(page);
    expect(page).toContain('id="new-key-value"');
  });

  test("an empty name is an inline error", async () => {
    const res = await b.post("/dashboard/keys", { name: " " }, { hx: true });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<span class="field-error">Name is required</span>');
  });

  test("revoke, restore and delete", async () => {
    const created = (await (await b.api("POST", "/api/keys", { name: "ci" })).json()) as any;
    const revoked = await (await b.post(`/dashboard/keys/${created.id}/revoke`, {}, { hx: true })).text();
    expect(revoked).toContain("revoked: it stops working now");
    expect(revoked).toContain(">revoked<");
    expect(b.gw.services.store.keysByHash.size).toBe(0);
    const restored = await (await b.post(`/dashboard/keys/${created.id}/restore`, {}, { hx: true })).text();
    expect(restored).toContain(">active<");
    expect(b.gw.services.store.keysByHash.size).toBe(1);
    const deleted = await (await b.post(`/dashboard/keys/${created.id}/delete`, {}, { hx: true })).text();
    expect(deleted).toContain("No keys yet");
    const missing = await b.post(`/dashboard/keys/${created.id}/delete`, {}, { hx: true });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("Key not found");
  });

  test("the page says when keys are not required yet", async () => {
    expect(await (await b.get("/dashboard/keys")).text()).toContain("Keys are not required yet");
    await b.api("PUT", "/api/settings", { requireApiKey: true });
    expect(await (await b.get("/dashboard/keys")).text()).not.toContain("Keys are not required yet");
  });
});

describe("aliases", () => {
  test("add (suggestions from connected providers), error inline, delete; hostile alias as text", async () => {
    const page = await (await b.get("/dashboard/aliases")).text();
    expect(page).toContain("No aliases yet");
    expect(page).toContain('<datalist id="model-ids">');

    const bad = await b.post("/dashboard/aliases", { alias: "fast", model: "nope/x" }, { hx: true });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('Unknown provider prefix &quot;nope&quot;');
    expect(badHtml).toContain('value="nope/x"');

    const ok = await (await b.post("/dashboard/aliases", { alias: "fast", model: "groq/llama-3.3-70b-versatile" }, { hx: true })).text();
    expectFragment(ok);
    expect(ok).toContain("“fast” now routes to groq/llama-3.3-70b-versatile.");
    expect(b.gw.services.store.aliases.get("fast")).toBe("groq/llama-3.3-70b-versatile");

    // Whitespace is refused by the API; a hostile but whitespace-free alias is stored and shown as text.
    const hostile = "<img/src=x/onerror=alert(1)>";
    const stored = await (await b.post("/dashboard/aliases", { alias: hostile, model: "openai/gpt-4o" }, { hx: true })).text();
    expectEscaped(stored, hostile);

    const removed = await (await b.post("/dashboard/aliases/delete", { alias: "fast" }, { hx: true })).text();
    expect(removed).toContain("Alias “fast” deleted.");
    expect(b.gw.services.store.aliases.has("fast")).toBe(false);
    const gone = await b.post("/dashboard/aliases/delete", { alias: "fast" }, { hx: true });
    expect(gone.status).toBe(404);
  });
});

describe("settings", () => {
  test("the gateway form is built from the settings schema and saves through /api/settings", async () => {
    const page = await (await b.get("/dashboard/settings")).text();
    expect(page).toContain('name="requireApiKey"');
    expect(page).toContain('name="streamKeepAliveSeconds"');
    expect(page).toContain('min="0"');
    expect(page).toContain('max="300"');

    const saved = await (await b.post("/dashboard/settings/gateway", { requireApiKey: "true", streamKeepAliveSeconds: "5" }, { hx: true })).text();
    expectFragment(saved);
    expect(saved).toContain("Saved.");
    expect(b.gw.services.store.settings.requireApiKey).toBe(true);
    expect(b.gw.services.store.settings.streamKeepAliveSeconds).toBe(5);

    // An unticked box posts only its hidden "false".
    await b.post("/dashboard/settings/gateway", { requireApiKey: "false", streamKeepAliveSeconds: "5" }, { hx: true });
    expect(b.gw.services.store.settings.requireApiKey).toBe(false);

    const tooBig = await b.post("/dashboard/settings/gateway", { requireApiKey: "false", streamKeepAliveSeconds: "1000" }, { hx: true });
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toContain("field-error");
    const notNumber = await b.post("/dashboard/settings/gateway", { requireApiKey: "false", streamKeepAliveSeconds: "soon" });
    expect(notNumber.status).toBe(400);
    const notNumberPage = await notNumber.text();
    expectPage(notNumberPage);
    expect(notNumberPage).toContain("Enter a number");
  });

  test("an env/flag override shows the setting locked", async () => {
    await b.gw.close();
    b = await loggedIn({ requireApiKey: true });
    const page = await (await b.get("/dashboard/settings")).text();
    expect(page).toContain("set by REQUIRE_API_KEY");
    expect(page).toMatch(/name="requireApiKey" value="true" checked disabled/);
  });

  test("security: change the password (current one needed), turn login off and on", async () => {
    const wrong = await b.post("/dashboard/settings/security", { currentPassword: "nope", password: "another password", confirm: "another password", requireLogin: "true" }, { hx: true });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("Current password is incorrect");
    const differ = await b.post("/dashboard/settings/security", { currentPassword: PASSWORD, password: "another password", confirm: "other", requireLogin: "true" }, { hx: true });
    expect(differ.status).toBe(400);
    expect(await differ.text()).toContain("The two passwords differ");

    const ok = await b.post("/dashboard/settings/security", { currentPassword: PASSWORD, password: "another password", confirm: "another password", requireLogin: "true" }, { hx: true });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Password saved.");
    const fresh = cookieFrom(ok);
    // The old cookie ended with the old password; the fresh one works.
    expect((await b.get("/dashboard/settings")).status).toBe(303);
    expect((await b.gw.request("/dashboard/settings", { headers: { cookie: fresh } })).status).toBe(200);

    const off = await b.gw.request("/dashboard/settings/security", {
      method: "POST",
      headers: { cookie: fresh, origin: "http://localhost", "content-type": "application/x-www-form-urlencoded" },
      body: `requireLogin=false&currentPassword=${encodeURIComponent("another password")}`,
    });
    expect(off.status).toBe(303);
    expect((await b.gw.request("/dashboard")).status).toBe(200);
    const page = await (await b.gw.request("/dashboard/settings")).text();
    expect(page).toContain("password set, login off");
    expect(page).toContain("No login: anyone who reaches this port can change it");
  });
});
