// Validation of an incoming Chat Completions request. Only what the gateway relies on is
// checked strictly; everything else passes through untouched so new OpenAI fields work
// without a gateway release.
import { z } from "zod";

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
