// The Response object's envelope: every Response (the JSON answer, and the `response` inside
// response.created / .in_progress / .completed / .incomplete / .failed) echoes the request's
// parameters next to the output. Field list and order follow bodies recorded from
// api.openai.com (gpt-4o-mini Sep 2026, gpt-5.2 Jan 2026); fields only OpenAI can fill
// (billing, tool_usage of its hosted tools, moderation) are left out, as DeepSeek's
// Responses endpoint does.
import type { FinishReason } from "../canonical.ts";
import type { ClientStreamContext } from "../types.ts";
import { NO_USAGE, type TokenUsage } from "../../usage/tokens.ts";

/**
 * Client context for the Responses writers. `clientRequest` is the body the client sent:
 * the Response object echoes its parameters (instructions, tools, text, reasoning, …), and a
 * call to a `custom` tool must come back as a custom_tool_call item. Without it the echo
 * falls back to the API's defaults and every call is a function_call.
 */
export interface ResponsesClientContext extends ClientStreamContext {
  clientRequest?: unknown;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponsesEcho {
  frequency_penalty: number;
  instructions: string | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  parallel_tool_calls: boolean;
  presence_penalty: number;
  prompt_cache_key: string | null;
  reasoning: { effort: string | null; summary: string | null };
  safety_identifier: string | null;
  temperature: number;
  text: { format: unknown; verbosity: string };
  tool_choice: unknown;
  tools: unknown[];
  top_logprobs: number;
  top_p: number;
  truncation: string;
  user: string | null;
  metadata: Record<string, unknown>;
}

const obj = (v: unknown): Record<string, any> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** How api.openai.com echoes a tool: function tools normalised, others as sent. */
function echoTool(t: unknown): unknown {
  const tool = obj(t);
  if (!tool) return t;
  if (tool.type === "function" || (tool.type === undefined && typeof tool.name === "string")) {
    return {
      type: "function",
      description: str(tool.description),
      name: tool.name,
      parameters: obj(tool.parameters),
      // Responses function tools are strict unless the client says otherwise.
      strict: typeof tool.strict === "boolean" ? tool.strict : true,
    };
  }
  return tool;
}

/** The request parameters a Response echoes, with the API's defaults for what was not sent. */
export function responsesEcho(body: unknown): ResponsesEcho {
  const b = obj(body) ?? {};
  const text = obj(b.text);
  const reasoning = obj(b.reasoning);
  return {
    frequency_penalty: num(b.frequency_penalty) ?? 0,
    instructions: str(b.instructions),
    max_output_tokens: num(b.max_output_tokens),
    max_tool_calls: num(b.max_tool_calls),
    parallel_tool_calls: typeof b.parallel_tool_calls === "boolean" ? b.parallel_tool_calls : true,
    presence_penalty: num(b.presence_penalty) ?? 0,
    prompt_cache_key: str(b.prompt_cache_key),
    reasoning: { effort: str(reasoning?.effort), summary: str(reasoning?.summary) },
    safety_identifier: str(b.safety_identifier),
    temperature: num(b.temperature) ?? 1,
    text: { format: obj(text?.format) ?? { type: "text" }, verbosity: str(text?.verbosity) ?? "medium" },
    tool_choice: b.tool_choice ?? "auto",
    tools: Array.isArray(b.tools) ? b.tools.map(echoTool) : [],
    top_logprobs: num(b.top_logprobs) ?? 0,
    top_p: num(b.top_p) ?? 1,
    truncation: str(b.truncation) ?? "disabled",
    user: str(b.user),
    metadata: obj(b.metadata) ?? {},
  };
}

/** Names of the request's `custom` (free-form input) tools: their calls are custom_tool_call items. */
export function customToolNames(body: unknown): Set<string> {
  const names = new Set<string>();
  const tools = obj(body)?.tools;
  if (Array.isArray(tools)) for (const t of tools) if (obj(t)?.type === "custom" && typeof t.name === "string") names.add(t.name);
  return names;
}

/** Canonical usage → Responses usage; null when the upstream reported none (we never invent counts). */
export function responsesUsage(u: TokenUsage): ResponsesUsage | null {
  if (u.promptTokens === null && u.completionTokens === null && u.totalTokens === null) return null;
  const input = u.promptTokens ?? 0;
  const output = u.completionTokens ?? 0;
  return {
    input_tokens: input,
    // cached_tokens is part of input_tokens and reasoning_tokens part of output_tokens, as in TokenUsage.
    input_tokens_details: { cached_tokens: u.cachedTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: u.totalTokens ?? input + output,
  };
}

/** Responses usage (also what DeepSeek's and other Responses endpoints send) → canonical usage. */
export function usageFromResponses(u: unknown): TokenUsage {
  const o = obj(u);
  if (!o) return NO_USAGE;
  const input = num(o.input_tokens);
  const output = num(o.output_tokens);
  return {
    promptTokens: input,
    completionTokens: output,
    totalTokens: num(o.total_tokens) ?? (input !== null && output !== null ? input + output : null),
    cachedTokens: num(o.input_tokens_details?.cached_tokens),
    reasoningTokens: num(o.output_tokens_details?.reasoning_tokens),
  };
}

/** Terminal status for a finish reason: a cut-off answer is "incomplete" with the reason why. */
export function terminalStatus(finish: FinishReason | null): {
  status: ResponseStatus;
  incomplete: { reason: "max_output_tokens" | "content_filter" } | null;
} {
  if (finish === "length") return { status: "incomplete", incomplete: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete: { reason: "content_filter" } };
  if (finish === "error") return { status: "failed", incomplete: null };
  return { status: "completed", incomplete: null };
}

export interface EnvelopeInput {
  id: string;
  createdAt: number;
  status: ResponseStatus;
  model: string;
  output: unknown[];
  usage: ResponsesUsage | null;
  echo: ResponsesEcho;
  error?: { code: string; message: string } | null;
  incompleteDetails?: { reason: string } | null;
  /** Unix seconds; only a completed response has one. */
  completedAt?: number | null;
}

/** A Response object, keys in the order api.openai.com sends them. */
export function responseEnvelope(e: EnvelopeInput) {
  const echo = e.echo;
  return {
    id: e.id,
    object: "response" as const,
    created_at: e.createdAt,
    status: e.status,
    background: false,
    completed_at: e.completedAt ?? null,
    error: e.error ?? null,
    frequency_penalty: echo.frequency_penalty,
    incomplete_details: e.incompleteDetails ?? null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    max_tool_calls: echo.max_tool_calls,
    model: e.model,
    output: e.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    presence_penalty: echo.presence_penalty,
    previous_response_id: null,
    prompt_cache_key: echo.prompt_cache_key,
    prompt_cache_retention: null,
    reasoning: echo.reasoning,
    safety_identifier: echo.safety_identifier,
    service_tier: "default",
    // Nothing is stored here (a gateway has no OpenAI response store), whatever the client asked.
    store: false,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_logprobs: echo.top_logprobs,
    top_p: echo.top_p,
    truncation: echo.truncation,
    usage: e.usage,
    user: echo.user,
    metadata: echo.metadata,
  };
}

export type ResponsesResponse = ReturnType<typeof responseEnvelope>;

export const nowSeconds = () => Math.floor(Date.now() / 1000);
