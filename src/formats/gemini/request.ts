// A Gemini generateContent request (client side) → canonical. The model and streaming come
// from the URL (/v1beta/models/{model}:streamGenerateContent), not the body. Readers are
// liberal: lowerCamel or snake_case field names, a lone object where a list is expected.
// The other direction (canonical → Gemini upstream request) is in request-writer.ts.
import { badRequest } from "../../errors.ts";
import type { CanonicalMessage, CanonicalRequest, CanonicalTool, ContentPart, ReasoningEffort, ToolChoice } from "../canonical.ts";
import { readParts } from "./parts.ts";
import { asList, bareModel, field, isObj, num, openApiToJsonSchema, stableToolCallId, str, type Json } from "./wire.ts";

export { canonicalToGeminiRequest } from "./request-writer.ts";

export interface GeminiReadContext {
  /** The {model} of the URL. */
  model?: string;
  /** :streamGenerateContent rather than :generateContent. */
  stream?: boolean;
}

function readSystem(si: unknown): ContentPart[] {
  if (typeof si === "string") return si ? [{ type: "text", text: si }] : [];
  const parts = isObj(si) && field(si, "parts") !== undefined ? field(si, "parts") : si;
  const out: ContentPart[] = [];
  for (const p of asList(parts)) {
    const text = typeof p === "string" ? p : str(field(p, "text"));
    if (text) out.push({ type: "text", text });
  }
  return out;
}

interface PendingCall {
  id: string;
  name: string;
  turn: number;
}

/**
 * Reads `contents`, giving every functionCall an id and every functionResponse the id of the
 * call it answers. Gemini clients often send neither id: a response then answers the
 * earliest unanswered call of the same name in the latest turn that has one (parallel calls
 * to one function are answered in order).
 */
function readContents(contents: unknown[]): CanonicalMessage[] {
  const messages: CanonicalMessage[] = [];
  const pending: PendingCall[] = [];
  contents.forEach((c, turn) => {
    if (!isObj(c)) return;
    // "model" is the assistant; "user", a missing role and the legacy "function" role are user turns.
    const role = field(c, "role") === "model" ? "assistant" : "user";
    // Consecutive turns of one role are one message; parts are read onto it, so a signature
    // in a later turn still finds the thoughts of an earlier one (see readParts).
    const prev = messages.at(-1);
    const merging = prev?.role === role;
    const content = readParts(field(c, "parts"), {
      callId(given, name, i) {
        const id = given ?? stableToolCallId(`${turn}:${i}:${name}`);
        pending.push({ id, name, turn });
        return id;
      },
      resultId(given, name, i) {
        if (given) {
          const at = pending.findIndex((p) => p.id === given);
          if (at >= 0) pending.splice(at, 1);
          return given;
        }
        let latest = -1;
        for (const p of pending) if (p.name === name && p.turn > latest) latest = p.turn;
        const at = pending.findIndex((p) => p.name === name && p.turn === latest);
        if (at >= 0) return pending.splice(at, 1)[0]!.id;
        return stableToolCallId(`result:${turn}:${i}:${name}`);
      },
    }, merging ? prev.content : []);
    // Canonical (and Anthropic) want tool results first in their user message.
    const ordered = role === "user" ? [...content.filter((p) => p.type === "tool_result"), ...content.filter((p) => p.type !== "tool_result")] : content;
    if (merging) prev.content = ordered;
    else if (ordered.length) messages.push({ role, content: ordered });
  });
  return messages;
}

function readTools(tools: unknown): CanonicalTool[] {
  const out: CanonicalTool[] = [];
  for (const t of asList(tools)) {
    // googleSearch, googleSearchRetrieval, codeExecution, urlContext, fileSearch, computerUse…
    // are Google-hosted tools, not functions the client runs: they have no canonical form and
    // are dropped.
    for (const d of asList(field(t, "functionDeclarations"))) {
      const name = str(field(d, "name"));
      if (!name) continue;
      const jsonSchema = field(d, "parametersJsonSchema");
      const openApi = field(d, "parameters");
      const parameters = isObj(jsonSchema) ? jsonSchema : isObj(openApi) ? (openApiToJsonSchema(openApi) as Json) : { type: "object", properties: {} };
      const description = str(field(d, "description"));
      out.push({ name, ...(description ? { description } : {}), parameters });
    }
  }
  return out;
}

