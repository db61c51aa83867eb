// Shared by the Responses stream tests: fixture loading, strict SSE frame parsing, splitting.
import { expect } from "bun:test";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import type { StreamReader, StreamWriter } from "../../../src/formats/types.ts";

export const fixtureText = (name: string) => Bun.file(new URL(`../../fixtures/openai-responses/${name}`, import.meta.url)).text();
export const fixtureBytes = async (name: string) => new Uint8Array(await Bun.file(new URL(`../../fixtures/openai-responses/${name}`, import.meta.url)).arrayBuffer());

export { randomSizes, readAll, splitEvery } from "../../support/stream-splits.ts";

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

export function writeAll(writer: StreamWriter, events: StreamEvent[]): string {
  let out = "";
  for (const ev of events) out += writer.write(ev);
  return out + writer.end();
}
