// Canonical → Anthropic Messages request body, for Anthropic-format upstreams. The API is
// strict where other formats are lenient, and each rule below exists because breaking it
// gets a 400 (docs.anthropic.com/en/api/messages, .../tool-use, .../extended-thinking):
// turns alternate, each tool_result sits in the user turn right after its tool_use and
// before any other block, text blocks are non-empty, max_tokens is required and exceeds the
// thinking budget, thinking forbids custom temperature/top_k.
import { EFFORT_BUDGET, parseArguments, type CanonicalMessage, type CanonicalRequest, type ContentPart, type MediaSource } from "../canonical.ts";
import { base64ToUtf8, dataUrlSource } from "./media.ts";

export const ANTHROPIC_MESSAGES_PATH = "/messages";
/** max_tokens is required by Anthropic; used when the client gave none. */
export const DEFAULT_MAX_TOKENS = 4096;
/** budget_tokens must be ≥ 1024 (extended-thinking docs). */
const MIN_THINKING_BUDGET = 1024;

type Block = Record<string, unknown>;
type Part<T extends ContentPart["type"]> = Extract<ContentPart, { type: T }>;

export interface AnthropicMessage {
  role: "user" | "assistant";
  content: Block[];
}

function withCache(block: Block, part: { cacheControl?: { type: string; ttl?: string } }): Block {
  if (part.cacheControl) block.cache_control = { ...part.cacheControl };
  return block;
}

/** Tool ids must match ^[a-zA-Z0-9_-]+$; some providers use others (e.g. "functions.get:0"). */
export function anthropicToolId(id: string): string {
  const safe = id.replace(/[^a-zA-Z0-9_-]/g, "_");
  return safe || "toolu_missing_id";
}

function imageBlock(source: MediaSource): Block {
  if (source.kind === "url") {
    const inline = dataUrlSource(source.url);
    if (!inline) return { type: "image", source: { type: "url", url: source.url } };
    source = inline;
  }
  return { type: "image", source: { type: "base64", media_type: source.mediaType, data: source.data } };
}

function documentBlock(part: Part<"document">): Block {
  let source: Block;
  let src = part.source;
  if (src.kind === "url") src = dataUrlSource(src.url) ?? src;
  if (src.kind === "url") source = { type: "url", url: src.url };
  // Anthropic takes base64 only for PDFs; plain text goes as a `text` source.
  else if (src.mediaType.startsWith("text/")) source = { type: "text", media_type: "text/plain", data: base64ToUtf8(src.data) };
  else source = { type: "base64", media_type: src.mediaType, data: src.data };
  const block: Block = { type: "document", source };
  if (part.title) block.title = part.title;
  return withCache(block, part);
}

/** Text, image and document blocks (what user turns and tool results may hold). */
function mediaBlocks(parts: ContentPart[]): Block[] {
  const out: Block[] = [];
  for (const p of parts) {
    if (p.type === "text" && p.text.trim()) out.push(withCache({ type: "text", text: p.text }, p));
    else if (p.type === "image") out.push(withCache(imageBlock(p.source), p));
    else if (p.type === "document") out.push(documentBlock(p));
  }
  return out;
}

function toolResultBlock(p: Part<"tool_result">): Block {
  const block: Block = { type: "tool_result", tool_use_id: anthropicToolId(p.toolCallId) };
  const content = mediaBlocks(p.content);
  if (content.length) block.content = content;
  if (p.isError) block.is_error = true;
  return withCache(block, p);
}

/**
 * A tool result whose tool_use is not in the previous assistant turn (history trimmed by the
 * client, a conversation started on another provider) makes Anthropic answer 400 ("unexpected
 * tool_use_id found in tool_result blocks"); it is kept as text so the model still sees it.
 */
function orphanResultBlocks(p: Part<"tool_result">): Block[] {
  const text = p.content.filter((c): c is Part<"text"> => c.type === "text").map((c) => c.text).join("\n");
  const label = `[Result of tool call ${p.name ? `${p.name} ` : ""}(${p.toolCallId})${p.isError ? ", an error" : ""}]`;
  return [{ type: "text", text: text.trim() ? `${label}\n${text}` : label }, ...mediaBlocks(p.content.filter((c) => c.type !== "text"))];
}

