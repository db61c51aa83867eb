// Ids in the shapes Anthropic uses (msg_01…, toolu_01…: "01" then 22 base62 characters), for
// answers whose upstream did not speak Anthropic and so gave no id of that shape.
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function randomBase62(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let out = "";
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}

export const newMessageId = () => `msg_01${randomBase62(22)}`;

/** Keeps an upstream message id that already has Anthropic's shape, else makes one. */
export const messageIdFrom = (id: string | undefined) => (id && id.startsWith("msg_") ? id : newMessageId());
