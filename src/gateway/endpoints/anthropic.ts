// POST /v1/messages — Anthropic Messages clients (Claude Code, the Anthropic SDKs).
import { anthropicClient, anthropicUpstream } from "../../formats/anthropic/index.ts";
import type { ClientEndpoint } from "../client-request.ts";
import { passthrough } from "../passthrough.ts";

/** Client headers an Anthropic upstream must see; Claude Code relies on its betas reaching Anthropic. */
const FORWARDED = ["anthropic-version", "anthropic-beta"];

export const anthropicMessagesEndpoint: ClientEndpoint = {
  client: anthropicClient,
  endpoint: "/v1/messages",
  nativeFormat: "anthropic",
  read(body) {
    const canonical = anthropicClient.parseRequest(body, {});
    return { canonical, streamCtx: { requestedModel: canonical.model, includeUsage: true } };
  },
  passthrough: passthrough({
    adapter: anthropicUpstream,
    path: () => "/messages",
    body: (ctx) => ({ ...ctx.body, model: ctx.target.model }),
    headers(ctx) {
      const out: Record<string, string> = {};
      for (const name of FORWARDED) {
        const v = ctx.request.headers.get(name);
        if (v) out[name] = v;
      }
      return out;
    },
    isNativeError: (b) => !!b && typeof b === "object" && (b as any).type === "error" && typeof (b as any).error === "object",
    streamed: (ctx) => ctx.body.stream === true,
  }),
};
