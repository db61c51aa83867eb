import { randomBytes } from "node:crypto";

const KEY_PREFIX = "sk-omni-";

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(24).toString("base64url");
}

/** Keys are looked up by hash on every gateway request, so this must be cheap and deterministic. */
export function hashApiKey(key: string): string {
  return new Bun.CryptoHasher("sha256").update(key).digest("hex");
}

/** What the control plane shows after creation: enough to recognise a key, not to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 4) + "…";
}
