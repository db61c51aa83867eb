// The HTTP(S) proxy upstream calls go through (PUT /api/settings/proxy): one for every
// provider, one per provider, or "direct" for a provider that must bypass the global one. Bun's
// fetch takes it as its `proxy` option: https:// targets are tunnelled with CONNECT, http://
// ones are sent to the proxy in absolute form; credentials in the URL become
// Proxy-Authorization.
import type { ProxyRuntime } from "./config.ts";

export const DEFAULT_PROXY_TEST_URL = "https://api.ipify.org?format=json";
const TEST_TIMEOUT_MS = 10_000;

/** The proxy URL for a provider's calls, or undefined to connect directly. */
export function proxyFor(urls: ProxyRuntime, providerId: string): string | undefined {
  if (urls.providers.size > 0 && urls.providers.has(providerId)) return urls.providers.get(providerId) ?? undefined;
  return urls.global ?? undefined;
}

/** The URL with its password hidden, for answers and logs. */
export function maskProxyUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:****@");
  }
}

export interface ProxyTestResult {
  success: boolean;
  proxyUrl: string;
  testUrl: string;
  latencyMs: number;
  status?: number;
  publicIp?: string | null;
  error?: string;
}

/** Fetches `testUrl` through `proxyUrl` and says what came back (never throws). */
export async function testProxy(proxyUrl: string, testUrl = DEFAULT_PROXY_TEST_URL): Promise<ProxyTestResult> {
  const started = performance.now();
  const base = { proxyUrl: maskProxyUrl(proxyUrl), testUrl };
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(testUrl, { proxy: proxyUrl, signal: AbortSignal.timeout(TEST_TIMEOUT_MS), redirect: "manual" });
    const text = await res.text();
    let publicIp: string | null = null;
    try {
      const json = JSON.parse(text);
      publicIp = typeof json?.ip === "string" ? json.ip : null;
    } catch {
      if (/^[0-9a-f.:]+$/i.test(text.trim())) publicIp = text.trim();
    }
    // A proxy that refuses (407, 403) or cannot reach the target (502) answers itself.
    const ok = res.status < 400;
    return { success: ok, ...base, latencyMs: elapsed(), status: res.status, publicIp, ...(ok ? {} : { error: `HTTP ${res.status} through the proxy` }) };
  } catch (err) {
    const e = err as Error;
    const message = e.name === "TimeoutError" ? `No answer within ${TEST_TIMEOUT_MS / 1000} s` : e.message || "Connection failed";
    return { success: false, ...base, latencyMs: elapsed(), error: message };
  }
}
