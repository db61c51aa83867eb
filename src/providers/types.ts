/** The wire format an upstream speaks. "openai" is OpenAI Chat Completions. */
export type UpstreamFormat = "openai" | "anthropic" | "gemini" | "ollama";

/** How the credential is sent upstream. */
export type AuthStyle = "bearer" | "x-api-key" | "x-goog-api-key" | "none";

export type ModelType = "chat" | "embedding" | "image" | "audio";

export interface ModelInfo {
  id: string;
  name?: string;
  type: ModelType;
  contextWindow?: number;
}

/**
 * A provider as data (the Portkey pattern): adding an OpenAI-compatible provider is a new
 * object in registry.ts, not a new code path.
 */
export interface ProviderSpec {
  id: string;
  name: string;
  /** Short prefixes accepted in `prefix/model`, besides the id itself. */
  aliases: string[];
  format: UpstreamFormat;
  /** Base URL the format's paths are appended to (e.g. .../v1 + /chat/completions). */
  baseUrl: string;
  auth: AuthStyle;
  /** Extra headers every upstream request carries (API version pins, attribution). */
  headers?: Record<string, string>;
  /** Whether the upstream accepts stream_options.include_usage (most OpenAI-compatible ones do). */
  streamUsage?: boolean;
  website?: string;
  models: ModelInfo[];
}

/** A provider as the router sees it at run time: a registry spec or a user-defined node. */
export interface ProviderRuntime extends ProviderSpec {
  kind: "registry" | "node";
  /** For nodes: openai-compatible | anthropic-compatible. */
  nodeType?: string;
}
