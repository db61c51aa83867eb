// Feeds recorded bytes to a stream reader in chunks of awkward sizes.
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import type { StreamReader } from "../../../src/formats/types.ts";

export function splitEvery(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
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
