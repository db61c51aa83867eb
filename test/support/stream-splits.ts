// Feeding recorded stream bytes to a reader in awkward chunks: every stream reader must give
// the same events whatever the split (inside a UTF-8 character, a field name, a CRLF).
import type { StreamEvent } from "../../src/formats/canonical.ts";
import type { StreamReader } from "../../src/formats/types.ts";

/** Chunks of the given size, or cycling through the given sizes. */
export function splitEvery(bytes: Uint8Array, sizes: number | number[]): Uint8Array[] {
  const list = Array.isArray(sizes) ? sizes : [sizes];
  const parts: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = list[i % list.length]!;
    parts.push(bytes.subarray(at, at + n));
    at += n;
  }
  return parts;
}

/** Deterministic pseudo-random chunk sizes (1..max) so a failure can be replayed. */
export function randomSizes(seed: number, count: number, max: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return 1 + (x % max);
  });
}

export function readAll(reader: StreamReader, parts: Uint8Array[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const p of parts) events.push(...reader.push(p));
  events.push(...reader.end());
  return events;
}
