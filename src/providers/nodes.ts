// User-defined provider nodes: any OpenAI-compatible (Chat Completions or Responses API) or
// Anthropic-compatible endpoint.
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

/** apiType of an OpenAI-compatible node: which OpenAI API its base URL answers. */
export const API_TYPES = ["chat", "responses"] as const;
export type ApiType = (typeof API_TYPES)[number];

export function nodeToRuntime(node: NodeRow): ProviderRuntime {
  const anthropic = node.type === "anthropic-compatible";
  // apiType "responses": POST {base}/responses (the Responses API) instead of /chat/completions.
  const format = anthropic ? "anthropic" : node.apiType === "responses" ? "openai-responses" : "openai";
  return {
    id: node.id,
    name: node.name,
    aliases: [node.prefix],
    format,
    baseUrl: node.baseUrl.replace(/\/+$/, ""),
    auth: anthropic ? "x-api-key" : "bearer",
    headers: anthropic ? { "anthropic-version": "2023-06-01" } : undefined,
    streamUsage: true,
    models: [],
    kind: "node",
    nodeType: node.type,
  };
}
