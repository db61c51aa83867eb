// OpenAI Responses API requests (POST /v1/responses) → canonical. Shapes from the openai SDK's
// ResponseCreateParams / ResponseInputItem and from what Codex CLI sends (codex-rs
// ResponsesApiRequest: instructions, `input` items — messages, reasoning with
// encrypted_content, function_call / function_call_output, custom_tool_call(_output) —
// store:false, include:["reasoning.encrypted_content"], tools of type function and custom).
//
// The gateway is stateless toward the client: everything the model needs must be in `input`.
import { z } from "zod";
import { GatewayError } from "../../errors.ts";
import type { CanonicalMessage, CanonicalRequest, CanonicalTool, ContentPart, ReasoningEffort, Role, ToolChoice } from "../canonical.ts";
import type { ClientRequestContext } from "../types.ts";
import { contentParts } from "./content.ts";

const obj = (v: unknown): Record<string, any> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : null);

export const ResponsesRequestSchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  input: z.union([z.string(), z.array(z.unknown())], { error: "input must be a string or an array of input items" }),
  instructions: z.string().nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: z.unknown().optional(),
  max_output_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stream: z.boolean().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  text: z.looseObject({ format: z.looseObject({ type: z.string() }).nullish(), verbosity: z.string().nullish() }).nullish(),
  user: z.string().nullish(),
  previous_response_id: z.string().nullish(),
  background: z.boolean().nullish(),
  // Accepted and ignored: store (nothing is stored here either way), metadata (only echoed),
  // include (reasoning.encrypted_content is always sent when there is a signature to carry),
  // truncation (the upstream's context limit applies), prompt_cache_key, safety_identifier,
  // service_tier, top_logprobs, stream_options.
});

function validationError(issues: z.core.$ZodIssue[]): GatewayError {
  const first = issues[0]!;
  const field = first.path.join(".");
  return new GatewayError(400, "invalid_request", field ? `${field}: ${first.message}` : first.message, {
    param: field || undefined,
    validation: issues.map((i) => ({ field: i.path.join("."), message: i.message })),
  });
}

const bad = (message: string, param?: string) => new GatewayError(400, "invalid_request", message, { param });

/** Accumulates input items into alternating canonical turns. */
class Conversation {
  system: ContentPart[] = [];
  messages: CanonicalMessage[] = [];
  /** call_id → tool name, so tool results can name their function (Gemini, Ollama need it). */
  private toolNames = new Map<string, string>();

  private last(role: Role): CanonicalMessage {
    const tail = this.messages.at(-1);
    if (tail && tail.role === role) return tail;
    const m: CanonicalMessage = { role, content: [] };
    this.messages.push(m);
    return m;
  }

  add(role: Role, parts: ContentPart[]) {
    if (parts.length === 0) return;
    this.last(role).content.push(...parts);
  }

  addToolCall(part: Extract<ContentPart, { type: "tool_call" }>) {
    this.toolNames.set(part.id, part.name);
    this.last("assistant").content.push(part);
  }

  addToolResult(callId: string, content: ContentPart[], isError: boolean) {
    const name = this.toolNames.get(callId);
    const part: ContentPart = { type: "tool_result", toolCallId: callId, ...(name ? { name } : {}), content, ...(isError ? { isError: true } : {}) };
    // Tool results lead their user turn (Anthropic requires it); keep them in call order.
    const msg = this.last("user");
    let at = 0;
    while (at < msg.content.length && msg.content[at]!.type === "tool_result") at++;
    msg.content.splice(at, 0, part);
  }
}

/** A reasoning item → thinking (summary or raw text, signed by encrypted_content) or redacted reasoning. */
export function reasoningParts(item: Record<string, any>): ContentPart[] {
  const texts = (list: unknown, kinds: string[]) =>
    Array.isArray(list) ? list.filter((p) => kinds.includes(obj(p)?.type) && typeof p.text === "string" && p.text).map((p) => p.text as string) : [];
  // The summary is what OpenAI shows; raw reasoning_text (gpt-oss, DeepSeek) when there is no summary.
  let text = texts(item.summary, ["summary_text"]).join("\n\n");
  if (!text) text = texts(item.content, ["reasoning_text", "text"]).join("");
  const encrypted = typeof item.encrypted_content === "string" && item.encrypted_content ? item.encrypted_content : undefined;
  if (text) return [{ type: "thinking", text, ...(encrypted ? { signature: encrypted } : {}) }];
  // Reasoning with nothing readable but an opaque blob: carried as redacted reasoning.
  if (encrypted) return [{ type: "redacted_thinking", data: encrypted }];
  return [];
}

