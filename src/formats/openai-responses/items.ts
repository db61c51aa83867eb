// Output items of a Response, in the shapes (and key order) api.openai.com sends them:
//   {"id":"msg_…","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"…"}],"role":"assistant"}
//   {"id":"rs_…","type":"reasoning","encrypted_content":"…","summary":[{"type":"summary_text","text":"…"}]}
//   {"id":"fc_…","type":"function_call","status":"completed","arguments":"{…}","call_id":"call_…","name":"get_weather"}
// Codex builds its history from the items of response.output_item.done, so they must be complete.

export type ItemStatus = "in_progress" | "completed" | "incomplete";

export const outputTextPart = (text: string) => ({ type: "output_text" as const, annotations: [] as unknown[], logprobs: [] as unknown[], text });

export function messageItem(id: string, status: ItemStatus, text: string | null) {
  return {
    id,
    type: "message" as const,
    status,
    content: text === null ? [] : [outputTextPart(text)],
    role: "assistant" as const,
  };
}

export const summaryTextPart = (text: string) => ({ type: "summary_text" as const, text });

/**
 * A reasoning item. The reasoning text travels as the summary; a signature (Anthropic thinking
 * signature, Gemini thoughtSignature) or redacted data travels as `encrypted_content`, which
 * clients such as Codex send back verbatim on the next turn (include: ["reasoning.encrypted_content"]).
 */
export function reasoningItem(id: string, text: string | null, encrypted?: string | null) {
  return {
    id,
    type: "reasoning" as const,
    ...(encrypted ? { encrypted_content: encrypted } : {}),
    summary: text ? [summaryTextPart(text)] : [],
  };
}

export function functionCallItem(id: string, status: ItemStatus, callId: string, name: string, args: string) {
  return { id, type: "function_call" as const, status, arguments: args, call_id: callId, name };
}

export function customToolCallItem(id: string, status: ItemStatus, callId: string, name: string, input: string) {
  return { id, type: "custom_tool_call" as const, status, call_id: callId, input, name };
}

/**
 * A custom (free-form) tool is offered upstream as a function taking {"input": string}; the
 * call's free-form input is that string. Anything else (a model ignoring the schema) is
 * passed on as the raw argument text.
 */
export function customToolInput(args: string): string {
  try {
    const v = JSON.parse(args);
    if (v && typeof v === "object" && typeof v.input === "string") return v.input;
  } catch {
    // not JSON: keep the text as it is
  }
  return args;
}

export type OutputItem =
  | ReturnType<typeof messageItem>
  | ReturnType<typeof reasoningItem>
  | ReturnType<typeof functionCallItem>
  | ReturnType<typeof customToolCallItem>;

/** The text the SDKs expose as `response.output_text`: every output_text of every message item. */
export function responsesOutputText(response: { output?: unknown }): string {
  if (!Array.isArray(response.output)) return "";
  let out = "";
  for (const item of response.output as any[]) {
    if (item?.type !== "message" || !Array.isArray(item.content)) continue;
    for (const part of item.content) if (part?.type === "output_text" && typeof part.text === "string") out += part.text;
  }
  return out;
}
