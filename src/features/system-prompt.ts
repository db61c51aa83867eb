// The global system prompt (PUT /api/settings/system-prompt), placed where each format keeps
// its system instructions:
//  - canonical (every translated request): `system` parts — the writers then place it as an
//    OpenAI system message, Anthropic `system`, Gemini `systemInstruction`, Ollama system message;
//  - pass-through, in the client's own body: OpenAI Chat and Ollama `messages` (merged into the
//    first system/developer message, or a new system message first — several compatible
//    servers refuse more than one system message), Responses `instructions`, Anthropic `system` (string or blocks; blocks
//    the client marked with cache_control keep their marker), Gemini `systemInstruction.parts`.
// Modes: prepend (before the client's own), append (after it: keeps a client's cached prompt
// prefix intact), replace (instead of it).
import type { CanonicalRequest, ContentPart } from "../formats/canonical.ts";
import type { UpstreamFormat } from "../providers/types.ts";
import type { SystemPromptConfig } from "./config.ts";

type Json = Record<string, any>;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

export function systemPromptCanonical(req: CanonicalRequest, cfg: SystemPromptConfig): void {
  const part: ContentPart = { type: "text", text: cfg.prompt };
  if (cfg.mode === "replace") req.system = cfg.prompt ? [part] : [];
  else if (!cfg.prompt) return;
  else if (cfg.mode === "prepend") req.system = [part, ...req.system];
  else req.system = [...req.system, part];
}

/** Joins the prompt to a text: "prompt\n\ntext" or "text\n\nprompt". */
const joinText = (text: string, prompt: string, mode: SystemPromptConfig["mode"]) =>
  !text ? prompt : mode === "prepend" ? `${prompt}\n\n${text}` : `${text}\n\n${prompt}`;

/** Adds the prompt to a content that is a string or a list of parts/blocks ({type:"text",text}). */
function joinContent(content: unknown, prompt: string, mode: SystemPromptConfig["mode"], partOf: (text: string) => unknown): unknown {
  if (Array.isArray(content)) return mode === "prepend" ? [partOf(prompt), ...content] : [...content, partOf(prompt)];
  return joinText(typeof content === "string" ? content : "", prompt, mode);
}

const isSystemMessage = (m: unknown) => isObj(m) && (m.role === "system" || m.role === "developer");

function messagesStyle(body: Json, cfg: SystemPromptConfig, stringContent: boolean): Json {
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  const first = messages.findIndex(isSystemMessage);
  const role = first >= 0 ? (messages[first] as Json).role : "system";
  if (cfg.mode === "replace") {
    const rest = messages.filter((m) => !isSystemMessage(m));
    return { ...body, messages: cfg.prompt ? [{ role, content: cfg.prompt }, ...rest] : rest };
  }
  if (!cfg.prompt) return body;
  if (first < 0) return { ...body, messages: [{ role: "system", content: cfg.prompt }, ...messages] };
  const msg = messages[first] as Json;
  const content = stringContent
    ? joinText(typeof msg.content === "string" ? msg.content : "", cfg.prompt, cfg.mode)
    : joinContent(msg.content, cfg.prompt, cfg.mode, (text) => ({ type: "text", text }));
  const out = [...messages];
  out[first] = { ...msg, content };
  return { ...body, messages: out };
}

function anthropicStyle(body: Json, cfg: SystemPromptConfig): Json {
  if (cfg.mode === "replace") {
    const { system: _dropped, ...rest } = body;
    return cfg.prompt ? { ...rest, system: cfg.prompt } : rest;
  }
  if (!cfg.prompt) return body;
  return { ...body, system: joinContent(body.system, cfg.prompt, cfg.mode, (text) => ({ type: "text", text })) };
}

function geminiStyle(body: Json, cfg: SystemPromptConfig): Json {
  // The REST API takes both spellings; keep the one the client used.
  const field = body.systemInstruction === undefined && body.system_instruction !== undefined ? "system_instruction" : "systemInstruction";
  const current = body[field];
  if (cfg.mode === "replace") {
    const { [field]: _dropped, ...rest } = body;
    return cfg.prompt ? { ...rest, [field]: { parts: [{ text: cfg.prompt }] } } : rest;
  }
  if (!cfg.prompt) return body;
  // systemInstruction is a Content ({parts}); a bare string is accepted too.
  const parts: unknown[] = isObj(current) && Array.isArray(current.parts) ? current.parts : typeof current === "string" && current ? [{ text: current }] : [];
  const next = cfg.mode === "prepend" ? [{ text: cfg.prompt }, ...parts] : [...parts, { text: cfg.prompt }];
  return { ...body, [field]: { ...(isObj(current) ? current : {}), parts: next } };
}

/** Responses: `instructions` is the system slot (system/developer input items are the client's own). */
function instructionsStyle(body: Json, cfg: SystemPromptConfig): Json {
  if (cfg.mode === "replace") {
    const { instructions: _dropped, ...rest } = body;
    return cfg.prompt ? { ...rest, instructions: cfg.prompt } : rest;
  }
  if (!cfg.prompt) return body;
  return { ...body, instructions: joinText(typeof body.instructions === "string" ? body.instructions : "", cfg.prompt, cfg.mode) };
}

/** The client's own body with the prompt placed; the original object is left untouched. */
export function systemPromptRaw(format: UpstreamFormat, body: Json, cfg: SystemPromptConfig): Json {
  switch (format) {
    case "openai":
      return messagesStyle(body, cfg, false);
    case "openai-responses":
      return instructionsStyle(body, cfg);
    case "ollama":
      return messagesStyle(body, cfg, true);
    case "anthropic":
      return anthropicStyle(body, cfg);
    case "gemini":
      return geminiStyle(body, cfg);
  }
}
