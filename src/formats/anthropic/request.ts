// Anthropic Messages requests (docs.anthropic.com/en/api/messages) ↔ canonical.
// Reading is liberal (string or block content, every block type a client sends, stray
// `system` roles); the writer for Anthropic upstreams lives in request-writer.ts and is
// re-exported here so both directions are imported from one place.
import { z } from "zod";
import { GatewayError } from "../../errors.ts";
import type {
  CacheControl,
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  MediaSource,
  ReasoningEffort,
  Role,
  ToolChoice,
} from "../canonical.ts";
import { dataUrlSource, utf8ToBase64 } from "./media.ts";

export { canonicalToAnthropicRequest, ANTHROPIC_MESSAGES_PATH, DEFAULT_MAX_TOKENS } from "./request-writer.ts";

type Block = Record<string, any>;

const required = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? "Field required" : `Input should be ${what}`);

/** Only what translation relies on is checked; everything else is read liberally below. */
export const AnthropicRequestSchema = z.looseObject({
  model: z.string({ error: required("a valid string") }).min(1, "model is required"),
  messages: z.array(
    z.looseObject({
      role: z.string({ error: required("a valid string") }),
      content: z.union([z.string(), z.array(z.unknown())], { error: required("a valid string or a list of content blocks") }),
    }),
    { error: required("a valid list") },
  ),
  system: z.union([z.string(), z.array(z.unknown())]).nullish(),
  max_tokens: z.number().nullish(),
  tools: z.array(z.unknown()).nullish(),
  stream: z.boolean().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().nullish(),
});

export type AnthropicRequestBody = z.infer<typeof AnthropicRequestSchema>;

function validate(body: unknown): AnthropicRequestBody {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new GatewayError(400, "invalid_request", "Request body must be a JSON object.");
  }
  const result = AnthropicRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.join(".");
  throw new GatewayError(400, "invalid_request", param ? `${param}: ${issue.message}` : issue.message, { param });
}

export function cacheControlOf(b: Block | null | undefined): CacheControl | undefined {
  const cc = b?.cache_control;
  if (!cc || typeof cc !== "object" || typeof cc.type !== "string") return undefined;
  return typeof cc.ttl === "string" ? { type: cc.type, ttl: cc.ttl } : { type: cc.type };
}

function withCache<T extends ContentPart>(part: T, b: Block): T {
  const cc = cacheControlOf(b);
  return cc ? { ...part, cacheControl: cc } : part;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function imageSource(src: Block | undefined): MediaSource | null {
  if (!src || typeof src !== "object") return null;
  if (src.type === "base64" && typeof src.data === "string") return { kind: "base64", mediaType: str(src.media_type) ?? "image/png", data: src.data };
  if (src.type === "url" && typeof src.url === "string") return dataUrlSource(src.url) ?? { kind: "url", url: src.url };
  // `file` sources (Files API ids) only mean something to Anthropic itself (pass-through).
  return null;
}

/**
 * Documents: base64 PDFs stay base64; plain-text and content-block documents become a
 * text/plain base64 document (canonical has no text source; the Anthropic writer turns it
 * back into a `text` source, other writers can decode it); URL documents are PDFs.
 */
function documentSource(src: Block | undefined): MediaSource | null {
  if (!src || typeof src !== "object") return null;
  if (src.type === "base64" && typeof src.data === "string") return { kind: "base64", mediaType: str(src.media_type) ?? "application/pdf", data: src.data };
  if (src.type === "text" && typeof src.data === "string") return { kind: "base64", mediaType: str(src.media_type) ?? "text/plain", data: utf8ToBase64(src.data) };
  if (src.type === "url" && typeof src.url === "string") return dataUrlSource(src.url) ?? { kind: "url", url: src.url, mediaType: "application/pdf" };
  if (src.type === "content") {
    const text =
      typeof src.content === "string"
        ? src.content
        : Array.isArray(src.content)
          ? src.content.filter((b: Block) => b?.type === "text" && typeof b.text === "string").map((b: Block) => b.text).join("\n")
          : "";
    return { kind: "base64", mediaType: "text/plain", data: utf8ToBase64(text) };
  }
  return null;
}

interface ReadContext {
  /** tool_use id → tool name, so tool results can carry the name (Gemini/Ollama need it). */
  toolNames: Map<string, string>;
}

function toolResultContent(content: unknown, ctx: ReadContext): ContentPart[] {
  return partsFromBlocks(content, ctx).filter((p) => p.type === "text" || p.type === "image" || p.type === "document");
}

export function partsFromBlocks(content: unknown, ctx: ReadContext = { toolNames: new Map() }): ContentPart[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) return [];
  const parts: ContentPart[] = [];
  for (const b of content as Block[]) {
    if (typeof b === "string") {
      if (b) parts.push({ type: "text", text: b });
      continue;
    }
    if (!b || typeof b !== "object") continue;
    switch (b.type) {
      case "text":
        if (typeof b.text === "string") parts.push(withCache({ type: "text", text: b.text }, b));
        break;
      case "image": {
        const source = imageSource(b.source);
        if (source) parts.push(withCache({ type: "image", source }, b));
        break;
      }
      case "document": {
        const source = documentSource(b.source);
        if (source) parts.push(withCache({ type: "document", source, ...(typeof b.title === "string" ? { title: b.title } : {}) }, b));
        break;
      }
      case "tool_use": {
        const id = String(b.id ?? "");
        const name = String(b.name ?? "");
        ctx.toolNames.set(id, name);
        const args = typeof b.input === "string" ? b.input : JSON.stringify(b.input ?? {});
        parts.push({ type: "tool_call", id, name, arguments: args });
        break;
      }
      case "tool_result": {
        const toolCallId = String(b.tool_use_id ?? "");
        const name = ctx.toolNames.get(toolCallId);
        const part: ContentPart = { type: "tool_result", toolCallId, content: toolResultContent(b.content, ctx) };
        if (name) part.name = name;
        if (b.is_error === true) part.isError = true;
        parts.push(withCache(part, b));
        break;
      }
      case "thinking":
        parts.push({ type: "thinking", text: str(b.thinking) ?? "", ...(typeof b.signature === "string" && b.signature ? { signature: b.signature } : {}) });
        break;
      case "redacted_thinking":
        if (typeof b.data === "string") parts.push({ type: "redacted_thinking", data: b.data });
        break;
      // server_tool_use, web_search_tool_result, search_result, container_upload, mcp_*:
      // only Anthropic can act on them, and it receives them untouched on pass-through.
    }
  }
  return parts;
}

