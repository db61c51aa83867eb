import { describe, expect, test } from "bun:test";
import { countAnthropicTokens, IMAGE_TOKENS_UNKNOWN, imageDimensions, imageTokens, PDF_PAGE_TOKENS } from "../../../src/formats/anthropic/count-tokens.ts";

// One token per character keeps the arithmetic in the assertions readable.
const chars = (t: string) => t.length;
const count = (body: Record<string, unknown>) => countAnthropicTokens(body, chars).input_tokens;
const one = (content: unknown) => count({ messages: [{ role: "user", content }] }) - 3; // minus per-message overhead

const b64 = (bytes: number[]) => Buffer.from(bytes).toString("base64");
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const png = (w: number, h: number) => b64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, ...be32(w), ...be32(h), 8, 6, 0, 0, 0]);

describe("image sizes", () => {
  test("PNG, GIF, JPEG, WebP headers", () => {
    const dims = (b: string) => imageDimensions(new Uint8Array(Buffer.from(b, "base64")));
    expect(dims(png(800, 600))).toEqual({ width: 800, height: 600 });
    expect(imageDimensions(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x40, 0x01, 0xf0, 0x00]))).toEqual({ width: 320, height: 240 });
    // SOI, APP0 (16 bytes), SOF0 with height 480, width 640.
    const jpeg = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Array(14).fill(0), 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03, 0, 0, 0, 0, 0, 0];
    expect(imageDimensions(new Uint8Array(jpeg))).toEqual({ width: 640, height: 480 });
    const riff = (chunk: string, body: number[]) => new Uint8Array([...Buffer.from("RIFF"), 0, 0, 0, 0, ...Buffer.from("WEBP"), ...Buffer.from(chunk), 0, 0, 0, 0, ...body]);
    // VP8X: flags(4) then width-1 and height-1 as 24-bit little endian.
    expect(imageDimensions(riff("VP8X", [0, 0, 0, 0, 0x1f, 0x03, 0x00, 0x57, 0x02, 0x00]))).toEqual({ width: 800, height: 600 });
    expect(imageDimensions(new Uint8Array([1, 2, 3]))).toBeNull();
  });

  test("tokens = w×h/750 after the long edge is scaled to 1568, at most 1600", () => {
    expect(imageTokens(1, 1)).toBe(1);
    expect(imageTokens(1000, 1000)).toBe(1334);
    expect(imageTokens(4000, 3000)).toBe(1600);
    expect(imageTokens(200, 100)).toBe(27);
  });
});

describe("countAnthropicTokens", () => {
  test("system as string and as blocks", () => {
    expect(count({ system: "abcd", messages: [] })).toBe(4);
    expect(count({ system: [{ type: "text", text: "abcd", cache_control: { type: "ephemeral" } }], messages: [] })).toBe(4);
  });

  test("every block type is counted", () => {
    expect(one("hello")).toBe(5);
    expect(one([{ type: "text", text: "hello" }])).toBe(5);
    expect(one([{ type: "tool_use", id: "toolu_1", name: "Read", input: { p: 1 } }])).toBe(4 + '{"p":1}'.length);
    expect(one([{ type: "tool_result", tool_use_id: "t1", content: "file contents" }])).toBe(2 + 13);
    expect(one([{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "abc" }, { type: "image", source: { type: "base64", media_type: "image/png", data: png(1000, 1000) } }] }])).toBe(2 + 3 + 1334);
    expect(one([{ type: "thinking", thinking: "hmm...", signature: "sig" }])).toBe(6);
    expect(one([{ type: "redacted_thinking", data: "xyz" }])).toBe(3);
    expect(one([{ type: "document", source: { type: "text", media_type: "text/plain", data: "doc text" }, title: "T" }])).toBe(9);
    expect(one([{ type: "document", source: { type: "content", content: [{ type: "text", text: "abc" }] } }])).toBe(3);
    expect(one([{ type: "image", source: { type: "url", url: "https://x/y.png" } }])).toBe(IMAGE_TOKENS_UNKNOWN);
    expect(one([{ type: "image", source: { type: "base64", media_type: "image/png", data: "bm90IGFuIGltYWdl" } }])).toBe(IMAGE_TOKENS_UNKNOWN);
    // Unknown block types count as their JSON.
    const search = { type: "search_result", source: "s", title: "t", content: [] };
    expect(one([search])).toBe(JSON.stringify(search).length);
  });

  test("PDF documents: pages × documented per-page estimate", () => {
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] >>\n2 0 obj << /Type /Page >>\n3 0 obj << /Type/Page >>\n").toString("base64");
    expect(one([{ type: "document", source: { type: "base64", media_type: "application/pdf", data: pdf } }])).toBe(2 * PDF_PAGE_TOKENS);
    expect(one([{ type: "document", source: { type: "url", url: "https://x/a.pdf" } }])).toBe(PDF_PAGE_TOKENS);
  });

  test("tools: schemas, descriptions, server tools and the tool-use system prompt", () => {
    const schema = { type: "object", properties: { p: { type: "string" } } };
    const withTools = (tool_choice?: unknown) =>
      count({
        messages: [],
        tools: [{ name: "Read", description: "Reads", input_schema: schema }, { type: "web_search_20250305", name: "web_search", max_uses: 3 }],
        ...(tool_choice ? { tool_choice } : {}),
      });
    const defs = 4 + 5 + JSON.stringify(schema).length + JSON.stringify({ type: "web_search_20250305", name: "web_search", max_uses: 3 }).length;
    expect(withTools()).toBe(346 + defs);
    expect(withTools({ type: "any" })).toBe(313 + defs);
  });

  test("a Claude Code conversation counts more than its text alone", async () => {
    const body = await Bun.file(new URL("../../fixtures/anthropic/request-claude-code.json", import.meta.url)).json();
    const textOnly = JSON.stringify(body.messages.flatMap((m: any) => m.content.filter((b: any) => b.type === "text").map((b: any) => b.text))).length;
    expect(count(body)).toBeGreaterThan(textOnly + 1600);
  });
});
