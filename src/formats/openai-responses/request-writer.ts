// Canonical request → Responses API request (POST {base}/responses), for upstreams that speak
// the Responses API (api.openai.com and compatible servers). Shapes from the openai SDK's
// ResponseCreateParams / ResponseInputItem and from what Codex CLI sends; the reverse of
// request.ts. Strict on output like the Chat writer: api.openai.com answers 400 to unknown
// parameters, so fields without a Responses counterpart (top_k, stop, seed, penalties) are dropped.
//
// The conversation is sent whole with `store: false`: the gateway is stateless, and nothing a
// translated client sends could name an item stored at the upstream anyway.
import { effortFromBudget, type CanonicalMessage, type CanonicalRequest, type ContentPart, type MediaSource } from "../canonical.ts";

type Json = Record<string, any>;

export const RESPONSES_PATH = "/responses";

const dataUrl = (s: Extract<MediaSource, { kind: "base64" }>) => `data:${s.mediaType};base64,${s.data}`;

/** A user-side content part → input_text / input_image / input_file, or null when it has no slot. */
function inputPart(p: ContentPart): Json | null {
  switch (p.type) {
    case "text":
      return p.text ? { type: "input_text", text: p.text } : null;
    case "image": {
      const part: Json = { type: "input_image", image_url: p.source.kind === "base64" ? dataUrl(p.source) : p.source.url };
      // detail is required by the type; "auto" is the API's own default.
      part.detail = p.detail ?? "auto";
      return part;
    }
    case "document": {
      const part: Json = { type: "input_file" };
      if (p.source.kind === "base64") {
        part.filename = p.title ?? "document";
        part.file_data = dataUrl(p.source);
      } else {
        if (p.title) part.filename = p.title;
        part.file_url = p.source.url;
      }
      return part;
    }
    default:
      return null;
  }
}

/**
 * function_call_output.output: a string when the result is text only (what every server
 * accepts), else a list of input parts (images and files a tool returned). Responses has no
 * error flag on a tool result, so `isError` is not carried.
 */
function toolOutput(content: ContentPart[]): string | Json[] {
  const parts = content.map(inputPart).filter((p): p is Json => p !== null);
  if (parts.every((p) => p.type === "input_text")) return parts.map((p) => p.text).join("");
  return parts;
}

function writeUser(m: CanonicalMessage, out: Json[]): void {
  let pending: Json[] = [];
  const flush = () => {
    if (pending.length) out.push({ type: "message", role: "user", content: pending });
    pending = [];
  };
  for (const p of m.content) {
    if (p.type === "tool_result") {
      // Results lead their turn canonically; each is its own item, answering its call by call_id.
      flush();
      out.push({ type: "function_call_output", call_id: p.toolCallId, output: toolOutput(p.content) });
      continue;
    }
    const part = inputPart(p);
    if (part) pending.push(part);
  }
  flush();
}

/**
 * Assistant turns become output items in their order: text → a message with output_text,
 * tool calls → function_call items, reasoning → reasoning items. A reasoning item is only
 * sent with a signature (`encrypted_content`): the API has no place for reasoning text alone,
 * and Codex sends its reasoning items the same way (encrypted content, no id). Unsigned
 * thinking (from Chat-style or Ollama histories) is dropped.
 */
function writeAssistant(m: CanonicalMessage, out: Json[]): void {
  let text: string | null = null;
  const flush = () => {
    if (text) out.push({ type: "message", role: "assistant", content: [{ type: "output_text", text, annotations: [] }] });
    text = null;
  };
  for (const p of m.content) {
    switch (p.type) {
      case "text":
        text = (text ?? "") + p.text;
        break;
      case "tool_call":
        flush();
        // Empty arguments are not valid JSON; no arguments is {}.
        out.push({ type: "function_call", call_id: p.id, name: p.name, arguments: p.arguments.trim() ? p.arguments : "{}" });
        break;
      case "thinking":
        if (!p.signature) break;
        flush();
        out.push({ type: "reasoning", summary: p.text ? [{ type: "summary_text", text: p.text }] : [], encrypted_content: p.signature });
        break;
      case "redacted_thinking":
        flush();
        out.push({ type: "reasoning", summary: [], encrypted_content: p.data });
        break;
      default:
        break;
    }
  }
  flush();
}

function reasoningEffort(r: CanonicalRequest["reasoning"]): string | undefined {
  if (!r || r.enabled === false) return undefined;
  // Only "on" known (Ollama think:true, Anthropic adaptive): the model's default applies.
  return r.effort ?? (r.budgetTokens !== undefined ? effortFromBudget(r.budgetTokens) : undefined);
}

function textFormat(rf: CanonicalRequest["responseFormat"]): Json | undefined {
  if (!rf) return undefined;
  if (rf.type !== "json_schema") return { type: rf.type };
  const format: Json = { type: "json_schema", name: rf.name ?? "response", schema: rf.schema };
  if (rf.strict !== undefined) format.strict = rf.strict;
  return format;
}

export function canonicalToResponsesRequest(req: CanonicalRequest, model: string): Json {
  const input: Json[] = [];
  for (const m of req.messages) {
    if (m.role === "assistant") writeAssistant(m, input);
    else writeUser(m, input);
  }
  const body: Json = { model };
  // One instructions string: the system parts joined like the Chat writer's single system message.
  const system = req.system.filter((p) => p.type === "text").map((p) => (p as { text: string }).text);
  if (system.length) body.instructions = system.join("\n\n");
  body.input = input;

  if (req.tools?.length) {
    body.tools = req.tools.map((t) => {
      const tool: Json = { type: "function", name: t.name };
      if (t.description !== undefined) tool.description = t.description;
      tool.parameters = t.parameters;
      // Responses function tools are strict unless told otherwise, and strict mode refuses
      // ordinary schemas (optional properties, no additionalProperties:false).
      tool.strict = false;
      return tool;
    });
    if (req.toolChoice) body.tool_choice = req.toolChoice.type === "tool" ? { type: "function", name: req.toolChoice.name } : req.toolChoice.type;
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }
  if (req.maxTokens !== undefined) body.max_output_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  const effort = reasoningEffort(req.reasoning);
  if (effort) body.reasoning = { effort };
  const format = textFormat(req.responseFormat);
  if (format) body.text = { format };
  if (req.user !== undefined) body.user = req.user;
  body.store = false;
  if (req.stream) body.stream = true;
  return body;
}
