// Shared helpers for the OpenAI Chat format tests: fixtures, byte splitting, reader runs.
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import type { StreamReader } from "../../../src/formats/types.ts";

export { readAll, splitEvery } from "../../support/stream-splits.ts";

const FIXTURES = new URL("../../fixtures/openai-chat/", import.meta.url);

export async function fixtureBytes(name: string): Promise<Uint8Array> {
  return new Uint8Array(await Bun.file(new URL(name, FIXTURES)).arrayBuffer());
}

export async function fixtureJson(name: string): Promise<any> {
  return Bun.file(new URL(name, FIXTURES)).json();
}

/** Deterministic pseudo-random split sizes (mulberry32) so a failure reproduces. */
export function splitRandom(bytes: Uint8Array, seed: number, max = 50): Uint8Array[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(rnd() * max);
    parts.push(bytes.subarray(at, at + n));
    at += n;
  }
  return parts;
}

/** Adjacent text/reasoning/argument deltas merged: what a split-independent comparison needs. */
export function coalesce(events: StreamEvent[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (last && last.type === e.type && (e.type === "text_delta" || e.type === "reasoning_delta")) {
      (last as { text: string }).text += (e as { text: string }).text;
    } else if (last && last.type === "tool_call_delta" && e.type === "tool_call_delta" && last.index === e.index) {
      last.arguments += e.arguments;
    } else out.push({ ...e });
  }
  return out;
}

export const enc = (s: string) => new TextEncoder().encode(s);