function readToolChoice(toolConfig: unknown, tools: CanonicalTool[]): { choice?: ToolChoice; tools: CanonicalTool[] } {
  const fcc = field(toolConfig, "functionCallingConfig");
  const mode = String(field(fcc, "mode") ?? "").toUpperCase();
  const allowed = asList(field(fcc, "allowedFunctionNames")).filter((n): n is string => typeof n === "string");
  if (mode === "NONE") return { choice: { type: "none" }, tools };
  if (mode === "ANY") {
    if (allowed.length === 1) return { choice: { type: "tool", name: allowed[0]! }, tools };
    // Several allowed names: "required" over just those tools says the same thing.
    const kept = allowed.length > 1 ? tools.filter((t) => allowed.includes(t.name)) : tools;
    return { choice: { type: "required" }, tools: kept.length ? kept : tools };
  }
  if (mode === "AUTO" || mode === "VALIDATED") return { choice: { type: "auto" }, tools };
  return { tools };
}

const EFFORTS = new Set(["minimal", "low", "medium", "high"]);

/** thinkingConfig {thinkingBudget (-1 dynamic, 0 off), includeThoughts, thinkingLevel}. */
function readReasoning(tc: unknown): CanonicalRequest["reasoning"] {
  if (!isObj(tc)) return undefined;
  const level = String(field(tc, "thinkingLevel") ?? "").toLowerCase();
  if (EFFORTS.has(level)) return { effort: level as ReasoningEffort, enabled: true };
  const budget = num(field(tc, "thinkingBudget"));
  if (budget !== undefined) {
    if (budget === 0) return { enabled: false };
    if (budget > 0) return { budgetTokens: budget, enabled: true };
    return { enabled: true }; // -1: the model decides
  }
  if (field(tc, "includeThoughts") === true) return { enabled: true };
  return undefined;
}

function readResponseFormat(g: Json): CanonicalRequest["responseFormat"] {
  const mime = str(field(g, "responseMimeType"));
  if (mime !== "application/json") return undefined;
  const jsonSchema = field(g, "responseJsonSchema");
  const openApi = field(g, "responseSchema");
  const schema = isObj(jsonSchema) ? jsonSchema : isObj(openApi) ? (openApiToJsonSchema(openApi) as Json) : undefined;
  return schema ? { type: "json_schema", name: "response", schema } : { type: "json_object" };
}

export function geminiRequestToCanonical(body: unknown, ctx: GeminiReadContext = {}): CanonicalRequest {
  if (!isObj(body)) throw badRequest("Invalid JSON payload received. Expected a GenerateContentRequest object.");
  const contents = asList(field(body, "contents"));
  if (contents.length === 0) throw badRequest("* GenerateContentRequest.contents: contents is not specified", "contents");

  const model = bareModel(ctx.model ?? str(field(body, "model")) ?? "");
  const { choice, tools } = readToolChoice(field(body, "toolConfig"), readTools(field(body, "tools")));
  const g = isObj(field(body, "generationConfig")) ? (field(body, "generationConfig") as Json) : {};
  const stopRaw = field(g, "stopSequences");
  const stop = asList(stopRaw).filter((s): s is string => typeof s === "string");

  const req: CanonicalRequest = {
    model,
    system: readSystem(field(body, "systemInstruction")),
    messages: readContents(contents),
    stream: ctx.stream === true,
  };
  if (tools.length) req.tools = tools;
  if (choice) req.toolChoice = choice;
  const set = <K extends keyof CanonicalRequest>(k: K, v: CanonicalRequest[K] | undefined) => {
    if (v !== undefined) req[k] = v;
  };
  set("maxTokens", num(field(g, "maxOutputTokens")));
  set("temperature", num(field(g, "temperature")));
  set("topP", num(field(g, "topP")));
  set("topK", num(field(g, "topK")));
  if (stop.length) req.stop = stop;
  set("seed", num(field(g, "seed")));
  set("presencePenalty", num(field(g, "presencePenalty")));
  set("frequencyPenalty", num(field(g, "frequencyPenalty")));
  set("reasoning", readReasoning(field(g, "thinkingConfig")));
  set("responseFormat", readResponseFormat(g));
  // safetySettings, cachedContent, candidateCount, responseModalities, speechConfig… have no
  // canonical counterpart and are dropped (a Gemini → Gemini request passes through whole).
  return req;
}
