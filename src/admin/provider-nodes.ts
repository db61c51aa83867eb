// /api/provider-nodes: user-defined OpenAI-compatible (Chat Completions or Responses API) or
// Anthropic-compatible endpoints. A node's id is
// also the provider id of its connections, and its prefix is how clients address its models.
import { eq } from "drizzle-orm";
import { Elysia } from "elysia";
import { z } from "zod";
import * as t from "../db/schema.ts";
import { notFound } from "../errors.ts";
import { API_TYPES, NODE_TYPES, nodeToRuntime, type NodeType } from "../providers/nodes.ts";
import type { Services } from "../services.ts";
import type { ConfigStore } from "../store/config-store.ts";
import { fieldError, httpUrl, iso, noFieldsToUpdate, parseWith, readJson, requiredString, withoutNulls } from "./http.ts";
import { probeModels } from "./upstream-probe.ts";

type NodeRow = typeof t.providerNodes.$inferSelect;

const Name = requiredString("Name is required").max(200);
const Prefix = requiredString("Prefix is required")
  .max(64)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, "Prefix must start with a letter or digit and use only letters, digits, '.', '_' or '-'");
// Which OpenAI API an OpenAI-compatible node answers: Chat Completions (/chat/completions) or
// the Responses API (/responses). Anything else would be accepted and then fail on every request.
const ApiType = z.enum(API_TYPES, { message: 'apiType must be "chat" or "responses"' });

const CreateNode = z.object({
  name: Name,
  prefix: Prefix,
  type: z.enum(NODE_TYPES).default("openai-compatible"),
  apiType: ApiType.default("chat"),
  baseUrl: httpUrl(),
});

const UpdateNode = z.object({ name: Name.optional(), prefix: Prefix.optional(), apiType: ApiType.optional(), baseUrl: httpUrl().optional() });

const ValidateNode = z.object({
  baseUrl: httpUrl(),
  apiKey: z.string().trim().max(100_000).optional(),
  type: z.enum(NODE_TYPES).default("openai-compatible"),
  // The check is GET {base}/models for both API types; accepted so the same form can be sent.
  apiType: ApiType.default("chat"),
});

export function nodeView(row: NodeRow) {
  return withoutNulls({
    id: row.id,
    type: row.type,
    name: row.name,
    prefix: row.prefix,
    // apiType means something only for OpenAI-compatible nodes (chat vs responses endpoint).
    apiType: row.type === "openai-compatible" ? row.apiType : null,
    baseUrl: row.baseUrl,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  });
}

/**
 * Users paste the endpoint they were given, often the full chat URL; keep the base the
 * format's paths are appended to.
 */
export function normalizeBaseUrl(url: string, type: NodeType): string {
  const suffix = type === "anthropic-compatible" ? /\/messages$/ : /\/(chat\/completions|responses)$/;
  return url.trim().replace(/\/+$/, "").replace(suffix, "").replace(/\/+$/, "");
}

/** A prefix routes `<prefix>/<model>`, so it may not shadow a built-in provider or another node. */
function checkPrefixFree(store: ConfigStore, prefix: string, ownId?: string): void {
  const owner = store.prefixes.get(prefix.toLowerCase());
  if (!owner || owner === ownId) return;
  const provider = store.providers.get(owner);
  throw fieldError(
    "prefix",
    provider?.kind === "node"
      ? `Prefix "${prefix}" is already used by provider node "${provider.name}"`
      : `Prefix "${prefix}" is reserved for the built-in provider "${owner}"`,
  );
}

/** The aliases whose target goes through this node (`<prefix>/…` or `<node id>/…`). */
function aliasesThrough(services: Services, node: NodeRow) {
  const heads = [node.prefix.toLowerCase() + "/", node.id.toLowerCase() + "/"];
  return services.db
    .select()
    .from(t.modelAliases)
    .all()
    .filter((a) => heads.some((h) => a.target.toLowerCase().startsWith(h)));
}

