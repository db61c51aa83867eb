// /api/keys: gateway API keys are shown once, stored hashed, and revocation takes effect at once.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { hashApiKey } from "../../src/security/api-keys.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway;
beforeEach(async () => {
  gw = await startGateway();
});
afterEach(async () => {
  await gw.close();
});

async function call(method: string, path: string, json?: unknown) {
  const res = await gw.request(path, { method, json });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as any };
}

async function createKey(name = "ci") {
  const res = await call("POST", "/api/keys", { name });
  expect(res.status).toBe(201);
  return res.body;
}

describe("/api/keys", () => {
  test("POST returns the key once; SQLite holds only its hash and prefix", async () => {
    const created = await createKey("ci");
    expect(Object.keys(created).sort()).toEqual(["createdAt", "id", "key", "keyPrefix", "name"]);
    expect(created.key).toMatch(/^sk-omni-[A-Za-z0-9_-]{32}$/);
    expect(created.keyPrefix).toBe(created.key.slice(0, 12) + "…");
    expect(created.name).toBe("ci");

    const row = gw.services.db.$client.query("SELECT * FROM api_keys WHERE id = ?").get(created.id) as any;
    expect(row.key_hash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(gw.services.store.keysByHash.get(hashApiKey(created.key))).toEqual({ id: created.id, name: "ci" });
  });

  test("GET list and GET one never show the key or its hash", async () => {
    const created = await createKey("ci");
    const list = await call("GET", "/api/keys");
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toContain(hashApiKey(created.key));
    expect(list.body).toEqual({
      keys: [{ id: created.id, name: "ci", keyPrefix: created.keyPrefix, createdAt: created.createdAt, isActive: true }],
      total: 1,
    });
    const one = await call("GET", `/api/keys/${created.id}`);
    expect(one.text).not.toContain(created.key);
    expect(one.body).toEqual(list.body.keys[0]);
  });

  test("PATCH isActive:false revokes (gateway drops the key), true restores it", async () => {
    const created = await createKey();
    const hash = hashApiKey(created.key);
    const off = await call("PATCH", `/api/keys/${created.id}`, { isActive: false, name: "renamed" });
    expect(off).toMatchObject({ status: 200, body: { message: "API key settings updated successfully", isActive: false, name: "renamed" } });
    expect(gw.services.store.keysByHash.has(hash)).toBe(false);
    const revoked = (await call("GET", `/api/keys/${created.id}`)).body;
    expect(revoked.isActive).toBe(false);
    expect(revoked.name).toBe("renamed");
    expect(new Date(revoked.revokedAt).toISOString()).toBe(revoked.revokedAt);

    await call("PATCH", `/api/keys/${created.id}`, { isActive: true });
    expect(gw.services.store.keysByHash.get(hash)).toEqual({ id: created.id, name: "renamed" });
    const restored = (await call("GET", `/api/keys/${created.id}`)).body;
    expect(restored.isActive).toBe(true);
    expect(restored.revokedAt).toBeUndefined();
  });

  test("DELETE removes the key and the gateway stops accepting it", async () => {
    const created = await createKey();
    expect(await call("DELETE", `/api/keys/${created.id}`)).toMatchObject({ status: 200, body: { message: "Key deleted successfully" } });
    expect(gw.services.store.keysByHash.has(hashApiKey(created.key))).toBe(false);
    expect((await call("GET", "/api/keys")).body).toEqual({ keys: [], total: 0 });
  });

  test("errors: 404 on unknown id, validation on name, empty PATCH", async () => {
    for (const method of ["GET", "PATCH", "DELETE"]) {
      expect(await call(method, "/api/keys/nope", method === "PATCH" ? { name: "x" } : undefined)).toMatchObject({
        status: 404,
        body: { error: "Key not found" },
      });
    }
    const noName = await call("POST", "/api/keys", {});
    expect(noName.status).toBe(400);
    expect(noName.body.error.details).toEqual([{ field: "name", message: "Name is required" }]);
    const created = await createKey();
    const empty = await call("PATCH", `/api/keys/${created.id}`, {});
    expect(empty.body.error.details).toEqual([{ field: "", message: "No valid fields to update" }]);
    const badType = await call("PATCH", `/api/keys/${created.id}`, { isActive: "no" });
    expect(badType.body.error.details[0].field).toBe("isActive");
  });
});
