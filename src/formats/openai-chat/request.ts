// Validation of an incoming Chat Completions request. Only what the gateway relies on is
// checked strictly; everything else passes through untouched so new OpenAI fields work
// without a gateway release.
import { z } from "zod";
import { GatewayError } from "../../errors.ts";

const message = z.looseObject({
  role: z.string().min(1),
});

export const ChatRequestSchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  messages: z.array(message).min(1, "messages must be a non-empty array"),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});

export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/**
 * The cheap check a pass-through needs (what the gateway itself relies on), with OpenAI's way of
 * naming the bad parameter. Everything else is the upstream's to judge.
 */
export function checkChatRequest(body: Record<string, unknown>): { model: string; stream: boolean; includeUsage: boolean } {
  const fail = (param: string, message: string) => new GatewayError(400, "invalid_request", `Invalid '${param}': ${message}`, { param });
  if (typeof body.model !== "string" || body.model.length === 0) throw fail("model", "model is required");
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw fail("messages", "messages must be a non-empty array");
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!m || typeof m !== "object" || typeof (m as { role?: unknown }).role !== "string" || !(m as { role: string }).role) {
      throw fail(`messages.${i}.role`, "each message needs a role");
    }
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== "boolean") throw fail("stream", "must be a boolean");
  const opts = body.stream_options as { include_usage?: unknown } | null | undefined;
  return { model: body.model, stream: body.stream === true, includeUsage: opts?.include_usage === true };
}