/**
 * A tool_use with no tool_result in the next turn is a 400 too ("tool_use ids were found
 * without tool_result blocks immediately after"); say so explicitly rather than drop the call.
 */
const missingResultBlock = (id: string): Block => ({
  type: "tool_result",
  tool_use_id: id,
  content: [{ type: "text", text: "No result was provided for this tool call." }],
  is_error: true,
});

function assistantBlocks(parts: ContentPart[]): Block[] {
  const out: Block[] = [];
  for (const p of parts) {
    if (p.type === "tool_call") out.push({ type: "tool_use", id: anthropicToolId(p.id), name: p.name, input: parseArguments(p.arguments) });
    else if (p.type === "thinking") out.push({ type: "thinking", thinking: p.text, signature: p.signature });
    else if (p.type === "redacted_thinking") out.push({ type: "redacted_thinking", data: p.data });
    else out.push(...mediaBlocks([p]));
  }
  return out;
}

/** Which parts a turn may carry when sent to Anthropic. */
function keepPart(p: ContentPart, role: CanonicalMessage["role"]): boolean {
  switch (p.type) {
    case "text":
      return p.text.trim() !== "";
    case "image":
    case "document":
      return true;
    case "tool_result":
      return role === "user";
    case "tool_call":
    case "redacted_thinking":
      return role === "assistant";
    case "thinking":
      // Anthropic verifies the signature of every thinking block sent back; unsigned thinking
      // (DeepSeek-style reasoning_content) would be rejected, and the model does not need it.
      return role === "assistant" && !!p.signature;
  }
}

export function anthropicMessages(messages: CanonicalMessage[]): AnthropicMessage[] {
  // Filter, drop empty turns, merge consecutive same-role turns (strict alternation).
  const turns: CanonicalMessage[] = [];
  for (const m of messages) {
    const parts = m.content.filter((p) => keepPart(p, m.role));
    if (!parts.length) continue;
    const last = turns.at(-1);
    if (last && last.role === m.role) last.content = [...last.content, ...parts];
    else turns.push({ role: m.role, content: parts });
  }

  const out: AnthropicMessage[] = [];
  turns.forEach((turn, i) => {
    if (turn.role === "assistant") {
      out.push({ role: "assistant", content: assistantBlocks(turn.content) });
      return;
    }
    const prev = turns[i - 1];
    const expected = prev?.role === "assistant" ? prev.content.filter((p) => p.type === "tool_call").map((p) => anthropicToolId(p.id)) : [];
    const answered = new Set<string>();
    const results: Block[] = [];
    const rest: Block[] = [];
    for (const p of turn.content) {
      if (p.type !== "tool_result") {
        rest.push(...mediaBlocks([p]));
        continue;
      }
      const id = anthropicToolId(p.toolCallId);
      if (expected.includes(id) && !answered.has(id)) {
        answered.add(id);
        results.push(toolResultBlock(p));
      } else rest.push(...orphanResultBlocks(p));
    }
    for (const id of expected) if (!answered.has(id)) results.push(missingResultBlock(id));
    // tool_result blocks must come first in the user turn.
    out.push({ role: "user", content: [...results, ...rest] });
  });
  // An assistant turn with tool calls that ends the conversation gets no placeholders:
  // nothing follows it yet.

  // "final assistant content cannot end with trailing whitespace".
  const last = out.at(-1);
  if (last?.role === "assistant") {
    const tail = last.content.at(-1);
    if (tail?.type === "text") {
      const text = String(tail.text).trimEnd();
      if (text) tail.text = text;
      else last.content.pop();
      if (!last.content.length) out.pop();
    }
  }
  return out;
}

