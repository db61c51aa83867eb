// Shared by the Responses stream tests: fixture loading, strict SSE frame parsing, splitting.
import { expect } from "bun:test";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import type { StreamReader, StreamWriter } from "../../../src/formats/types.ts";

export const fixtureText = (name: string) => Bun.file(new URL(`../../fixtures/openai-responses/${name}`, import.meta.url)).text();
export const fixtureBytes = async (name: string) => new Uint8Array(await Bun.file(new URL(`../../fixtures/openai-responses/${name}`, import.meta.url)).arrayBuffer());

export interface Frame {
  event: string;
  data: any;
}

/** Parses writer output strictly: every frame is exactly `event: X\ndata: {json}\n\n` with data.type === X. */
export function frames(text: string): Frame[] {
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .slice(0, -2)
    .split("\n\n")
    .filter((f) => !f.startsWith(":"))
    .map((f) => {
      const m = /^event: ([a-z_.]+)\ndata: (\{.*\})$/s.exec(f);
      if (!m) throw new Error(`malformed frame: ${JSON.stringify(f)}`);
      const data = JSON.parse(m[2]!);
      expect(data.type).toBe(m[1]!);
      return { event: m[1]!, data };
    });
}

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

/** Deterministic pseudo-random chunk sizes (so a failure can be replayed). */
export function randomSizes(seed: number, count: number, max: number): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out.push(1 + (s % max));
  }
  return out;
}

export function readAll(reader: StreamReader, parts: Uint8Array[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const p of parts) out.push(...reader.push(p));
  out.push(...reader.end());
  return out;
}

export function writeAll(writer: StreamWriter, events: StreamEvent[]): string {
  let out = "";
  for (const ev of events) out += writer.write(ev);
  return out + writer.end();
}
