// /api/settings/ip-filter: {enabled, allowlist, blocklist, trustedProxies}, each list of IPv4 /
// IPv6 addresses or CIDR ranges. PUT (or PATCH) takes any subset (`whitelist` / `blacklist`,
// OmniRoute's names, are accepted for the two lists). A change that would refuse the address
// making it is itself refused (400), unless the body says `"force": true`: locking oneself out
// of the dashboard takes a deliberate act. Enforcement: src/features/ip-filter.ts.
import { Elysia } from "elysia";
import { z } from "zod";
import { IP_FILTER_KEY, IpFilterSchema } from "../features/config.ts";
import { checkAddress, clientAddress, compileFilter, invalidEntries } from "../features/ip-filter.ts";
import { peerOf } from "../server.ts";
import type { Services } from "../services.ts";
import { fieldError, noFieldsToUpdate, parseWith, readJson } from "./http.ts";
import { saveRoutingRow } from "./resilience.ts";

const list = z.array(z.string().trim().min(1, "empty entry")).max(10_000);
const IpFilterPatch = z
  .object({
    enabled: z.boolean().optional(),
    allowlist: list.optional(),
    blocklist: list.optional(),
    trustedProxies: list.max(1_000).optional(),
    whitelist: list.optional(),
    blacklist: list.optional(),
    force: z.boolean().optional(),
  })
  .strict();

export function ipFilterRoutes(services: Services) {
  const { store } = services;

  async function update({ request }: { request: Request }) {
    const patch = parseWith(IpFilterPatch, await readJson(request));
    const { force, whitelist, blacklist, ...rest } = patch;
    const given = { ...rest, ...(whitelist ? { allowlist: whitelist } : {}), ...(blacklist ? { blocklist: blacklist } : {}) };
    if (Object.keys(given).length === 0) throw noFieldsToUpdate();
    for (const field of ["allowlist", "blocklist", "trustedProxies"] as const) {
      const bad = invalidEntries(given[field] ?? []);
      if (bad.length > 0) throw fieldError(field, `not an IP address or CIDR range: ${bad.slice(0, 5).join(", ")}`);
    }
    const next = IpFilterSchema.parse({ ...store.features.ipFilter, ...given });
    const peer = peerOf(request);
    if (next.enabled && peer !== undefined && !force) {
      const filter = compileFilter(next);
      const self = clientAddress(peer, request.headers.get("x-forwarded-for"), filter.trusted);
      if (!checkAddress(filter, self).allowed) {
        throw fieldError("enabled", `This filter would refuse your own address (${self ?? "unreadable"}); allow it first, or send "force": true.`);
      }
    }
    saveRoutingRow(services, IP_FILTER_KEY, next);
    return store.features.ipFilter;
  }

  return new Elysia({ name: "admin-ip-filter" })
    .get("/api/settings/ip-filter", () => store.features.ipFilter)
    .put("/api/settings/ip-filter", update)
    .patch("/api/settings/ip-filter", update);
}