function thinkingBudget(req: CanonicalRequest): number | null {
  const r = req.reasoning;
  if (!r || r.enabled === false || r.budgetTokens === 0) return null;
  if (r.enabled !== true && r.budgetTokens === undefined && r.effort === undefined) return null;
  // "Thinking may not be enabled when tool_choice forces tool use": the forced call wins.
  if (req.toolChoice?.type === "required" || req.toolChoice?.type === "tool") return null;
  const budget = r.budgetTokens ?? EFFORT_BUDGET[r.effort ?? "medium"];
  return Math.max(MIN_THINKING_BUDGET, Math.floor(budget));
}

/** The request body; the adapter sends it to ANTHROPIC_MESSAGES_PATH. */
/**
 * With thinking on, the assistant turn in progress (tool_use answered by the final user turn)
 * must start with its signed thinking block ("a final assistant message must start with a
 * thinking block"). A history from a client format that cannot carry the signature (OpenAI)
 * lacks it, so thinking is left off for that request instead of getting a 400.
 */
function toolTurnLacksThinking(messages: AnthropicMessage[]): boolean {
  const last = messages.at(-1);
  const prev = messages.at(-2);
  if (last?.role !== "user" || prev?.role !== "assistant") return false;
  if (!last.content.some((b) => b.type === "tool_result")) return false;
  const first = prev.content[0]?.type;
  return first !== "thinking" && first !== "redacted_thinking";
}

export function canonicalToAnthropicRequest(req: CanonicalRequest, model: string): Record<string, unknown> {
  const messages = anthropicMessages(req.messages);
  const budget = toolTurnLacksThinking(messages) ? null : thinkingBudget(req);
  let maxTokens = req.maxTokens ?? DEFAULT_MAX_TOKENS;
  // max_tokens must exceed budget_tokens; a client limit at or under the budget (OpenAI's
  // max_completion_tokens counts reasoning) is kept as room for the answer itself.
  if (budget !== null && (req.maxTokens === undefined || maxTokens <= budget)) maxTokens += budget;

  const body: Record<string, unknown> = { model, max_tokens: maxTokens };
  const system = req.system
    .filter((p): p is Part<"text"> => p.type === "text" && p.text.trim() !== "")
    .map((p) => withCache({ type: "text", text: p.text }, p));
  if (system.length) body.system = system;
  body.messages = messages;

  if (req.tools?.length) {
    body.tools = req.tools.map((t) => {
      const schema = t.parameters && typeof t.parameters === "object" ? t.parameters : {};
      const tool: Block = { name: t.name };
      if (t.description) tool.description = t.description;
      // input_schema must be an object schema.
      tool.input_schema = schema.type === undefined ? { type: "object", properties: {}, ...schema } : schema;
      return withCache(tool, t);
    });
    const tc = req.toolChoice;
    let choice: Block | undefined =
      tc?.type === "required" ? { type: "any" } : tc?.type === "tool" ? { type: "tool", name: tc.name } : tc?.type === "none" ? { type: "none" } : tc ? { type: "auto" } : undefined;
    if (req.parallelToolCalls === false && choice?.type !== "none") choice = { ...(choice ?? { type: "auto" }), disable_parallel_tool_use: true };
    if (choice) body.tool_choice = choice;
  }
  // tool_choice without tools is a 400, so it is only sent with tools.

  if (budget !== null) {
    body.thinking = { type: "enabled", budget_tokens: budget };
    // With thinking on, temperature may only be 1, top_p must be ≥ 0.95 and top_k is refused.
    if (req.temperature === 1) body.temperature = 1;
    if (req.topP !== undefined && req.topP >= 0.95) body.top_p = req.topP;
  } else {
    // Anthropic's range is 0–1 (OpenAI's is 0–2).
    if (req.temperature !== undefined) body.temperature = Math.min(1, Math.max(0, req.temperature));
    // Recent models refuse temperature and top_p together; temperature is the one clients mean.
    if (req.topP !== undefined && req.temperature === undefined) body.top_p = req.topP;
    if (req.topK !== undefined) body.top_k = req.topK;
  }
  const stops = req.stop?.filter((s) => s.trim() !== "");
  if (stops?.length) body.stop_sequences = stops;
  if (req.stream) body.stream = true;
  if (req.user) body.metadata = { user_id: req.user };
  return body;
}
