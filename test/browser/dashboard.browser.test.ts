// The dashboard in a real browser (Debian's chromium driven by playwright-core): a first-time
// operator logs in, adds a connection to the fake OpenAI upstream, tests it, creates a key,
// sends a request with it and finds it in the request list. Screenshots of every step go to
// a folder printed at the start (SCREENSHOT_DIR to choose it). Skipped, with the reason
// printed, when /usr/bin/chromium is not installed (.ci/run installs it on CI).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { PAGES } from "../../src/dashboard/pages/index.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const PASSWORD = "browser test password";
const available = existsSync(CHROMIUM);
if (!available) console.log(`[browser tests] skipped: ${CHROMIUM} not found (apt-get install -y chromium; .ci/run does it on CI)`);

describe.skipIf(!available)("dashboard in chromium", () => {
  let gw: TestGateway;
  let fake: FakeOpenAi;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let shots: string;
  let step = 0;

  const shot = async (name: string, p: Page = page) => {
    await p.screenshot({ path: join(shots, `${String(++step).padStart(2, "0")}-${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    shots = process.env.SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), "omniroute-screenshots-"));
    mkdirSync(shots, { recursive: true });
    console.log(`[browser tests] screenshots: ${shots}`);
    fake = startFakeOpenAi({ apiKey: "sk-fake-upstream" });
    gw = await startGateway({ initialPassword: PASSWORD });
    base = await gw.listen();
    profile = mkdtempSync(join(tmpdir(), "omniroute-chromium-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => console.log(`[browser] page error: ${e.message}`));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await gw?.close();
    fake?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test("log in: the dashboard sends a visitor to /login, a wrong password is refused inline", async () => {
    await page.goto(`${base}/dashboard`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill("#f-password", "not the password");
    await page.click("button:has-text('Log in')");
    await page.waitForSelector(".alert.tone-bad");
    await shot("login-refused");
    await page.fill("#f-password", PASSWORD);
    await page.click("button:has-text('Log in')");
    await page.waitForURL(`${base}/dashboard`);
    expect(await page.textContent("h1")).toBe("Overview");
    await expect(page.locator("text=Getting started").count()).resolves.toBe(1);
    await shot("overview-empty");
  }, 30_000);

  test("add a connection to the upstream and test it (loading indicator, then the result)", async () => {
    await page.click("nav >> text=Providers");
    await page.selectOption("#f-provider", "openai");
    await page.fill("#f-name", "fake upstream");
    await page.fill("#f-apiKey", "sk-fake-upstream");
    await page.fill("#f-baseUrl", fake.baseUrl);
    await page.click("button:has-text('Add connection')");
    await page.waitForSelector("text=Connection “fake upstream” saved.");
    // htmx swapped the area in place: still the same page, catalogue refreshed out of band.
    expect(new URL(page.url()).pathname).toBe("/dashboard/providers");
    await page.waitForSelector("#catalogue >> text=1 connected");
    await shot("connection-added");

    // Hold the test request back a moment so the in-flight state can be seen.
    await page.route("**/connections/*/test", async (route) => {
      await Bun.sleep(700);
      await route.continue();
    });
    const row = page.locator("#connections-table tbody tr").first();
    const button = row.locator("button:has-text('Test')");
    await button.click();
    await expect(row.locator(".spinner").isVisible()).resolves.toBe(true);
    await expect(button.isDisabled()).resolves.toBe(true);
    await shot("connection-testing");
    await row.locator("text=working").waitFor();
    await page.unroute("**/connections/*/test");
    await expect(row.locator(".ok-text").textContent()).resolves.toMatch(/^OK · \d+ ms$/);
    await shot("connection-tested");
  }, 30_000);

  let apiKey = "";
  test("create a key: shown once, copy button", async () => {
    await page.click("nav >> text=API keys");
    await page.fill("#f-name", "browser");
    await page.click("button:has-text('Create key')");
    await page.waitForSelector("#new-key-value");
    apiKey = (await page.textContent("#new-key-value"))!.trim();
    expect(apiKey).toStartWith("sk-omni-");
    await shot("key-created");
    await page.reload();
    expect(await page.locator("#new-key-value").count()).toBe(0);
    expect(await page.content()).not.toContain(apiKey);
  }, 30_000);

  test("a combo, when this build has combos", async () => {
    const combos = PAGES.find((p) => p.path === "/dashboard/combos");
    if (!combos) {
      console.log("[browser tests] no combos page in this build: combo step skipped");
      return;
    }
    await page.goto(`${base}/dashboard/combos`);
    await page.fill("#f-name", "browser-combo");
    await page.fill("#f-targets", "openai/gpt-4o-mini");
    await page.click("button:has-text('Create combo')");
    await page.waitForSelector("text=browser-combo");
    await shot("combo-created");
  }, 30_000);

  test("a request through the gateway appears in the request list", async () => {
    const model = PAGES.some((p) => p.path === "/dashboard/combos") ? "browser-combo" : "openai/gpt-4o-mini";
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hello from the browser test" }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).choices[0].message.content).toContain("hello from the browser test");
    gw.services.usage.flush();

    const usagePage = PAGES.find((p) => p.path === "/dashboard/usage");
    await page.goto(`${base}${usagePage ? usagePage.path : "/dashboard"}`);
    await page.waitForSelector(`text=${model}`);
    await expect(page.locator("text=Getting started").count()).resolves.toBe(0);
    await shot(usagePage ? "usage-log" : "overview-with-request");
  }, 30_000);

  test("every page from the navigation opens, on a phone and in dark mode too", async () => {
    for (const p of PAGES) {
      const res = await page.goto(`${base}${p.path}`);
      expect(res?.status(), p.path).toBe(200);
    }
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.emulateMedia({ colorScheme: "dark" });
    for (const p of PAGES) {
      await phone.goto(`${base}${p.path}`);
      // Nothing wider than the screen: wide tables and code scroll inside their own boxes.
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, p.path).toBeLessThanOrEqual(1);
    }
    await phone.goto(`${base}/dashboard/providers`);
    const background = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe("rgb(15, 17, 21)");
    await shot("phone-dark-providers", phone);
    await phone.goto(`${base}/dashboard`);
    await shot("phone-dark-overview", phone);
    await phone.close();
  }, 60_000);

  test("log out ends the session", async () => {
    await page.goto(`${base}/dashboard`);
    await page.click("button:has-text('Log out')");
    await page.waitForURL(/\/login/);
    await page.goto(`${base}/dashboard/keys`);
    expect(new URL(page.url()).pathname).toBe("/login");
  }, 30_000);
});
