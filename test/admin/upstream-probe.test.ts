// The probe's per-format details: where each API lists models, how it authenticates, and how
// its list and error bodies read (shapes as documented by each provider).
import { describe, expect, test } from "bun:test";
import { modelsFromBody, modelsRequest, upstreamErrorInfo } from "../../src/admin/upstream-probe.ts";
import { PROVIDERS } from "../../src/providers/registry.ts";
import type { ProviderRuntime } from "../../src/providers/types.ts";
import type { ConnectionRuntime } from "../../src/store/config-store.ts";

const provider = (id: string): ProviderRuntime => ({ ...PROVIDERS.find((p) => p.id === id)!, kind: "registry" });
const conn = (apiKey: string | null, baseUrl: string | null = null): ConnectionRuntime => ({
  id: "c",
  provider: "x",
  name: "c",
  priority: 1,
  isActive: true,
  apiKey,
  baseUrl,
  testStatus: "unknown",
});

describe("modelsRequest", () => {
  test("each format's list endpoint and credential header", () => {
    expect(modelsRequest(provider("openai"), conn("sk-1"))).toEqual({
      url: "https://api.openai.com/v1/models",
      headers: { accept: "application/json", authorization: "Bearer sk-1" },
    });
    expect(modelsRequest(provider("anthropic"), conn("sk-ant-1"))).toEqual({
      url: "https://api.anthropic.com/v1/models?limit=1000",
      headers: { accept: "application/json", "anthropic-version": "2023-06-01", "x-api-key": "sk-ant-1" },
    });
    expect(modelsRequest(provider("gemini"), conn("AIza1"))).toEqual({
      url: "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000",
      headers: { accept: "application/json", "x-goog-api-key": "AIza1" },
    });
    expect(modelsRequest(provider("ollama"), conn(null, "http://10.0.0.9:11434/")).url).toBe("http://10.0.0.9:11434/api/tags");
  });
});

describe("modelsFromBody", () => {
  const none = new Map();

  test("Anthropic: data[].id with display_name", () => {
    const body = {
      data: [{ type: "model", id: "claude-sonnet-4-5-20250929", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" }],
      has_more: false,
      first_id: "claude-sonnet-4-5-20250929",
      last_id: "claude-sonnet-4-5-20250929",
    };
    expect(modelsFromBody(provider("anthropic"), body, none)).toEqual([
      { id: "claude-sonnet-4-5-20250929", name: "Claude Sonnet 4.5", owned_by: "anthropic", type: undefined },
    ]);
  });

  test("Gemini: models[].name without the models/ prefix, type from the supported methods", () => {
    const body = {
      models: [
        { name: "models/gemini-2.5-flash", version: "001", displayName: "Gemini 2.5 Flash", supportedGenerationMethods: ["generateContent", "countTokens"] },
        { name: "models/text-embedding-004", version: "004", displayName: "Text Embedding 004", supportedGenerationMethods: ["embedContent"] },
      ],
    };
    expect(modelsFromBody(provider("gemini"), body, none)).toEqual([
      { id: "gemini-2.5-flash", name: "Gemini 2.5 Flash", owned_by: "gemini", type: "chat" },
      { id: "text-embedding-004", name: "Text Embedding 004", owned_by: "gemini", type: "embedding" },
    ]);
  });

  test("Ollama: models[].name; known ids take the catalog's type", () => {
    const body = {
      models: [
        { name: "nomic-embed-text", model: "nomic-embed-text", modified_at: "2025-01-01T00:00:00Z", size: 274302450, digest: "0a109f422b47" },
      ],
    };
    expect(modelsFromBody(provider("ollama"), body, new Map([["nomic-embed-text", "embedding"]]))).toEqual([
      { id: "nomic-embed-text", name: undefined, owned_by: "ollama", type: "embedding" },
    ]);
  });

  test("a body without a list is null (caller falls back to the catalog)", () => {
    expect(modelsFromBody(provider("openai"), { error: "x" }, none)).toBeNull();
    expect(modelsFromBody(provider("openai"), null, none)).toBeNull();
  });
});

describe("upstreamErrorInfo", () => {
  test("reads OpenAI, Anthropic, Gemini and Ollama error bodies", () => {
    expect(upstreamErrorInfo({ error: { message: "Incorrect API key", type: "invalid_request_error", code: "invalid_api_key" } })).toEqual({
      message: "Incorrect API key",
      code: "invalid_api_key",
    });
    expect(upstreamErrorInfo({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } })).toEqual({
      message: "invalid x-api-key",
      code: "authentication_error",
    });
    expect(upstreamErrorInfo({ error: { code: 400, message: "API key not valid.", status: "INVALID_ARGUMENT" } })).toEqual({
      message: "API key not valid.",
      code: "INVALID_ARGUMENT",
    });
    expect(upstreamErrorInfo({ error: "unauthorized" })).toEqual({ message: "unauthorized", code: null });
    expect(upstreamErrorInfo("<html>")).toEqual({ message: null, code: null });
  });
});
