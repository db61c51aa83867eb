// Ids in the shapes api.openai.com uses for the Responses API: a prefix and 50 lowercase hex
// characters (`resp_0920e7981f0eb7ff006aac72d394c487d19d9e9d1b4ae121ba`, `msg_…`, `rs_…`,
// `fc_…`). Clients and their logs key on the prefix (the openai SDKs, Codex's rollout files),
// so translated answers carry ids that look like the real thing.
const HEX = "0123456789abcdef";

export function hexId(prefix: string, length = 50): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = prefix;
  for (const b of bytes) out += HEX[b & 15];
  return out;
}

export const newResponseId = () => hexId("resp_");
export const newMessageItemId = () => hexId("msg_");
export const newReasoningItemId = () => hexId("rs_");
export const newFunctionCallItemId = () => hexId("fc_");
export const newCustomToolCallItemId = () => hexId("ctc_");

/** Keeps an upstream id that already looks like a Responses id (a Responses upstream); otherwise makes one. */
export function responseId(upstreamId: string | undefined): string {
  return upstreamId && upstreamId.startsWith("resp_") ? upstreamId : newResponseId();
}
