// Which translator speaks to an upstream of each wire format.
import { anthropicUpstream } from "../formats/anthropic/index.ts";
import { geminiUpstream } from "../formats/gemini/index.ts";
import { ollamaUpstream } from "../formats/ollama/index.ts";
import { openAiChatUpstream } from "../formats/openai-chat/index.ts";
import { openAiResponsesUpstream } from "../formats/openai-responses/index.ts";
import type { UpstreamFormatAdapter } from "../formats/types.ts";
import type { UpstreamFormat } from "../providers/types.ts";

export const UPSTREAM_ADAPTERS: Record<UpstreamFormat, UpstreamFormatAdapter> = {
  openai: openAiChatUpstream,
  "openai-responses": openAiResponsesUpstream,
  anthropic: anthropicUpstream,
  gemini: geminiUpstream,
  ollama: ollamaUpstream,
};
