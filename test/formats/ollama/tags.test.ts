import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { ollamaTagsFromModels } from "../../../src/formats/ollama/tags.ts";

const recorded = JSON.parse(await Bun.file(new URL("../../fixtures/ollama/tags.json", import.meta.url)).text());

/** The JSON type of every field, recursively, so our output can be compared with Ollama's. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return v === null ? "null" : typeof v;
}

describe("GET /api/tags from the gateway's models", () => {
  const now = Date.UTC(2025, 4, 10, 16, 42, 7, 355);
  const tags = ollamaTagsFromModels(
    [
      { id: "openai/gpt-4o", ownedBy: "openai", type: "chat" },
      { id: "anthropic/claude-sonnet-4-5", ownedBy: "anthropic", type: "chat" },
      { id: "openai/text-embedding-3-small", ownedBy: "openai", type: "embedding" },
      { id: "openai/gpt-4o", ownedBy: "openai", type: "chat" },
      { id: "fast", ownedBy: "", type: "chat" },
    ],
    now,
  );

  test("chat models only, named as clients must send them back, no duplicates", () => {
    expect(tags.models.map((m) => m.name)).toEqual(["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "fast"]);
    for (const m of tags.models) expect(m.model).toBe(m.name);
  });

  test("same fields and JSON types as a recorded Ollama /api/tags", () => {
    expect(shape(tags.models[0])).toEqual(shape(recorded.models[0]));
  });

  test("values: RFC3339 time, size 0, sha256 of the name, unknown details empty", () => {
    const m = tags.models[0]!;
    expect(m.modified_at).toBe("2025-05-10T16:42:07.355Z");
    expect(m.size).toBe(0);
    expect(m.digest).toBe(createHash("sha256").update("openai/gpt-4o").digest("hex"));
    expect(m.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(m.details).toEqual({ parent_model: "", format: "", family: "", families: null, parameter_size: "", quantization_level: "" });
    expect(ollamaTagsFromModels([], new Date(now))).toEqual({ models: [] });
  });
});
