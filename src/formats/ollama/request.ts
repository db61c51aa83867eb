// Ollama /api/chat requests ↔ canonical. Shapes from Ollama's docs/api.md ("Generate a chat
// completion") and api/types.go: string content, bare-base64 `images`, tool calls with
// OBJECT arguments and no ids, tool results as role "tool" messages naming the function
// (`tool_name`), sampling in `options`, `format` for JSON mode / structured outputs, and
// `think` for reasoning models. Streaming is on unless `stream: false`.
import { z } from "zod";
import { GatewayError } from "../../errors.ts";
import {
  effortFromBudget,
  parseArguments,
  type CanonicalMessage,
  type CanonicalRequest,
  type CanonicalTool,
  type ContentPart,
  type ReasoningEffort,
} from "../canonical.ts";
import type { UpstreamRequest } from "../types.ts";
import { imageSourceFromOllama } from "./images.ts";
import { argumentsText, newToolCallId, type OllamaMessage, type OllamaToolCall } from "./wire.ts";

const ToolCallSchema = z.looseObject({
  id: z.string().nullish(),
  function: z.looseObject({ name: z.string().min(1, "tool call function.name is required"), arguments: z.unknown() }),
});

const MessageSchema = z.looseObject({
  role: z.string().min(1, "role is required"),
  // Ollama takes a string; OpenAI-style part arrays are tolerated (their text is used).
  content: z.unknown(),
  images: z.array(z.string()).nullish(),
  thinking: z.string().nullish(),
  tool_calls: z.array(ToolCallSchema).nullish(),
  tool_name: z.string().nullish(),
  tool_call_id: z.string().nullish(),
});

export const OllamaChatRequestSchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  messages: z.array(MessageSchema).min(1, "messages must be a non-empty array"),
  tools: z
    .array(z.looseObject({ type: z.string().nullish(), function: z.looseObject({ name: z.string().min(1), description: z.string().nullish(), parameters: z.unknown() }) }))
    .nullish(),
  format: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  options: z.record(z.string(), z.unknown()).nullish(),
  stream: z.boolean().nullish(),
  think: z.union([z.boolean(), z.string()]).nullish(),
});

type ParsedMessage = z.infer<typeof MessageSchema>;

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((p: any) => (typeof p === "string" ? p : p && typeof p.text === "string" ? p.text : ""))
      .filter(Boolean)
      .join("\n");
  }
  return "";
}

const EFFORTS: Record<string, ReasoningEffort> = { low: "low", medium: "medium", high: "high" };

function validationError(issues: z.core.$ZodIssue[]): GatewayError {
  const first = issues[0]!;
  const field = first.path.join(".");
  return new GatewayError(400, "invalid_request", field ? `${field}: ${first.message}` : first.message, {
    param: field || undefined,
    validation: issues.map((i) => ({ field: i.path.join("."), message: i.message })),
  });
}

/** Ollama /api/chat body → canonical request. Throws a 400 GatewayError when unusable. */
export function ollamaRequestToCanonical(body: unknown): CanonicalRequest {
  const parsed = OllamaChatRequestSchema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const b = parsed.data;

  const system: ContentPart[] = [];
  const messages: CanonicalMessage[] = [];
  const push = (role: "user" | "assistant", parts: ContentPart[]) => {
    if (parts.length === 0) return;
    const last = messages.at(-1);
    // Canonical turns alternate: consecutive same-role messages merge.
    if (last && last.role === role) last.content.push(...parts);
    else messages.push({ role, content: parts });
  };

  // Tool calls of the latest assistant turn still waiting for their result. Ollama pairs a
  // result with its call by function name only, so a role "tool" message takes the earliest
  // unanswered call with the same `tool_name` (or simply the next one when it names none).
  let pending: { id: string; name: string }[] = [];
  let previousRole = "";

  for (const m of b.messages) {
    const role = m.role;
    if (role === "system" || role === "developer") {
      const text = contentText(m.content);
      if (text) system.push({ type: "text", text });
    } else if (role === "assistant") {
      if (previousRole !== "assistant") pending = [];
      push("assistant", assistantParts(m, pending));
    } else if (role === "tool") {
      push("user", [toolResultPart(m, pending)]);
    } else {
      // "user", and any role Ollama's templates would not know, is user input.
      push("user", userParts(m));
    }
    previousRole = role;
  }

  const req: CanonicalRequest = {
    model: b.model,
    system,
    messages,
    // Ollama streams by default: only an explicit false turns it off (docs/api.md).
    stream: b.stream !== false,
  };

  if (b.tools?.length) {
    req.tools = b.tools.map(
      (t): CanonicalTool => ({
        name: t.function.name,
        ...(t.function.description ? { description: t.function.description } : {}),
        parameters:
          t.function.parameters && typeof t.function.parameters === "object"
            ? (t.function.parameters as Record<string, unknown>)
            : { type: "object", properties: {} },
      }),
    );
  }

  if (b.format === "json") req.responseFormat = { type: "json_object" };
  else if (b.format && typeof b.format === "object") req.responseFormat = { type: "json_schema", schema: b.format };

  const o = b.options ?? {};
  if (num(o.temperature) !== undefined) req.temperature = num(o.temperature);
  if (num(o.top_p) !== undefined) req.topP = num(o.top_p);
  if (num(o.top_k) !== undefined) req.topK = num(o.top_k);
  // num_predict: -1 means "no limit" and -2 "fill the context"; neither is a max_tokens.
  const numPredict = num(o.num_predict);
  if (numPredict !== undefined && numPredict > 0) req.maxTokens = Math.floor(numPredict);
  if (typeof o.stop === "string") req.stop = [o.stop];
  else if (Array.isArray(o.stop)) {
    const stop = o.stop.filter((s): s is string => typeof s === "string");
    if (stop.length) req.stop = stop;
  }
  if (num(o.seed) !== undefined) req.seed = num(o.seed);
  if (num(o.presence_penalty) !== undefined) req.presencePenalty = num(o.presence_penalty);
  if (num(o.frequency_penalty) !== undefined) req.frequencyPenalty = num(o.frequency_penalty);
  // num_ctx (context window), num_gpu, repeat_penalty, mirostat… configure a local llama.cpp
  // runner; no hosted provider has an equivalent, so they are dropped. So is keep_alive
  // (how long Ollama keeps the model loaded).

  if (b.think === true) req.reasoning = { enabled: true };
  else if (b.think === false) req.reasoning = { enabled: false };
  else if (typeof b.think === "string" && EFFORTS[b.think]) req.reasoning = { enabled: true, effort: EFFORTS[b.think] };
  return req;
}

