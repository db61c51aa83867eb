// Canonical → a Gemini API request (generativelanguage v1beta), for providers with
// `format: "gemini"`. Paths are relative to the provider's base URL (…/v1beta).
import { EFFORT_BUDGET, type CanonicalRequest } from "../canonical.ts";
import type { UpstreamRequest } from "../types.ts";
import { writeParts } from "./parts.ts";
import { bareModel, isObj, type Json } from "./wire.ts";

/**
 * Gemini 3 answers 400 when a functionCall in the history lacks its thought signature. Calls
 * that came through a client format without signatures (OpenAI, Ollama) get the bypass value
 * Google documents for history produced elsewhere (ai.google.dev/gemini-api/docs/thought-signatures).
 */
const SKIP_SIGNATURE = "skip_thought_signature_validator";
const strictSignatures = (model: string) => /gemini-([3-9]|\d\d)/i.test(model);

function thinkingConfig(r: CanonicalRequest["reasoning"], model: string): Json | undefined {
  if (!r) return undefined;
  const pro = /pro/i.test(model);
  if (r.enabled === false) {
    // 2.5 Pro and Gemini 3 cannot switch thinking off (budget 0 is a 400); leave their default.
    return pro || strictSignatures(model) ? undefined : { thinkingBudget: 0 };
  }
  let budget = r.budgetTokens ?? (r.effort ? EFFORT_BUDGET[r.effort] : -1);
  // Budgets above a model's range are refused: Flash tops out at 24576, Pro at 32768
  // (Anthropic clients such as Claude Code ask for up to 31999).
  if (budget > 0) budget = Math.min(budget, pro ? 32768 : 24576);
  return { thinkingBudget: budget, includeThoughts: true };
}

function generationConfig(req: CanonicalRequest, model: string): Json | undefined {
  const g: Json = {};
  if (req.temperature !== undefined) g.temperature = req.temperature;
  if (req.topP !== undefined) g.topP = req.topP;
  if (req.topK !== undefined) g.topK = req.topK;
  if (req.maxTokens !== undefined) g.maxOutputTokens = req.maxTokens;
  if (req.stop?.length) g.stopSequences = req.stop.slice(0, 5); // the API allows at most 5
  if (req.seed !== undefined) g.seed = req.seed;
  if (req.presencePenalty !== undefined) g.presencePenalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) g.frequencyPenalty = req.frequencyPenalty;
  const rf = req.responseFormat;
  if (rf?.type === "json_object") g.responseMimeType = "application/json";
  else if (rf?.type === "json_schema") {
    g.responseMimeType = "application/json";
    // responseJsonSchema takes full JSON Schema; responseSchema (OpenAPI subset) would
    // reject common keywords such as additionalProperties or $ref.
    g.responseJsonSchema = rf.schema;
  }
  const tc = thinkingConfig(req.reasoning, model);
  if (tc) g.thinkingConfig = tc;
  return Object.keys(g).length ? g : undefined;
}

function toolConfig(req: CanonicalRequest): Json | undefined {
  const c = req.toolChoice;
  if (!c || !req.tools?.length) return undefined;
  if (c.type === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (c.type === "required") return { functionCallingConfig: { mode: "ANY" } };
  if (c.type === "tool") return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [c.name] } };
  return { functionCallingConfig: { mode: "AUTO" } };
}

export function canonicalToGeminiRequest(req: CanonicalRequest, model: string): UpstreamRequest {
  const m = bareModel(model);
  const names = new Map<string, string>();
  const contents: Json[] = [];
  for (const msg of req.messages) {
    const role = msg.role === "assistant" ? "model" : "user";
    const parts = writeParts(msg.content, { mode: "request", nameFor: (id) => names.get(id) });
    for (const p of msg.content) if (p.type === "tool_call") names.set(p.id, p.name);
    if (role === "model" && strictSignatures(m)) {
      // Only the first functionCall of a step carries the signature (parallel calls share it).
      const calls = parts.filter((p) => p.functionCall);
      if (calls.length && !calls.some((p) => p.thoughtSignature)) calls[0]!.thoughtSignature = SKIP_SIGNATURE;
    }
    if (parts.length === 0) continue;
    const prev = contents.at(-1);
    if (prev && prev.role === role) prev.parts.push(...parts);
    else contents.push({ role, parts });
  }

  const body: Json = { contents };
  const system = req.system.filter((p) => p.type === "text" && p.text).map((p) => ({ text: (p as { text: string }).text }));
  if (system.length) body.systemInstruction = { parts: system };
  if (req.tools?.length) {
    body.tools = [
      {
        functionDeclarations: req.tools.map((t) => ({
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          // parametersJsonSchema takes the JSON Schema clients write ($schema,
          // additionalProperties, $ref…) where `parameters` (OpenAPI subset) would 400.
          parametersJsonSchema: isObj(t.parameters) && t.parameters.type ? t.parameters : { type: "object", ...t.parameters },
        })),
      },
    ];
  }
  const tc = toolConfig(req);
  if (tc) body.toolConfig = tc;
  const g = generationConfig(req, m);
  if (g) body.generationConfig = g;

  return {
    path: req.stream ? `/models/${m}:streamGenerateContent?alt=sse` : `/models/${m}:generateContent`,
    body,
  };
}
