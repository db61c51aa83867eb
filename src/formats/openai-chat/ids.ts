// Ids in the shapes OpenAI uses: `chatcmpl-` + 29 base62 chars for completions, `call_` + 24
// for tool calls. Clients (and their logs) sometimes check the prefix, so translated answers
// carry ids that look like the real thing.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomId(prefix: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = prefix;
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export const newCompletionId = () => randomId("chatcmpl-", 29);
export const newToolCallId = () => randomId("call_", 24);

/** Keeps an upstream id that already looks like a completion id; otherwise makes one. */
export function completionId(upstreamId: string | undefined): string {
  return upstreamId && upstreamId.startsWith("chatcmpl-") ? upstreamId : newCompletionId();
}
