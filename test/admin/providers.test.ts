// /api/providers: connection CRUD, masking, encryption at rest, validation and reload.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../support/gateway.ts";

const SECRET = "sk-proj-abcdefghijklmnop1234567890WXYZ";

let gw: TestGateway;
beforeEach(async () => {
  gw = await startGateway();
});
afterEach(async () => {
  await gw.close();
});

async function create(body: unknown) {
  const res = await gw.request("/api/providers", { method: "POST", json: body });
  return { status: res.status, body: (await res.json()) as any };
}

describe("POST /api/providers", () => {
  test("creates a connection: 201, no apiKey in the answer, encrypted in SQLite", async () => {
    const { status, body } = await create({ provider: "openai", apiKey: SECRET, name: "work" });
    expect(status).toBe(201);
    const c = body.connection;
    expect(c).toMatchObject({ provider: "openai", authType: "apikey", name: "work", priority: 1, isActive: true, testStatus: "unknown" });
    expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.apiKey).toBeUndefined();
    expect(c.apiKeyEnc).toBeUndefined();
    expect(c.lastError).toBeUndefined(); // null fields are omitted
    expect(new Date(c.createdAt).toISOString()).toBe(c.createdAt);

    const row = gw.services.db.$client.query("SELECT api_key_enc FROM provider_connections WHERE id = ?").get(c.id) as any;
    expect(row.api_key_enc).not.toContain(SECRET);
    expect(row.api_key_enc.startsWith("v1:")).toBe(true);
    expect(gw.services.cipher.decrypt(row.api_key_enc)).toBe(SECRET);

    // The gateway's in-memory store sees it at once.
    expect(gw.services.store.connections.get(c.id)?.apiKey).toBe(SECRET);
  });

  test("maps an alias to the provider id and numbers new connections after existing ones", async () => {
    const a = await create({ provider: "ds", apiKey: SECRET, name: "one" });
    const b = await create({ provider: "DeepSeek", apiKey: SECRET, name: "two" });
    expect(a.body.connection.provider).toBe("deepseek");
    expect(b.body.connection.provider).toBe("deepseek");
    expect(b.body.connection.priority).toBe(2);
  });

  test("the same provider + name updates the existing connection (still 201)", async () => {
    const first = await create({ provider: "openai", apiKey: SECRET, name: "work" });
    const again = await create({ provider: "openai", apiKey: "sk-second-key-000000000000", name: "work", priority: 7 });
    expect(again.status).toBe(201);
    expect(again.body.connection.id).toBe(first.body.connection.id);
    expect(again.body.connection.priority).toBe(7);
    const list = (await (await gw.request("/api/providers")).json()) as any;
    expect(list.total).toBe(1);
    expect(gw.services.store.connections.get(first.body.connection.id)?.apiKey).toBe("sk-second-key-000000000000");
  });

  test("unknown provider → 400 Invalid provider; missing node → 404", async () => {
    expect(await create({ provider: "nope", apiKey: SECRET, name: "x" })).toEqual({ status: 400, body: { error: "Invalid provider" } });
    expect(await create({ provider: "openai-compatible-chat-123", name: "x" })).toEqual({
      status: 404,
      body: { error: "OpenAI Compatible node not found" },
    });
  });

  test("apiKey is required unless the provider needs no auth", async () => {
    const missing = await create({ provider: "openai", name: "x" });
    expect(missing).toEqual({
      status: 400,
      body: { error: { message: "Invalid request", details: [{ field: "apiKey", message: "API key is required" }] } },
    });
    const ollama = await create({ provider: "ollama", name: "local", providerSpecificData: { baseUrl: "http://10.0.0.5:11434" } });
    expect(ollama.status).toBe(201);
    expect(ollama.body.connection.providerSpecificData).toEqual({ baseUrl: "http://10.0.0.5:11434" });
    expect(gw.services.store.connections.get(ollama.body.connection.id)?.baseUrl).toBe("http://10.0.0.5:11434");
  });

  test("validation errors name their fields", async () => {
    const { status, body } = await create({ provider: "openai", apiKey: SECRET, priority: 0, providerSpecificData: { baseUrl: "ftp://x" } });
    expect(status).toBe(400);
    expect(body.error.message).toBe("Invalid request");
    const fields = body.error.details.map((d: any) => d.field).sort();
    expect(fields).toEqual(["name", "priority", "providerSpecificData.baseUrl"]);
    expect(body.error.details.find((d: any) => d.field === "name").message).toBe("Name is required");
    expect(body.error.details.find((d: any) => d.field === "providerSpecificData.baseUrl").message).toBe("Must be an http(s) URL");
  });

  test("invalid JSON → 400 with a body detail", async () => {
    const res = await gw.request("/api/providers", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: "Invalid JSON body", details: [{ field: "body", message: "Invalid JSON body" }] } });
  });
});

