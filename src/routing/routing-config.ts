// The routing configuration as the hot path reads it from memory (ConfigStore.routing),
// parsed from its settings rows at every reload. Kept out of Settings (GET /api/settings)
// because each part has its own control-plane endpoint and shape.
import { type Policy, StoredPoliciesSchema } from "./policies.ts";
import {
  parseResilience,
  parseStored,
  POLICIES_KEY,
  RATE_LIMIT_KEY,
  RateLimitConfigSchema,
  RESILIENCE_KEY,
  type RateLimitConfig,
  type ResilienceConfig,
} from "./resilience-config.ts";

export interface RoutingConfig {
  resilience: ResilienceConfig;
  rateLimit: RateLimitConfig;
  policies: Policy[];
}

export function loadRoutingConfig(rows: readonly { key: string; value: unknown }[]): RoutingConfig {
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  const policies = StoredPoliciesSchema.safeParse(value(POLICIES_KEY) ?? []);
  return {
    resilience: parseResilience(value(RESILIENCE_KEY)),
    rateLimit: parseStored(RateLimitConfigSchema, value(RATE_LIMIT_KEY)),
    policies: policies.success ? (policies.data as Policy[]) : [],
  };
}
