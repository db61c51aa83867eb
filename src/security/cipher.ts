// Provider credentials are encrypted at rest with AES-256-GCM. The key comes from
// OMNIROUTE_SECRET_KEY or from <data-dir>/secret.key, created 0600 on first start.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const PREFIX = "v1:";

export interface Cipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

export function createCipher(key: Buffer): Cipher {
  if (key.length !== 32) throw new Error("encryption key must be 32 bytes");
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
      return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString("base64");
    },
    decrypt(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new Error("unknown ciphertext format");
      const raw = Buffer.from(sealed.slice(PREFIX.length), "base64");
      const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
    },
  };
}

/** A configured secret may be any string: 32 bytes as base64/hex are used as is, anything else is hashed. */
export function keyFromSecret(secret: string): Buffer {
  const trimmed = secret.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, "hex");
  const b64 = Buffer.from(trimmed, "base64");
  if (b64.length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(trimmed)) return b64;
  return createHash("sha256").update(trimmed).digest();
}

export function loadOrCreateKey(dataDir: string, secret?: string): Buffer {
  if (secret) return keyFromSecret(secret);
  const file = join(dataDir, "secret.key");
  if (existsSync(file)) return keyFromSecret(readFileSync(file, "utf8"));
  writeFileSync(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return keyFromSecret(readFileSync(file, "utf8"));
}
