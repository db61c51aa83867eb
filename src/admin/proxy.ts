// /api/settings/proxy: the HTTP(S) proxy upstream calls go through.
//   GET    → {global: proxy|null, providers: {<provider id>: proxy | "direct"}}, passwords never shown
//            (a proxy is {type, host, port, username?, hasPassword, url} with the password masked);
//   PUT    → {global?: P|null, providers?: {<id>: P|"direct"|null}}, where P is a URL
//            ("http://user:pass@host:3128") or {type?, host, port, username?, password?}; a provider
//            set to null falls back to the global proxy, "direct" bypasses it. Leaving out the
//            password of an unchanged proxy (same host, port, user) keeps the stored one;
//   DELETE → ?provider=<id> removes that provider's entry; without it, the whole configuration;
//   POST /api/settings/proxy/test → {proxy?: P, provider?, testUrl?}: fetches testUrl (default
//            https://api.ipify.org?format=json) through the given proxy, or the one in force for
//            `provider`, or the global one, and reports {success, status, publicIp, latencyMs, …}.
// Passwords are encrypted with the data dir's key, as provider credentials are.
import { Elysia } from "elysia";
import { z } from "zod";
import { badRequest } from "../errors.ts";
import { PROXY_KEY, proxyUrlOf, StoredProxyConfigSchema, type StoredProxy, type StoredProxyConfig } from "../features/config.ts";
import { maskProxyUrl, proxyFor, testProxy } from "../features/upstream-proxy.ts";
import type { Services } from "../services.ts";
import { fieldError, httpUrl, noFieldsToUpdate, parseWith, readJson } from "./http.ts";
import { requireProviderId } from "./provider-ids.ts";
import { saveRoutingRow } from "./resilience.ts";

const ProxyObject = z
  .object({
    type: z.enum(["http", "https"], { error: "must be http or https" }).default("http"),
    host: z.string().trim().min(1, "host is required"),
    port: z.coerce.number().int().min(1).max(65535),
    username: z.string().optional(),
    password: z.string().optional(),
  })
  .strict();
const ProxyInput = z.union([z.string().trim().min(1), ProxyObject]);
type ProxyInputT = z.infer<typeof ProxyInput>;

const ProxyPatch = z
  .object({
    global: ProxyInput.nullable().optional(),
    providers: z.record(z.string(), z.union([ProxyInput, z.null()])).optional(),
  })
  .strict();

const TestBody = z.object({ proxy: ProxyInput.optional(), provider: z.string().optional(), testUrl: httpUrl().optional() }).strict();

type PlainProxy = z.infer<typeof ProxyObject>;

/** A URL or an object → {type, host, port, username?, password?}; `where` names the field in errors. */
function plainProxy(input: ProxyInputT, where: string): PlainProxy {
  if (typeof input !== "string") return input;
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw fieldError(where, "not a proxy URL (http://[user:pass@]host:port)");
  }
  const type = u.protocol.replace(":", "");
  if (type !== "http" && type !== "https") throw fieldError(where, "proxy type must be http or https");
  return {
    type,
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: Number(u.port || (type === "https" ? 443 : 80)),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}

export function proxyRoutes(services: Services) {
  const { store, cipher } = services;
  const stored = (): StoredProxyConfig => store.features.proxy;

  /** For storage: the password encrypted, or kept from `previous` when left out of an unchanged proxy. */
  const toStored = (p: PlainProxy, previous: StoredProxy | "direct" | null | undefined): StoredProxy => {
    const out: StoredProxy = { type: p.type, host: p.host, port: p.port };
    if (p.username) out.username = p.username;
    if (p.password) out.passwordEnc = cipher.encrypt(p.password);
    else if (p.password === undefined && previous && previous !== "direct" && previous.host === p.host && previous.port === p.port && previous.username === p.username) {
      if (previous.passwordEnc) out.passwordEnc = previous.passwordEnc;
    }
    return out;
  };

  const view = (p: StoredProxy) => ({
    type: p.type,
    host: p.host,
    port: p.port,
    ...(p.username ? { username: p.username } : {}),
    hasPassword: !!p.passwordEnc,
    url: maskProxyUrl(proxyUrlOf({ ...p, password: p.passwordEnc ? "x" : undefined })),
  });
  const show = () => {
    const c = stored();
    return {
      global: c.global ? view(c.global) : null,
      providers: Object.fromEntries(Object.entries(c.providers).map(([id, p]) => [id, p === "direct" ? "direct" : view(p)])),
    };
  };

  async function update({ request }: { request: Request }) {
    const patch = parseWith(ProxyPatch, await readJson(request));
    if (patch.global === undefined && patch.providers === undefined) throw noFieldsToUpdate();
    const current = stored();
    const next: StoredProxyConfig = { global: current.global, providers: { ...current.providers } };
    if (patch.global !== undefined) next.global = patch.global === null ? null : toStored(plainProxy(patch.global, "global"), current.global);
    for (const [name, value] of Object.entries(patch.providers ?? {})) {
      const id = requireProviderId(store, name);
      if (value === null) delete next.providers[id];
      else if (value === "direct") next.providers[id] = "direct";
      else next.providers[id] = toStored(plainProxy(value, `providers.${name}`), current.providers[id]);
    }
    saveRoutingRow(services, PROXY_KEY, StoredProxyConfigSchema.parse(next));
    return show();
  }

  return new Elysia({ name: "admin-proxy" })
    .get("/api/settings/proxy", show)
    .put("/api/settings/proxy", update)
    .patch("/api/settings/proxy", update)
    .delete("/api/settings/proxy", ({ query }) => {
      const provider = typeof query.provider === "string" && query.provider ? requireProviderId(store, query.provider) : null;
      const next: StoredProxyConfig = provider ? { ...stored(), providers: { ...stored().providers } } : { global: null, providers: {} };
      if (provider) delete next.providers[provider];
      saveRoutingRow(services, PROXY_KEY, next);
      return show();
    })

    .post("/api/settings/proxy/test", async ({ request }) => {
      const body = parseWith(TestBody, await readJson(request));
      let url: string | undefined;
      if (body.proxy !== undefined) url = proxyUrlOf(plainProxy(body.proxy, "proxy"));
      else if (body.provider) url = proxyFor(store.features.proxyUrls, requireProviderId(store, body.provider));
      else url = store.features.proxyUrls.global ?? undefined;
      if (!url) throw badRequest(body.provider ? `No proxy is used for provider "${body.provider}"` : "No proxy given and none configured");
      return testProxy(url, body.testUrl);
    });
}
