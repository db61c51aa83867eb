// Configuration through the public control plane, as an operator would do it.
import { expect } from "bun:test";
import type { TestGateway } from "./gateway.ts";
import { expandAttempts } from "../../src/usage/attempts-column.ts";

export async function addConnection(
  gw: TestGateway,
  opts: { provider: string; apiKey?: string; baseUrl?: string; name?: string; priority?: number },
): Promise<{ id: string }> {
  const res = await gw.request("/api/providers", {
    method: "POST",
    json: {
      provider: opts.provider,
      apiKey: opts.apiKey ?? "sk-fake-upstream",
      name: opts.name ?? `${opts.provider}-test`,
      ...(opts.priority ? { priority: opts.priority } : {}),
      ...(opts.baseUrl ? { providerSpecificData: { baseUrl: opts.baseUrl } } : {}),
    },
  });
  expect(res.status).toBe(201);
  return (await res.json()).connection;
}

export async function createKey(gw: TestGateway, name = "test"): Promise<{ id: string; key: string }> {
  const res = await gw.request("/api/keys", { method: "POST", json: { name } });
  expect(res.status).toBe(201);
  return res.json();
}

export async function putSettings(gw: TestGateway, patch: Record<string, unknown>): Promise<void> {
  const res = await gw.request("/api/settings", { method: "PUT", json: patch });
  expect(res.status).toBe(200);
}

export const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: "user", content: "ping" }],
  ...extra,
});

/** Reads an SSE body into its `data:` payloads (comments dropped), as a client would. */
export async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split(/\r?\n\r?\n/)
    .flatMap((event) => event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()))
    .filter(Boolean);
}

/** Usage rows written so far (the sink is flushed first). */
export function usageRows(gw: TestGateway): any[] {
  gw.services.usage.flush();
  return gw.services.db.$client.query("SELECT * FROM usage_log ORDER BY id").all();
}

/**
 * The same rows as the request log reads them: the detail (attempts, error, user agent, bodies)
 * is in usage_records too; `attempts` is the full list as JSON (a single plain attempt is stored
 * as its latency alone, src/usage/attempts-column.ts).
 */
export function requestLogRows(gw: TestGateway): any[] {
  return usageRows(gw).map((r) => ({ ...r, attempts: JSON.stringify(expandAttempts(r.attempts, r)) }));
}