/** function_call_output.output: a string, content parts, or Codex's older {content, success}. */
function toolOutput(output: unknown, at: string): { content: ContentPart[]; isError: boolean } {
  const o = obj(output);
  if (o && typeof o.content === "string") return { content: o.content ? [{ type: "text", text: o.content }] : [], isError: o.success === false };
  if (o) return { content: [{ type: "text", text: JSON.stringify(o) }], isError: false };
  return { content: contentParts(output, at), isError: false };
}

const requiredString = (v: unknown, at: string): string => {
  if (typeof v === "string" && v) return v;
  throw bad(`${at} is required`, at);
};

function readInput(input: string | unknown[], conv: Conversation) {
  if (typeof input === "string") {
    conv.add("user", contentParts(input, "input"));
    return;
  }
  input.forEach((raw, i) => {
    const at = `input[${i}]`;
    const item = obj(raw);
    if (!item) throw bad(`${at} must be an object`, at);
    const type = item.type ?? (item.role ? "message" : undefined);
    switch (type) {
      case "message": {
        const role = item.role;
        const parts = contentParts(item.content, `${at}.content`);
        if (role === "user") conv.add("user", parts);
        else if (role === "assistant") conv.add("assistant", parts);
        else if (role === "system" || role === "developer") conv.system.push(...parts.filter((p) => p.type === "text"));
        else throw bad(`${at}.role must be one of user, assistant, system, developer`, `${at}.role`);
        return;
      }
      case "function_call":
        conv.addToolCall({
          type: "tool_call",
          id: requiredString(item.call_id, `${at}.call_id`),
          name: requiredString(item.name, `${at}.name`),
          arguments: typeof item.arguments === "string" ? item.arguments : JSON.stringify(item.arguments ?? {}),
        });
        return;
      case "custom_tool_call":
        // Custom tools are offered upstream as functions taking {"input": string}.
        conv.addToolCall({
          type: "tool_call",
          id: requiredString(item.call_id, `${at}.call_id`),
          name: requiredString(item.name, `${at}.name`),
          arguments: JSON.stringify({ input: typeof item.input === "string" ? item.input : "" }),
        });
        return;
      case "function_call_output":
      case "custom_tool_call_output": {
        const { content, isError } = toolOutput(item.output, `${at}.output`);
        conv.addToolResult(requiredString(item.call_id, `${at}.call_id`), content, isError);
        return;
      }
      case "reasoning":
        conv.add("assistant", reasoningParts(item));
        return;
      case "item_reference":
        throw bad(`${at}: item_reference is not supported: items are not stored here, send the item itself in input.`, `${at}.type`);
      default:
        // Records of OpenAI-hosted tool calls (web_search_call, file_search_call, computer_call,
        // local_shell_call, image_generation_call, mcp_*), compaction blobs and unknown items
        // carry nothing another provider can use; the model's own messages around them stay.
        return;
    }
  });
}

/** A custom tool's grammar (Codex's apply_patch is a Lark grammar) tells the model the input syntax. */
function customToolDescription(t: Record<string, any>): string | undefined {
  const base = typeof t.description === "string" ? t.description : "";
  const f = obj(t.format);
  if (f?.type === "grammar" && typeof f.definition === "string" && f.definition) {
    const syntax = typeof f.syntax === "string" ? f.syntax : "grammar";
    return `${base}${base ? "\n\n" : ""}The "input" argument must follow this ${syntax} grammar:\n${f.definition}`;
  }
  return base || undefined;
}

function readTools(tools: unknown[]): CanonicalTool[] {
  return tools.map((raw, i) => {
    const at = `tools[${i}]`;
    const t = obj(raw);
    if (!t) throw bad(`${at} must be an object`, at);
    const type = t.type ?? "function";
    if (type !== "function" && type !== "custom") {
      throw bad(
        `${at}: the built-in tool type "${type}" is not supported: OpenAI runs its hosted tools itself and no upstream here can. Use function tools instead.`,
        `${at}.type`,
      );
    }
    const name = requiredString(t.name, `${at}.name`);
    if (type === "function") {
      const description = typeof t.description === "string" && t.description ? t.description : undefined;
      return { name, ...(description ? { description } : {}), parameters: obj(t.parameters) ?? { type: "object", properties: {} } };
    }
    // A custom tool takes free-form text: offered upstream as a function of one string.
    const description = customToolDescription(t);
    return {
      name,
      ...(description ? { description } : {}),
      parameters: {
        type: "object",
        properties: { input: { type: "string", description: "The free-form input for this tool." } },
        required: ["input"],
        additionalProperties: false,
      },
    };
  });
}

