/** The wire format an upstream speaks. "openai" is OpenAI Chat Completions. */
export type UpstreamFormat = "openai" | "openai-responses" | "anthropic" | "gemini" | "ollama";

/**
 * How the credential is sent upstream: "token" is Deepgram's `Authorization: Token <key>`,
 * "authorization" AssemblyAI's bare `Authorization: <key>`.
 */
export type AuthStyle = "bearer" | "x-api-key" | "x-goog-api-key" | "token" | "authorization" | "none";

export type ModelType = "chat" | "embedding" | "image" | "audio";

export interface ModelInfo {
  id: string;
  name?: string;
  type: ModelType;
  contextWindow?: number;
}

/**
 * The wire dialect of a provider's non-chat APIs (src/gateway/media), where it is not the one
 * its `format` implies (OpenAI-format providers speak OpenAI's, Gemini and Ollama their own).
 */
export interface MediaApis {
  images?: "openai" | "xai" | "together" | "fireworks";
  transcription?: "openai" | "deepgram" | "assemblyai";
  /** Fields an upstream requires on /embeddings that OpenAI clients never send. */
  embeddingDefaults?: Record<string, unknown>;
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
  /** Where a key is checked (GET, relative to the base URL) when not the format's model list. */
  modelsPath?: string;
  media?: MediaApis;
  models: ModelInfo[];
}

/** A provider as the router sees it at run time: a registry spec or a user-defined node. */
export interface ProviderRuntime extends ProviderSpec {
  kind: "registry" | "node";
  /** For nodes: openai-compatible | anthropic-compatible. */
  nodeType?: string;
}