function pushMerged(messages: CanonicalMessage[], role: Role, parts: ContentPart[]): void {
  if (parts.length === 0) return;
  const last = messages.at(-1);
  if (last && last.role === role) last.content.push(...parts);
  else messages.push({ role, content: parts });
}

/**
 * Server tools (web_search_20250305, bash_*, text_editor_*, computer_*, code_execution_*…)
 * carry a `type` and run on Anthropic's side; they are not functions another provider could
 * call, so they stay out of canonical tools. The pipeline must pass them through only on
 * same-format (Anthropic → Anthropic) routes, where the client's body goes up unchanged.
 */
export function isServerTool(t: Block): boolean {
  return typeof t?.type === "string" && t.type !== "custom";
}

function readTools(tools: unknown): CanonicalTool[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  const out: CanonicalTool[] = [];
  for (const t of tools as Block[]) {
    if (!t || typeof t !== "object" || isServerTool(t) || typeof t.name !== "string") continue;
    const tool: CanonicalTool = {
      name: t.name,
      parameters: t.input_schema && typeof t.input_schema === "object" ? t.input_schema : { type: "object", properties: {} },
    };
    if (typeof t.description === "string") tool.description = t.description;
    const cc = cacheControlOf(t);
    if (cc) tool.cacheControl = cc;
    out.push(tool);
  }
  return out.length ? out : undefined;
}

function readToolChoice(tc: Block | undefined): ToolChoice | undefined {
  switch (tc?.type) {
    case "auto":
      return { type: "auto" };
    case "any":
      return { type: "required" };
    case "none":
      return { type: "none" };
    case "tool":
      return typeof tc.name === "string" ? { type: "tool", name: tc.name } : undefined;
  }
  return undefined;
}

const EFFORTS: ReasoningEffort[] = ["minimal", "low", "medium", "high"];

function readReasoning(body: Block): CanonicalRequest["reasoning"] {
  const th = body.thinking;
  const effort = EFFORTS.find((e) => e === body.output_config?.effort);
  let out: CanonicalRequest["reasoning"];
  if (th?.type === "enabled") out = { enabled: true, ...(typeof th.budget_tokens === "number" ? { budgetTokens: th.budget_tokens } : {}) };
  else if (th?.type === "adaptive") out = { enabled: true };
  else if (th?.type === "disabled") out = { enabled: false };
  if (effort) out = { ...out, effort };
  return out;
}

export function anthropicRequestToCanonical(raw: unknown): CanonicalRequest {
  const body = validate(raw) as Block;
  const ctx: ReadContext = { toolNames: new Map() };
  const system: ContentPart[] = partsFromBlocks(body.system, ctx).filter((p) => p.type === "text");
  const messages: CanonicalMessage[] = [];
  for (const m of body.messages as Block[]) {
    const parts = partsFromBlocks(m.content, ctx);
    // Not valid Anthropic, but clients ported from OpenAI send them; they mean system text.
    if (m.role === "system" || m.role === "developer") system.push(...parts.filter((p) => p.type === "text"));
    else pushMerged(messages, m.role === "assistant" ? "assistant" : "user", parts);
  }

  const req: CanonicalRequest = { model: body.model, system, messages, stream: body.stream === true };
  const tools = readTools(body.tools);
  if (tools) req.tools = tools;
  const toolChoice = readToolChoice(body.tool_choice);
  if (toolChoice) req.toolChoice = toolChoice;
  if (body.tool_choice?.disable_parallel_tool_use === true || body.disable_parallel_tool_use === true) req.parallelToolCalls = false;
  if (typeof body.max_tokens === "number") req.maxTokens = body.max_tokens;
  if (typeof body.temperature === "number") req.temperature = body.temperature;
  if (typeof body.top_p === "number") req.topP = body.top_p;
  if (typeof body.top_k === "number") req.topK = body.top_k;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length) req.stop = body.stop_sequences;
  const reasoning = readReasoning(body);
  if (reasoning) req.reasoning = reasoning;
  if (typeof body.metadata?.user_id === "string") req.user = body.metadata.user_id;
  // Anthropic always reports usage in a stream (message_start / message_delta).
  if (req.stream) req.includeUsage = true;
  return req;
}
