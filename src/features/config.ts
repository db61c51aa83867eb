// The request-processing features' own configuration: the global system prompt, the thinking
// budget policy, the IP filter and the upstream proxy. Each is a JSON row of the settings
// table under its key (no migration needed), with its own control-plane endpoint, parsed here
// at every ConfigStore reload so the hot path reads plain objects from memory. A row that no
// longer validates falls back to the defaults (feature off) rather than breaking requests.
import { z } from "zod";
import type { Cipher } from "../security/cipher.ts";

export const SYSTEM_PROMPT_KEY = "systemPrompt";
export const THINKING_BUDGET_KEY = "thinkingBudget";
export const IP_FILTER_KEY = "ipFilter";
export const PROXY_KEY = "upstreamProxy";

export const SystemPromptSchema = z.object({
  enabled: z.boolean().default(false),
  prompt: z.string().max(100_000).default(""),
  /** prepend: before the client's system prompt; append: after it; replace: instead of it. */
  mode: z.enum(["prepend", "append", "replace"]).default("prepend"),
});
export type SystemPromptConfig = z.infer<typeof SystemPromptSchema>;

export const ThinkingBudgetSchema = z.object({
  /**
   * passthrough: the client decides; cap: a reasoning budget (or effort) above budgetTokens is
   * lowered to it; force: every request reasons with budgetTokens (0 = reasoning off).
   */
  mode: z.enum(["passthrough", "cap", "force"]).default("passthrough"),
  budgetTokens: z.number().int().min(0).max(1_000_000).default(8192),
});
export type ThinkingBudgetConfig = z.infer<typeof ThinkingBudgetSchema>;

export const IpFilterSchema = z.object({
  enabled: z.boolean().default(false),
  /** When non-empty, only these addresses/CIDR ranges may connect. */
  allowlist: z.array(z.string()).max(10_000).default([]),
  /** Always refused (wins over the allow-list). */
  blocklist: z.array(z.string()).max(10_000).default([]),
  /** Peers whose X-Forwarded-For is believed (a reverse proxy in front of OmniRoute). */
  trustedProxies: z.array(z.string()).max(1_000).default([]),
});
export type IpFilterConfig = z.infer<typeof IpFilterSchema>;

/** One proxy as stored: the password encrypted with the data dir's key. */
export const StoredProxySchema = z.object({
  type: z.enum(["http", "https"]).default("http"),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  username: z.string().optional(),
  passwordEnc: z.string().optional(),
});
export type StoredProxy = z.infer<typeof StoredProxySchema>;

export const StoredProxyConfigSchema = z.object({
  global: StoredProxySchema.nullable().default(null),
  /** Per provider: its own proxy, or "direct" to bypass the global one. */
  providers: z.record(z.string(), z.union([StoredProxySchema, z.literal("direct")])).default({}),
});
export type StoredProxyConfig = z.infer<typeof StoredProxyConfigSchema>;

/** Proxy URLs ready for fetch's `proxy` option (credentials decrypted). */
export interface ProxyRuntime {
  global: string | null;
  /** null: this provider connects directly. */
  providers: Map<string, string | null>;
}

export interface FeatureConfig {
  systemPrompt: SystemPromptConfig;
  thinkingBudget: ThinkingBudgetConfig;
  ipFilter: IpFilterConfig;
  proxy: StoredProxyConfig;
  proxyUrls: ProxyRuntime;
  /** True when a system prompt or a thinking policy changes requests (cheap check on the hot path). */
  promptControlsActive: boolean;
  /** Changes whenever the prompt controls do: part of every cache key. */
  promptControlsFingerprint: string;
}

function parseOr<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}

/** `http://user:pass@host:port`, credentials percent-encoded. */
export function proxyUrlOf(p: { type: string; host: string; port: number; username?: string; password?: string }): string {
  const auth = p.username ? `${encodeURIComponent(p.username)}${p.password ? `:${encodeURIComponent(p.password)}` : ""}@` : "";
  const host = p.host.includes(":") && !p.host.startsWith("[") ? `[${p.host}]` : p.host;
  return `${p.type}://${auth}${host}:${p.port}`;
}

/** Where calls go when a stored proxy password no longer decrypts: they fail, naming why, rather than bypass the proxy. */
export const UNUSABLE_PROXY = "http://proxy-password-undecryptable.invalid:9";

function runtimeUrl(p: StoredProxy, cipher: Cipher): string {
  try {
    return proxyUrlOf({ ...p, password: p.passwordEnc ? cipher.decrypt(p.passwordEnc) : undefined });
  } catch {
    return UNUSABLE_PROXY;
  }
}

export function loadFeatureConfig(rows: readonly { key: string; value: unknown }[], cipher: Cipher): FeatureConfig {
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  const systemPrompt = parseOr(SystemPromptSchema, value(SYSTEM_PROMPT_KEY));
  const thinkingBudget = parseOr(ThinkingBudgetSchema, value(THINKING_BUDGET_KEY));
  const proxy = parseOr(StoredProxyConfigSchema, value(PROXY_KEY));
  const providers = new Map<string, string | null>();
  for (const [id, p] of Object.entries(proxy.providers)) providers.set(id, p === "direct" ? null : runtimeUrl(p, cipher));
  const promptActive = systemPrompt.enabled && (systemPrompt.prompt.length > 0 || systemPrompt.mode === "replace");
  const thinkingActive = thinkingBudget.mode !== "passthrough";
  return {
    systemPrompt,
    thinkingBudget,
    ipFilter: parseOr(IpFilterSchema, value(IP_FILTER_KEY)),
    proxy,
    proxyUrls: { global: proxy.global ? runtimeUrl(proxy.global, cipher) : null, providers },
    promptControlsActive: promptActive || thinkingActive,
    promptControlsFingerprint: JSON.stringify([promptActive ? systemPrompt : null, thinkingActive ? thinkingBudget : null]),
  };
}
