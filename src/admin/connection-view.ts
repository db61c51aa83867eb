// How a provider connection row is shown by /api/providers: OmniRoute's camelCase shape,
// ISO timestamps, no null fields, and never the ciphertext columns.
import type { providerConnections } from "../db/schema.ts";
import type { Cipher } from "../security/cipher.ts";
import { iso, withoutNulls } from "./http.ts";

export type ConnectionRow = typeof providerConnections.$inferSelect;

/** OmniRoute's mask: first 8 + "****" + last 4. A short key would be shown almost whole that way, so it gets stars only. */
export function maskSecret(secret: string): string {
  if (secret.length < 16) return "****";
  return `${secret.slice(0, 8)}****${secret.slice(-4)}`;
}

/** The masked key for listings; absent when there is none or it cannot be decrypted. */
export function maskedKeyOf(row: ConnectionRow, cipher: Cipher): string | undefined {
  if (!row.apiKeyEnc) return undefined;
  try {
    return maskSecret(cipher.decrypt(row.apiKeyEnc));
  } catch {
    return undefined;
  }
}

export function connectionView(row: ConnectionRow, maskedKey?: string) {
  return withoutNulls({
    id: row.id,
    provider: row.provider,
    authType: row.authType,
    name: row.name,
    priority: row.priority,
    isActive: row.isActive,
    apiKey: maskedKey,
    expiresAt: iso(row.expiresAt),
    testStatus: row.testStatus,
    lastError: row.lastError,
    lastTested: iso(row.lastTestedAt),
    providerSpecificData: row.providerSpecificData,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  });
}

/** PUT merges providerSpecificData shallowly; a null value removes the key (e.g. clears a baseUrl override). */
export function mergeProviderData(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...patch };
  for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
  return merged;
}