export function providerNodeRoutes(services: Services) {
  const { db, store } = services;

  function load(id: string): NodeRow {
    const row = db.select().from(t.providerNodes).where(eq(t.providerNodes.id, id)).get();
    if (!row) throw notFound("Provider node not found");
    return row;
  }

  return new Elysia({ name: "admin-provider-nodes" })
    .get("/api/provider-nodes", () => ({
      nodes: db.select().from(t.providerNodes).orderBy(t.providerNodes.createdAt).all().map(nodeView),
    }))

    .post("/api/provider-nodes", async ({ request }) => {
      const body = parseWith(CreateNode, await readJson(request));
      checkPrefixFree(store, body.prefix);
      const anthropic = body.type === "anthropic-compatible";
      const now = Date.now();
      const row: NodeRow = {
        id: anthropic ? `anthropic-compatible-${crypto.randomUUID()}` : `openai-compatible-${body.apiType}-${crypto.randomUUID()}`,
        type: body.type,
        name: body.name,
        prefix: body.prefix,
        apiType: anthropic ? "chat" : body.apiType,
        baseUrl: normalizeBaseUrl(body.baseUrl, body.type),
        createdAt: now,
        updatedAt: now,
      };
      db.insert(t.providerNodes).values(row).run();
      store.reload();
      return Response.json({ node: nodeView(load(row.id)) }, { status: 201 });
    })

    .post("/api/provider-nodes/validate", async ({ request }) => {
      const body = parseWith(ValidateNode, await readJson(request));
      const baseUrl = normalizeBaseUrl(body.baseUrl, body.type);
      const provider = nodeToRuntime({ id: "validate", type: body.type, name: "validate", prefix: "validate", apiType: body.apiType, baseUrl });
      const conn = { id: "", provider: "validate", name: "validate", priority: 0, isActive: true, apiKey: body.apiKey || null, baseUrl: null, testStatus: "unknown" };
      const result = await probeModels(provider, conn, services.features.proxyFor(provider.id));
      if (result.valid) return { valid: true, error: null };
      // OmniRoute's wording for node validation, so its dashboard messages carry over.
      const status = result.statusCode;
      const error =
        status === null
          ? result.error
          : status === 401 || status === 403
            ? "API key unauthorized"
            : status === 404
              ? "/models endpoint not found - check the base URL"
              : status === 429
                ? "Rate limited - try again later"
                : status >= 500
                  ? "Server error - try again later"
                  : `Unexpected response (${status})`;
      return { valid: false, error };
    })

    .get("/api/provider-nodes/:id", ({ params }) => ({ node: nodeView(load(params.id)) }))

    .put("/api/provider-nodes/:id", async ({ params, request }) => {
      const node = load(params.id);
      const patch = parseWith(UpdateNode, await readJson(request));
      if (Object.values(patch).every((v) => v === undefined)) throw noFieldsToUpdate();
      if (patch.prefix) checkPrefixFree(store, patch.prefix, node.id);
      const type = node.type as NodeType;
      const renamed = patch.prefix !== undefined && patch.prefix !== node.prefix;
      db.transaction((tx) => {
        tx.update(t.providerNodes)
          .set({
            name: patch.name,
            prefix: patch.prefix,
            apiType: type === "openai-compatible" ? patch.apiType : undefined,
            baseUrl: patch.baseUrl ? normalizeBaseUrl(patch.baseUrl, type) : undefined,
            updatedAt: Date.now(),
          })
          .where(eq(t.providerNodes.id, node.id))
          .run();
        // Aliases written against the old prefix would stop resolving; carry them over.
        if (renamed) {
          const oldHead = node.prefix.toLowerCase() + "/";
          for (const alias of aliasesThrough(services, node)) {
            if (!alias.target.toLowerCase().startsWith(oldHead)) continue;
            const target = `${patch.prefix}/${alias.target.slice(oldHead.length)}`;
            tx.update(t.modelAliases).set({ target }).where(eq(t.modelAliases.alias, alias.alias)).run();
          }
        }
      });
      store.reload();
      return { node: nodeView(load(node.id)) };
    })

    .delete("/api/provider-nodes/:id", ({ params }) => {
      const node = load(params.id);
      const aliases = aliasesThrough(services, node);
      db.transaction((tx) => {
        tx.delete(t.providerConnections).where(eq(t.providerConnections.provider, node.id)).run();
        tx.delete(t.providerModels).where(eq(t.providerModels.provider, node.id)).run();
        for (const a of aliases) tx.delete(t.modelAliases).where(eq(t.modelAliases.alias, a.alias)).run();
        tx.delete(t.providerNodes).where(eq(t.providerNodes.id, node.id)).run();
      });
      store.reload();
      return { success: true };
    });
}