function userParts(m: ParsedMessage): ContentPart[] {
  const parts: ContentPart[] = [];
  // Ollama's templates place a message's images before its text; keep that order.
  for (const image of m.images ?? []) parts.push({ type: "image", source: imageSourceFromOllama(image) });
  const text = contentText(m.content);
  if (text) parts.push({ type: "text", text });
  return parts;
}

function assistantParts(m: ParsedMessage, pending: { id: string; name: string }[]): ContentPart[] {
  const parts: ContentPart[] = [];
  if (m.thinking) parts.push({ type: "thinking", text: m.thinking });
  const text = contentText(m.content);
  if (text) parts.push({ type: "text", text });
  for (const call of m.tool_calls ?? []) {
    const id = call.id || newToolCallId();
    pending.push({ id, name: call.function.name });
    parts.push({ type: "tool_call", id, name: call.function.name, arguments: argumentsText(call.function.arguments) });
  }
  return parts;
}

function toolResultPart(m: ParsedMessage, pending: { id: string; name: string }[]): ContentPart {
  const text = contentText(m.content);
  const name = m.tool_name || undefined;
  let at = m.tool_call_id ? pending.findIndex((p) => p.id === m.tool_call_id) : -1;
  if (at < 0 && name) at = pending.findIndex((p) => p.name === name);
  // No id, and no call of that name (or no name at all): the next unanswered call. A call
  // left without a result is as fatal upstream as a result without a call (Anthropic 400s
  // on both), so a result is never left unpaired while a call is waiting.
  if (at < 0) at = 0;
  if (at >= pending.length) {
    // A result for no call at all. Every provider rejects an orphan tool result
    // (Anthropic, OpenAI: 400), so keep its text as ordinary user input instead.
    return { type: "text", text: name ? `Result of tool ${name}: ${text}` : text };
  }
  const [call] = pending.splice(at, 1);
  const content: ContentPart[] = [{ type: "text", text }];
  for (const image of m.images ?? []) content.push({ type: "image", source: imageSourceFromOllama(image) });
  // The call's own name: Gemini's functionResponse must repeat the functionCall's name.
  return { type: "tool_result", toolCallId: call!.id, name: call!.name, content };
}

// ---------------------------------------------------------------------------------------
// canonical → Ollama (the gateway calling an Ollama server)

