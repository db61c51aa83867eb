// Canonical request → Chat Completions request, for OpenAI-format upstreams (OpenAI itself and
// the OpenAI-compatible crowd: DeepSeek, Groq, OpenRouter, Mistral, vLLM…). Strict on output:
// only fields api.openai.com documents, because OpenAI answers 400 to unknown parameters.
import { badRequest } from "../../errors.ts";
import { effortFromBudget, textOf, type CanonicalMessage, type CanonicalRequest, type ContentPart, type MediaSource } from "../canonical.ts";

type Json = Record<string, any>;

const dataUrl = (s: Extract<MediaSource, { kind: "base64" }>) => `data:${s.mediaType};base64,${s.data}`;

function userPart(p: ContentPart): Json | null {
  switch (p.type) {
    case "text":
      return { type: "text", text: p.text };
    case "image": {
      const image_url: Json = { url: p.source.kind === "base64" ? dataUrl(p.source) : p.source.url };
      if (p.detail) image_url.detail = p.detail;
      return { type: "image_url", image_url };
    }
    case "document": {
      // Chat Completions takes files inline only (file_data) or by OpenAI file id; a URL has no slot.
      if (p.source.kind !== "base64") throw badRequest("A document given by URL cannot be sent to an OpenAI-format provider; send it as base64 data.");
      return { type: "file", file: { filename: p.title ?? "document", file_data: dataUrl(p.source) } };
    }
    default:
      return null;
  }
}

/** Text-only content goes as a plain string: several OpenAI-compatible servers reject part arrays. */
function userContent(parts: Json[]): string | Json[] {
  if (parts.every((p) => p.type === "text")) return parts.map((p) => p.text).join("\n\n");
  return parts;
}

function writeUser(m: CanonicalMessage, out: Json[]): void {
  const rest: Json[] = [];
  for (const p of m.content) {
    if (p.type === "tool_result") {
      // One role:"tool" message per result, in order, right after the assistant's tool_calls.
      // Tool messages carry text only; images/documents a tool returned follow as user content.
      out.push({ role: "tool", tool_call_id: p.toolCallId, content: textOf(p.content) });
      for (const inner of p.content) {
        const part = inner.type === "text" ? null : userPart(inner);
        if (part) rest.push(part);
      }
      continue;
    }
    const part = userPart(p);
    if (part) rest.push(part);
  }
  if (rest.length) out.push({ role: "user", content: userContent(rest) });
}

function writeAssistant(m: CanonicalMessage, out: Json[]): void {
  const text = m.content.filter((p) => p.type === "text").map((p) => (p as { text: string }).text).join("");
  const thinking = m.content.filter((p) => p.type === "thinking").map((p) => (p as { text: string }).text).join("");
  const toolCalls = m.content
    .filter((p): p is Extract<ContentPart, { type: "tool_call" }> => p.type === "tool_call")
    // Empty arguments are not valid JSON and strict servers refuse them; no arguments is {}.
    .map((p) => ({ id: p.id, type: "function", function: { name: p.name, arguments: p.arguments.trim() ? p.arguments : "{}" } }));
  const msg: Json = { role: "assistant", content: text || (toolCalls.length ? null : "") };
  // DeepSeek (thinking mode with tools) requires the reasoning echoed back on the next turn.
  if (thinking) msg.reasoning_content = thinking;
  if (toolCalls.length) msg.tool_calls = toolCalls;
  out.push(msg);
}

/** o-series and gpt-5 models refuse `max_tokens`; most compatible servers only know `max_tokens`. */
function maxTokensField(model: string): "max_tokens" | "max_completion_tokens" {
  return /^(o\d|gpt-5)/i.test(model) ? "max_completion_tokens" : "max_tokens";
}

export function canonicalToOpenAiChatRequest(req: CanonicalRequest, model: string): Json {
  const messages: Json[] = [];
  // One system message: several compatible servers (Mistral-style chat templates) refuse more.
  const systemTexts = req.system.filter((p) => p.type === "text").map((p) => (p as { text: string }).text);
  if (systemTexts.length) messages.push({ role: "system", content: systemTexts.join("\n\n") });
  for (const m of req.messages) {
    if (m.role === "assistant") writeAssistant(m, messages);
    else writeUser(m, messages);
  }

  const body: Json = { model, messages };
  if (req.maxTokens !== undefined) body[maxTokensField(model)] = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  // topK has no Chat Completions parameter (OpenAI answers 400 to unknown ones): dropped.
  if (req.stop?.length) body.stop = req.stop;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty;

  if (req.tools?.length) {
    body.tools = req.tools.map((t) => {
      const fn: Json = { name: t.name };
      if (t.description !== undefined) fn.description = t.description;
      fn.parameters = t.parameters;
      return { type: "function", function: fn };
    });
    // OpenAI refuses parallel_tool_calls without tools.
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }
  // OpenAI refuses tool_choice without tools too (a translated Anthropic request may carry one).
  if (req.toolChoice && body.tools) {
    body.tool_choice = req.toolChoice.type === "tool" ? { type: "function", function: { name: req.toolChoice.name } } : req.toolChoice.type;
  }

  const r = req.reasoning;
  if (r && r.enabled !== false) {
    const effort = r.effort ?? (r.budgetTokens !== undefined ? effortFromBudget(r.budgetTokens) : undefined);
    if (effort) body.reasoning_effort = effort;
  }
  const rf = req.responseFormat;
  if (rf) {
    if (rf.type === "json_schema") {
      const json_schema: Json = { name: rf.name ?? "response", schema: rf.schema };
      if (rf.strict !== undefined) json_schema.strict = rf.strict;
      body.response_format = { type: "json_schema", json_schema };
    } else body.response_format = { type: rf.type };
  }
  if (req.user !== undefined) body.user = req.user;
  if (req.stream) {
    body.stream = true;
    // Always ask for the usage chunk so every streamed request can be accounted; the client
    // writer only shows it to clients that asked (ClientStreamContext.includeUsage).
    body.stream_options = { include_usage: true };
  }
  return body;
}