describe("GET /api/providers", () => {
  test("lists connections with the key masked, filtered by provider", async () => {
    await create({ provider: "openai", apiKey: SECRET, name: "work" });
    await create({ provider: "groq", apiKey: "gsk_groqgroqgroqgroq9876", name: "g" });
    const res = await gw.request("/api/providers");
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("gsk_groqgroqgroqgroq9876");
    expect(text).not.toContain("apiKeyEnc");
    expect(text).not.toContain("v1:");
    const body = JSON.parse(text);
    expect(body.total).toBe(2);
    const openai = body.connections.find((c: any) => c.provider === "openai");
    expect(openai.apiKey).toBe("sk-proj-****WXYZ");

    const filtered = (await (await gw.request("/api/providers?provider=groq")).json()) as any;
    expect(filtered.total).toBe(1);
    expect(filtered.connections[0].apiKey).toBe("gsk_groq****9876");
  });

  test("a short key is masked completely", async () => {
    await create({ provider: "openai", apiKey: "sk-short-12", name: "s" });
    const body = (await (await gw.request("/api/providers")).json()) as any;
    expect(body.connections[0].apiKey).toBe("****");
  });
});

describe("/api/providers/:id", () => {
  test("GET returns the connection without any key", async () => {
    const { body } = await create({ provider: "openai", apiKey: SECRET, name: "work" });
    const res = await gw.request(`/api/providers/${body.connection.id}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    const got = JSON.parse(text).connection;
    expect(got.apiKey).toBeUndefined();
    expect(got).toMatchObject({ id: body.connection.id, name: "work", provider: "openai" });
  });

  test("PUT updates fields, re-encrypts a new key, merges providerSpecificData", async () => {
    const { body } = await create({
      provider: "openai",
      apiKey: SECRET,
      name: "work",
      providerSpecificData: { baseUrl: "https://proxy.example/v1", note: "a" },
    });
    const id = body.connection.id;
    const res = await gw.request(`/api/providers/${id}`, {
      method: "PUT",
      json: { name: "renamed", isActive: false, apiKey: "sk-new-key-abcdefghijkl", providerSpecificData: { note: "b", team: 1 } },
    });
    expect(res.status).toBe(200);
    const c = ((await res.json()) as any).connection;
    expect(c).toMatchObject({ name: "renamed", isActive: false });
    expect(c.providerSpecificData).toEqual({ baseUrl: "https://proxy.example/v1", note: "b", team: 1 });
    const runtime = gw.services.store.connections.get(id)!;
    expect(runtime.apiKey).toBe("sk-new-key-abcdefghijkl");
    expect(runtime.isActive).toBe(false);

    // An empty apiKey keeps the stored one; a null baseUrl clears the override.
    await gw.request(`/api/providers/${id}`, { method: "PUT", json: { apiKey: "", providerSpecificData: { baseUrl: null } } });
    expect(gw.services.store.connections.get(id)!.apiKey).toBe("sk-new-key-abcdefghijkl");
    expect(gw.services.store.connections.get(id)!.baseUrl).toBeNull();
  });

  test("PUT with nothing to change → 400", async () => {
    const { body } = await create({ provider: "openai", apiKey: SECRET, name: "work" });
    for (const json of [{}, { apiKey: "" }, { unknown: 1 }]) {
      const res = await gw.request(`/api/providers/${body.connection.id}`, { method: "PUT", json });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: { message: "Invalid request", details: [{ field: "", message: "No valid fields to update" }] },
      });
    }
  });

  test("DELETE removes the connection from SQLite and the store", async () => {
    const { body } = await create({ provider: "openai", apiKey: SECRET, name: "work" });
    const id = body.connection.id;
    const res = await gw.request(`/api/providers/${id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "Connection deleted successfully" });
    expect(gw.services.store.connections.has(id)).toBe(false);
    expect((await gw.request(`/api/providers/${id}`)).status).toBe(404);
  });

  test("unknown id → 404 Connection not found on every verb", async () => {
    for (const [method, json] of [["GET"], ["PUT", { name: "x" }], ["DELETE"], ["POST", {}]] as const) {
      const path = method === "POST" ? "/api/providers/missing/test" : "/api/providers/missing";
      const res = await gw.request(path, { method, json });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: "Connection not found" });
    }
  });
});
