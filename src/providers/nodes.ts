// User-defined provider nodes: any OpenAI- or Anthropic-compatible endpoint.
import type { ProviderRuntime } from "./types.ts";

export const NODE_TYPES = ["openai-compatible", "anthropic-compatible"] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export interface NodeRow {
  id: string;
  type: string;
  name: string;
  prefix: string;
  apiType: string;
  baseUrl: string;
}

export function nodeToRuntime(node: NodeRow): ProviderRuntime {
  const anthropic = node.type === "anthropic-compatible";
  return {
    id: node.id,
    name: node.name,
    aliases: [node.prefix],
    format: anthropic ? "anthropic" : "openai",
    baseUrl: node.baseUrl.replace(/\/+$/, ""),
    auth: anthropic ? "x-api-key" : "bearer",
    headers: anthropic ? { "anthropic-version": "2023-06-01" } : undefined,
    streamUsage: true,
    models: [],
    kind: "node",
    nodeType: node.type,
  };
}