function readToolChoice(v: unknown): ToolChoice | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === "auto" || v === "none" || v === "required") return { type: v };
  const o = obj(v);
  if (o && (o.type === "function" || o.type === "custom") && typeof o.name === "string") return { type: "tool", name: o.name };
  // allowed_tools restricts the model to a subset; canonical form cannot express the subset,
  // so the mode is kept and the whole tool list is offered.
  if (o?.type === "allowed_tools") return { type: o.mode === "required" ? "required" : "auto" };
  throw bad(`tool_choice ${JSON.stringify(v)} is not supported: use "auto", "none", "required" or {"type":"function","name":…}.`, "tool_choice");
}

const EFFORTS: Record<string, ReasoningEffort> = { minimal: "minimal", low: "low", medium: "medium", high: "high", xhigh: "high" };

function readReasoning(r: { effort?: string | null } | null | undefined): CanonicalRequest["reasoning"] {
  const effort = r?.effort;
  if (!effort) return undefined;
  if (effort === "none") return { enabled: false };
  const e = EFFORTS[effort];
  if (!e) throw bad(`reasoning.effort must be one of none, minimal, low, medium, high, xhigh`, "reasoning.effort");
  // reasoning.summary has no canonical counterpart: reasoning is shown whenever the upstream returns it.
  return { effort: e, enabled: true };
}

function readFormat(format: Record<string, any> | null | undefined): CanonicalRequest["responseFormat"] {
  if (!format) return undefined;
  if (format.type === "text") return { type: "text" };
  if (format.type === "json_object") return { type: "json_object" };
  if (format.type === "json_schema") {
    const schema = obj(format.schema);
    if (!schema) throw bad("text.format.schema is required for json_schema", "text.format.schema");
    return {
      type: "json_schema",
      ...(typeof format.name === "string" ? { name: format.name } : {}),
      schema,
      ...(typeof format.strict === "boolean" ? { strict: format.strict } : {}),
    };
  }
  throw bad(`text.format.type must be text, json_object or json_schema`, "text.format.type");
}

/** POST /v1/responses body → canonical request. Throws a 400 GatewayError when unusable. */
export function responsesRequestToCanonical(body: unknown, _ctx: ClientRequestContext = {}): CanonicalRequest {
  const raw = obj(body);
  // Checked before the schema so the answer names the real problem. A gateway has no
  // server-side store of earlier responses to resolve these against.
  if (raw && raw.previous_response_id) {
    throw bad("previous_response_id is not supported: send the full conversation in input (store:false)", "previous_response_id");
  }
  if (raw && raw.conversation) {
    throw bad("conversation is not supported: send the full conversation in input (store:false)", "conversation");
  }
  if (raw && raw.background === true) {
    throw bad("background mode is not supported: responses are not stored here, so they cannot be polled; stream instead", "background");
  }
  if (raw && raw.prompt) {
    throw bad("prompt templates are not supported: they are stored at OpenAI; send instructions and input instead", "prompt");
  }

  const parsed = ResponsesRequestSchema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const b = parsed.data;

  const conv = new Conversation();
  if (b.instructions) conv.system.push({ type: "text", text: b.instructions });
  readInput(b.input, conv);

  const req: CanonicalRequest = {
    model: b.model,
    system: conv.system,
    messages: conv.messages,
    stream: b.stream === true,
    // The Responses API always reports usage (in the terminal event when streaming).
    includeUsage: true,
  };
  if (b.tools && b.tools.length > 0) req.tools = readTools(b.tools);
  const toolChoice = readToolChoice(b.tool_choice);
  if (toolChoice) req.toolChoice = toolChoice;
  if (typeof b.parallel_tool_calls === "boolean") req.parallelToolCalls = b.parallel_tool_calls;
  if (typeof b.max_output_tokens === "number") req.maxTokens = b.max_output_tokens;
  if (typeof b.temperature === "number") req.temperature = b.temperature;
  if (typeof b.top_p === "number") req.topP = b.top_p;
  const reasoning = readReasoning(b.reasoning);
  if (reasoning) req.reasoning = reasoning;
  const format = readFormat(b.text?.format);
  if (format) req.responseFormat = format;
  if (b.user) req.user = b.user;
  return req;
}
