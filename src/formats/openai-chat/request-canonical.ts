// Chat Completions request → canonical request. Liberal on input: accepts everything the
// OpenAI SDKs and the common clients send (string or multi-part content, legacy
// `functions`/`function_call`, DeepSeek/OpenRouter `reasoning_content`/`reasoning` on
// assistant turns, OpenRouter's `reasoning` request object). Refuses, with a 400 that says
// why, only what the gateway cannot carry to another provider format.
import { badRequest, GatewayError } from "../../errors.ts";
import type { CanonicalMessage, CanonicalRequest, CanonicalTool, ContentPart, MediaSource, ReasoningEffort, ToolChoice } from "../canonical.ts";
import { newToolCallId } from "./ids.ts";
import { ChatRequestSchema } from "./request.ts";
import { reasoningOf } from "./response.ts";

type Json = Record<string, any>;

const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** `data:<media type>;base64,<data>` → base64 source; anything else → URL source. */
export function mediaSourceFromUrl(url: string): MediaSource {
  const m = /^data:([^;,]*)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  if (m) return { kind: "base64", mediaType: m[1] || "application/octet-stream", data: m[2]! };
  return { kind: "url", url };
}

function guessMediaType(filename: string | undefined): string {
  const ext = filename?.split(".").pop()?.toLowerCase();
  const table: Record<string, string> = { pdf: "application/pdf", txt: "text/plain", md: "text/markdown", csv: "text/csv", json: "application/json", html: "text/html" };
  return (ext && table[ext]) || "application/pdf";
}

/** Reads one content part of a user/system/tool message. Returns null for parts dropped on purpose. */
function readPart(part: unknown, where: string): ContentPart | null {
  if (typeof part === "string") return { type: "text", text: part };
  if (!isObj(part)) throw badRequest(`${where}: each content part must be an object`, where);
  switch (part.type) {
    case "text":
      return { type: "text", text: typeof part.text === "string" ? part.text : "" };
    case "refusal":
      return { type: "text", text: typeof part.refusal === "string" ? part.refusal : "" };
    case "image_url": {
      // The SDK sends {image_url:{url,detail}}; some clients send the URL as a bare string.
      const img = typeof part.image_url === "string" ? { url: part.image_url } : part.image_url;
      if (!isObj(img) || typeof img.url !== "string") throw badRequest(`${where}: image_url.url is required`, where);
      const out: ContentPart = { type: "image", source: mediaSourceFromUrl(img.url) };
      if (typeof img.detail === "string") out.detail = img.detail;
      return out;
    }
    case "input_audio":
      // Audio input has no equivalent in Anthropic or the canonical form; the text around it
      // still goes through (see readMessageContent for a message that was only audio).
      return null;
    case "file": {
      const f = isObj(part.file) ? part.file : {};
      if (typeof f.file_data === "string" && f.file_data) {
        const src = mediaSourceFromUrl(f.file_data);
        const source: MediaSource = src.kind === "base64" ? src : { kind: "base64", mediaType: guessMediaType(f.filename), data: f.file_data };
        const out: ContentPart = { type: "document", source };
        if (typeof f.filename === "string") out.title = f.filename;
        return out;
      }
      // file_id points into OpenAI's own file storage, which no other provider can read.
      throw badRequest(`${where}: file parts need file_data; file_id references cannot be forwarded to other providers`, where);
    }
    default:
      return null;
  }
}

function readMessageContent(content: unknown, where: string): ContentPart[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) throw badRequest(`${where}.content must be a string or an array of content parts`, `${where}.content`);
  const parts: ContentPart[] = [];
  let dropped = 0;
  content.forEach((p, j) => {
    const part = readPart(p, `${where}.content.${j}`);
    if (part) parts.push(part);
    else dropped++;
  });
  if (parts.length === 0 && dropped > 0) {
    throw badRequest(`${where}: audio (input_audio) and other non-text parts cannot be translated for this provider`, `${where}.content`);
  }
  return parts;
}

function argumentsText(args: unknown): string {
  if (typeof args === "string") return args;
  if (args === undefined || args === null) return "";
  return JSON.stringify(args);
}

/** Tool results first: Anthropic requires them at the start of the user turn that answers. */
function toolResultsFirst(parts: ContentPart[]): ContentPart[] {
  return [...parts.filter((p) => p.type === "tool_result"), ...parts.filter((p) => p.type !== "tool_result")];
}

