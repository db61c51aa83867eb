// Offline token counting for /v1/messages/count_tokens (Claude Code calls it to decide when to
// compact) and Gemini :countTokens. gpt-tokenizer (o200k_base) is exact for OpenAI-family
// models and a documented estimate for others: Anthropic and Google do not publish their
// tokenizers, and a count that includes every block type matters more than the last 5%.
import { GatewayError } from "../errors.ts";
import { canonicalToAnthropicRequest } from "../formats/anthropic/request.ts";
import { countAnthropicTokens } from "../formats/anthropic/count-tokens.ts";
import { geminiClient } from "../formats/gemini/index.ts";
import { readJsonBody } from "./body.ts";

// Loaded on first use: the encoder tables cost ~40 MB and ~300 ms, which a gateway that never
// sees count_tokens should not pay at start-up.
let tokenizerPromise: Promise<(text: string) => number> | null = null;
function loadTokenizer() {
  tokenizerPromise ??= import("gpt-tokenizer").then((m) => (text: string) => m.countTokens(text));
  return tokenizerPromise;
}

function asObject(body: unknown): Record<string, any> {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new GatewayError(400, "invalid_request", "Request body must be a JSON object.");
  return body as Record<string, any>;
}

export async function countTokensAnthropic(request: Request): Promise<Response> {
  const body = asObject(await readJsonBody(request));
  if (!Array.isArray(body.messages)) throw new GatewayError(400, "invalid_request", "messages: Field required", { param: "messages" });
  return Response.json(countAnthropicTokens(body, await loadTokenizer()));
}

export async function countTokensGemini(request: Request, model: string): Promise<Response> {
  const raw = asObject(await readJsonBody(request));
  // countTokens takes either {contents} or a whole {generateContentRequest}.
  const body = raw.generateContentRequest && typeof raw.generateContentRequest === "object" ? raw.generateContentRequest : raw;
  const canonical = geminiClient.parseRequest(body, { pathModel: model, pathStream: false });
  const anthropicBody = canonicalToAnthropicRequest(canonical, model);
  const { input_tokens } = countAnthropicTokens(anthropicBody as Record<string, unknown>, await loadTokenizer());
  return Response.json({ totalTokens: input_tokens });
}
