import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCipher, keyFromSecret, loadOrCreateKey } from "../../src/security/cipher.ts";
import { displayPrefix, generateApiKey, hashApiKey } from "../../src/security/api-keys.ts";

test("AES-GCM round trip; ciphertext differs each time and hides the plaintext", () => {
  const c = createCipher(keyFromSecret("a passphrase"));
  const a = c.encrypt("sk-live-secret");
  const b = c.encrypt("sk-live-secret");
  expect(a).not.toBe(b);
  expect(a).not.toContain("sk-live-secret");
  expect(c.decrypt(a)).toBe("sk-live-secret");
});

test("tampered ciphertext or a wrong key is refused", () => {
  const c = createCipher(keyFromSecret("one"));
  const sealed = c.encrypt("secret");
  expect(() => createCipher(keyFromSecret("two")).decrypt(sealed)).toThrow();
  const raw = Buffer.from(sealed.slice(3), "base64");
  raw[raw.length - 1]! ^= 1;
  expect(() => c.decrypt("v1:" + raw.toString("base64"))).toThrow();
});

test("the key file is created 0600 and reused", () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-key-"));
  try {
    const k1 = loadOrCreateKey(dir);
    expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKey(dir).equals(k1)).toBe(true);
    expect(loadOrCreateKey(dir, "from-env").equals(k1)).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("API keys: random, hashed deterministically, displayed by prefix only", () => {
  const k = generateApiKey();
  expect(k).toMatch(/^sk-omni-[A-Za-z0-9_-]{32}$/);
  expect(generateApiKey()).not.toBe(k);
  expect(hashApiKey(k)).toBe(hashApiKey(k));
  expect(hashApiKey(k)).toMatch(/^[0-9a-f]{64}$/);
  expect(displayPrefix(k).length).toBeLessThan(k.length);
  expect(k.startsWith(displayPrefix(k).replace("…", ""))).toBe(true);
});