function readMessages(raw: Json[]): { system: ContentPart[]; messages: CanonicalMessage[] } {
  const system: ContentPart[] = [];
  const out: CanonicalMessage[] = [];
  const toolNames = new Map<string, string>();
  // Legacy function_call has no id: pair each `function` result with the oldest open call of that name.
  const openLegacy = new Map<string, string[]>();

  const push = (role: CanonicalMessage["role"], content: ContentPart[]) => {
    if (content.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else out.push({ role, content });
  };

  raw.forEach((m, i) => {
    const where = `messages.${i}`;
    switch (m.role) {
      case "system":
      case "developer":
        // Mid-conversation system messages are hoisted: every other format has one system slot.
        system.push(...readMessageContent(m.content, where).filter((p) => p.type === "text"));
        return;
      case "user":
        push("user", readMessageContent(m.content, where));
        return;
      case "assistant": {
        const parts: ContentPart[] = [];
        const thinking = reasoningOf(m);
        if (thinking) parts.push({ type: "thinking", text: thinking });
        parts.push(...readMessageContent(m.content, where).filter((p) => p.type === "text" && p.text));
        if (Array.isArray(m.tool_calls)) {
          m.tool_calls.forEach((tc: unknown, j: number) => {
            if (!isObj(tc)) throw badRequest(`${where}.tool_calls.${j} must be an object`, `${where}.tool_calls.${j}`);
            const fn = isObj(tc.function) ? tc.function : {};
            if (typeof fn.name !== "string" || !fn.name) throw badRequest(`${where}.tool_calls.${j}.function.name is required`, `${where}.tool_calls.${j}.function.name`);
            const id = typeof tc.id === "string" && tc.id ? tc.id : newToolCallId();
            toolNames.set(id, fn.name);
            parts.push({ type: "tool_call", id, name: fn.name, arguments: argumentsText(fn.arguments) });
          });
        } else if (isObj(m.function_call) && typeof m.function_call.name === "string") {
          const id = newToolCallId();
          const name = m.function_call.name;
          toolNames.set(id, name);
          openLegacy.set(name, [...(openLegacy.get(name) ?? []), id]);
          parts.push({ type: "tool_call", id, name, arguments: argumentsText(m.function_call.arguments) });
        }
        push("assistant", parts);
        return;
      }
      case "tool": {
        if (typeof m.tool_call_id !== "string" || !m.tool_call_id) throw badRequest(`${where}.tool_call_id is required for role "tool"`, `${where}.tool_call_id`);
        const part: ContentPart = { type: "tool_result", toolCallId: m.tool_call_id, content: readMessageContent(m.content, where) };
        const name = toolNames.get(m.tool_call_id);
        if (name) part.name = name;
        push("user", [part]);
        const last = out[out.length - 1]!;
        last.content = toolResultsFirst(last.content);
        return;
      }
      case "function": {
        const name = typeof m.name === "string" ? m.name : "";
        const queue = openLegacy.get(name) ?? [];
        const id = queue.shift() ?? newToolCallId();
        const part: ContentPart = { type: "tool_result", toolCallId: id, content: readMessageContent(m.content, where) };
        if (name) part.name = name;
        push("user", [part]);
        const last = out[out.length - 1]!;
        last.content = toolResultsFirst(last.content);
        return;
      }
      default:
        throw badRequest(`${where}.role "${String(m.role)}" is not one of system, developer, user, assistant, tool, function`, `${where}.role`);
    }
  });
  return { system, messages: out };
}

function readTools(body: Json): CanonicalTool[] | undefined {
  const tools: CanonicalTool[] = [];
  const add = (fn: Json, where: string) => {
    if (typeof fn.name !== "string" || !fn.name) throw badRequest(`${where}.name is required`, `${where}.name`);
    // OpenAI allows omitting parameters (a function without arguments); Anthropic and Gemini need a schema.
    const tool: CanonicalTool = { name: fn.name, parameters: isObj(fn.parameters) ? fn.parameters : { type: "object", properties: {} } };
    if (typeof fn.description === "string") tool.description = fn.description;
    tools.push(tool);
  };
  if (Array.isArray(body.tools)) {
    body.tools.forEach((t: unknown, i: number) => {
      if (!isObj(t)) throw badRequest(`tools.${i} must be an object`, `tools.${i}`);
      // Only plain functions translate; `custom` (grammar) tools have no equivalent elsewhere.
      if (t.type !== undefined && t.type !== "function") throw badRequest(`tools.${i}.type "${String(t.type)}" cannot be translated; only "function" tools are supported`, `tools.${i}.type`);
      add(isObj(t.function) ? t.function : {}, `tools.${i}.function`);
    });
  } else if (Array.isArray(body.functions)) {
    body.functions.forEach((f: unknown, i: number) => add(isObj(f) ? f : {}, `functions.${i}`));
  }
  return tools.length ? tools : undefined;
}

function readToolChoice(body: Json): ToolChoice | undefined {
  const c = body.tool_choice ?? body.function_call;
  if (c === "auto" || c === "none" || c === "required") return { type: c };
  if (isObj(c)) {
    const name = isObj(c.function) ? c.function.name : c.name;
    if (typeof name === "string" && name) return { type: "tool", name };
    // {type:"allowed_tools", allowed_tools:{mode}}: the mode is the part every format can express.
    const mode = isObj(c.allowed_tools) ? c.allowed_tools.mode : undefined;
    if (mode === "auto" || mode === "required") return { type: mode };
  }
  return undefined;
}

const EFFORTS: Record<string, ReasoningEffort> = { minimal: "minimal", low: "low", medium: "medium", high: "high", xhigh: "high" };

function readReasoning(body: Json): CanonicalRequest["reasoning"] {
  if (typeof body.reasoning_effort === "string") {
    if (body.reasoning_effort === "none") return { enabled: false };
    const effort = EFFORTS[body.reasoning_effort];
    if (effort) return { effort };
  }
  // OpenRouter's unified form: reasoning:{effort?, max_tokens?, enabled?}.
  if (isObj(body.reasoning)) {
    const r = body.reasoning;
    const out: NonNullable<CanonicalRequest["reasoning"]> = {};
    if (typeof r.effort === "string" && EFFORTS[r.effort]) out.effort = EFFORTS[r.effort];
    if (num(r.max_tokens) !== undefined) out.budgetTokens = r.max_tokens;
    if (typeof r.enabled === "boolean") out.enabled = r.enabled;
    if (Object.keys(out).length) return out;
  }
  return undefined;
}

function readResponseFormat(rf: unknown): CanonicalRequest["responseFormat"] {
  if (!isObj(rf)) return undefined;
  if (rf.type === "text" || rf.type === "json_object") return { type: rf.type };
  if (rf.type === "json_schema" && isObj(rf.json_schema)) {
    const js = rf.json_schema;
    const out: CanonicalRequest["responseFormat"] = { type: "json_schema", schema: isObj(js.schema) ? js.schema : {} };
    if (typeof js.name === "string") out.name = js.name;
    if (typeof js.strict === "boolean") out.strict = js.strict;
    return out;
  }
  return undefined;
}

export function openAiChatRequestToCanonical(body: unknown): CanonicalRequest {
  if (!isObj(body)) throw new GatewayError(400, "invalid_request", "Request body must be a JSON object.");
  const parsed = ChatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join(".");
    throw badRequest(param ? `Invalid '${param}': ${issue.message}` : issue.message, param || undefined);
  }
  const b = body as Json;
  if (num(b.n) !== undefined && b.n > 1) {
    throw badRequest("n > 1 is not supported: the gateway returns a single choice per request.", "n");
  }
  b.messages.forEach((m: unknown, i: number) => {
    if (!isObj(m)) throw badRequest(`messages.${i} must be an object`, `messages.${i}`);
  });

  const { system, messages } = readMessages(b.messages);
  const stream = b.stream === true;
  const req: CanonicalRequest = { model: b.model, system, messages, stream };

  const tools = readTools(b);
  if (tools) req.tools = tools;
  const toolChoice = readToolChoice(b);
  if (toolChoice) req.toolChoice = toolChoice;
  if (typeof b.parallel_tool_calls === "boolean") req.parallelToolCalls = b.parallel_tool_calls;

  // max_completion_tokens replaced max_tokens (which o-series models refuse); accept both.
  const maxTokens = num(b.max_completion_tokens) ?? num(b.max_tokens);
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  if (num(b.temperature) !== undefined) req.temperature = b.temperature;
  if (num(b.top_p) !== undefined) req.topP = b.top_p;
  // top_k is not OpenAI's, but vLLM/OpenRouter clients send it and Anthropic/Gemini take it.
  if (num(b.top_k) !== undefined) req.topK = b.top_k;
  if (typeof b.stop === "string") req.stop = [b.stop];
  else if (Array.isArray(b.stop)) {
    const stop = b.stop.filter((s: unknown): s is string => typeof s === "string");
    if (stop.length) req.stop = stop;
  }
  if (num(b.seed) !== undefined) req.seed = b.seed;
  if (num(b.presence_penalty) !== undefined) req.presencePenalty = b.presence_penalty;
  if (num(b.frequency_penalty) !== undefined) req.frequencyPenalty = b.frequency_penalty;
  const reasoning = readReasoning(b);
  if (reasoning) req.reasoning = reasoning;
  const responseFormat = readResponseFormat(b.response_format);
  if (responseFormat) req.responseFormat = responseFormat;
  if (typeof b.user === "string") req.user = b.user;
  // stream_options only means something with stream:true (OpenAI rejects it otherwise).
  if (stream) req.includeUsage = isObj(b.stream_options) && b.stream_options.include_usage === true;

  // Dropped on purpose: logprobs/top_logprobs (no other provider format returns token
  // log-probabilities, and the translated answer could not carry them back), plus
  // audio/modalities/prediction/store/metadata/service_tier, which are OpenAI-platform features.
  return req;
}