/** Text for Ollama's string-only content; media it cannot take is described, not dropped silently. */
function ollamaContent(parts: ContentPart[]): { content: string; images: string[] } {
  const texts: string[] = [];
  const images: string[] = [];
  for (const p of parts) {
    if (p.type === "text") texts.push(p.text);
    else if (p.type === "image") {
      if (p.source.kind === "base64") images.push(p.source.data);
      else {
        const data = /^data:[^,]*;base64,(.*)$/s.exec(p.source.url);
        // Ollama only accepts inline base64 images and never fetches URLs; the gateway does
        // no I/O while translating, so the model gets the URL as text instead.
        if (data) images.push(data[1]!);
        else texts.push(`[image: ${p.source.url}]`);
      }
    } else if (p.type === "document") {
      const label = p.title ? ` ${p.title}` : "";
      if (p.source.kind === "base64" && /^text\//.test(p.source.mediaType)) {
        texts.push(new TextDecoder().decode(Uint8Array.from(atob(p.source.data), (c) => c.charCodeAt(0))));
      } else if (p.source.kind === "url") texts.push(`[document${label}: ${p.source.url}]`);
      // Ollama has no document input (PDFs etc.); say so rather than pretend it was read.
      else texts.push(`[document${label} (${p.source.mediaType}) omitted: not supported by Ollama]`);
    }
  }
  return { content: texts.join("\n"), images };
}

function thinkValue(req: CanonicalRequest, model: string): boolean | string | undefined {
  const r = req.reasoning;
  if (!r) return undefined;
  if (r.enabled === false) return false;
  // GPT-OSS ignores true/false and wants a level (docs "Thinking"); every other thinking
  // model takes a boolean, so levels are only sent where they mean something.
  if (/gpt-oss/i.test(model)) {
    const effort = r.effort ?? (r.budgetTokens !== undefined ? effortFromBudget(r.budgetTokens) : "medium");
    return effort === "minimal" ? "low" : effort;
  }
  return r.enabled === true || r.effort !== undefined || (r.budgetTokens ?? 0) > 0 ? true : undefined;
}

/** Canonical request → POST /api/chat body for an Ollama upstream. */
export function canonicalToOllamaRequest(req: CanonicalRequest, model: string): UpstreamRequest {
  const messages: OllamaMessage[] = [];
  const systemText = req.system
    .filter((p) => p.type === "text")
    .map((p) => (p as { text: string }).text)
    .join("\n\n");
  if (systemText) messages.push({ role: "system", content: systemText });

  // A tool result names its function in Ollama; canonical results carry the call id, so
  // look the name up from the call earlier in the conversation when the result has none.
  const callNames = new Map<string, string>();

  for (const m of req.messages) {
    if (m.role === "assistant") {
      const texts: string[] = [];
      const thinking: string[] = [];
      const calls: OllamaToolCall[] = [];
      for (const p of m.content) {
        if (p.type === "text") texts.push(p.text);
        else if (p.type === "thinking") thinking.push(p.text);
        else if (p.type === "tool_call") {
          callNames.set(p.id, p.name);
          calls.push({ function: { name: p.name, arguments: parseArguments(p.arguments) } });
        }
        // redacted_thinking (and signatures) are Anthropic-only and mean nothing to Ollama.
      }
      const msg: OllamaMessage = { role: "assistant", content: texts.join("") };
      if (thinking.length) msg.thinking = thinking.join("");
      if (calls.length) msg.tool_calls = calls;
      messages.push(msg);
      continue;
    }
    // Tool results first, one role "tool" message each and in order, right after the
    // assistant message with the calls; then whatever else the user said.
    const rest: ContentPart[] = [];
    for (const p of m.content) {
      if (p.type !== "tool_result") {
        rest.push(p);
        continue;
      }
      const { content, images } = ollamaContent(p.content);
      const msg: OllamaMessage = { role: "tool", content };
      const name = p.name ?? callNames.get(p.toolCallId);
      if (name) msg.tool_name = name;
      if (images.length) msg.images = images;
      messages.push(msg);
    }
    if (rest.length) {
      const { content, images } = ollamaContent(rest);
      const msg: OllamaMessage = { role: "user", content };
      if (images.length) msg.images = images;
      messages.push(msg);
    }
  }

  const body: Record<string, unknown> = { model, messages, stream: req.stream };

  // Ollama has no tool_choice; "none" is honoured by not offering the tools at all.
  if (req.tools?.length && req.toolChoice?.type !== "none") {
    body.tools = req.tools.map((t) => ({
      type: "function",
      function: { name: t.name, description: t.description ?? "", parameters: t.parameters },
    }));
  }

  if (req.responseFormat?.type === "json_object") body.format = "json";
  else if (req.responseFormat?.type === "json_schema") body.format = req.responseFormat.schema;

  const options: Record<string, unknown> = {};
  if (req.temperature !== undefined) options.temperature = req.temperature;
  if (req.topP !== undefined) options.top_p = req.topP;
  if (req.topK !== undefined) options.top_k = req.topK;
  if (req.maxTokens !== undefined) options.num_predict = req.maxTokens;
  if (req.stop?.length) options.stop = req.stop;
  if (req.seed !== undefined) options.seed = req.seed;
  if (req.presencePenalty !== undefined) options.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) options.frequency_penalty = req.frequencyPenalty;
  if (Object.keys(options).length) body.options = options;

  const think = thinkValue(req, model);
  if (think !== undefined) body.think = think;

  return { path: "/api/chat", body };
}
