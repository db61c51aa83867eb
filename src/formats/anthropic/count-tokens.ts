// Offline estimate for POST /v1/messages/count_tokens. Anthropic does not publish its
// tokenizer, so text goes through an injected tokenizer; what matters most is that EVERY
// block type is counted — Claude Code decides when to auto-compact from this number, and a
// count of the text alone lets tool results, schemas and images overflow the context.
// Fixed estimates below come from Anthropic's documentation:
// - images: tokens ≈ width × height / 750 after the API's downscale (long edge ≤ 1568 px,
//   ≈1.15 MP, i.e. at most ~1600 tokens) — docs "Vision → Evaluate image size";
// - PDFs: each page is extracted text (1,500–3,000 tokens typical) plus the page as an image
//   — docs "PDF support → Estimate your costs";
// - tools: the tool-use system prompt Anthropic adds (346 tokens with tool_choice auto/none,
//   313 with any/tool for Claude 4 models) — docs "Tool use → Pricing".
type Tokenizer = (text: string) => number;
type Block = Record<string, any>;

/** Image whose size cannot be read (URL, file id, unknown format): the largest unscaled image. */
export const IMAGE_TOKENS_UNKNOWN = 1600;
const IMAGE_TOKENS_MAX = 1600;
const IMAGE_MAX_EDGE = 1568;
/** Low end of the documented text per PDF page plus the page image. */
export const PDF_PAGE_TOKENS = 1500 + IMAGE_TOKENS_MAX;
const TOOL_PROMPT_AUTO = 346;
const TOOL_PROMPT_FORCED = 313;
/** Role markers and turn separators around each message. */
const MESSAGE_OVERHEAD = 3;

/** Width and height from a PNG, GIF, JPEG or WebP header; null when not recognised. */
export function imageDimensions(b: Uint8Array): { width: number; height: number } | null {
  const u16be = (i: number) => (b[i]! << 8) | b[i + 1]!;
  const u16le = (i: number) => b[i]! | (b[i + 1]! << 8);
  const u24le = (i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
  const u32be = (i: number) => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
  const ascii = (i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));
  if (b.length >= 24 && b[0] === 0x89 && ascii(1, 3) === "PNG") return { width: u32be(16), height: u32be(20) };
  if (b.length >= 10 && ascii(0, 4) === "GIF8") return { width: u16le(6), height: u16le(8) };
  if (b.length >= 30 && ascii(0, 4) === "RIFF" && ascii(8, 4) === "WEBP") {
    const chunk = ascii(12, 4);
    if (chunk === "VP8 ") return { width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
    if (chunk === "VP8L") return { width: 1 + (((b[22]! & 0x3f) << 8) | b[21]!), height: 1 + (((b[24]! & 0x0f) << 10) | (b[23]! << 2) | ((b[22]! & 0xc0) >> 6)) };
    if (chunk === "VP8X") return { width: 1 + u24le(24), height: 1 + u24le(27) };
    return null;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1]!;
      if (marker === 0xff) {
        i++;
        continue;
      }
      // SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG), CC (DAC) are not frames.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: u16be(i + 7), height: u16be(i + 5) };
      i += 2 + u16be(i + 2);
    }
  }
  return null;
}

export function imageTokens(width: number, height: number): number {
  if (!(width > 0 && height > 0)) return IMAGE_TOKENS_UNKNOWN;
  const scale = Math.min(1, IMAGE_MAX_EDGE / Math.max(width, height));
  return Math.min(IMAGE_TOKENS_MAX, Math.ceil((width * scale * height * scale) / 750));
}

const decode = (data: string): Uint8Array => {
  try {
    return new Uint8Array(Buffer.from(data, "base64"));
  } catch {
    return new Uint8Array(0);
  }
};

function imageBlockTokens(source: Block | undefined): number {
  if (source?.type !== "base64" || typeof source.data !== "string") return IMAGE_TOKENS_UNKNOWN;
  const dims = imageDimensions(decode(source.data));
  return dims ? imageTokens(dims.width, dims.height) : IMAGE_TOKENS_UNKNOWN;
}

function pdfPages(data: string): number {
  const text = Buffer.from(decode(data)).toString("latin1");
  const pages = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return Math.max(1, pages);
}

function documentTokens(b: Block, count: Tokenizer, blocks: (c: unknown) => number): number {
  const src = b.source ?? {};
  let n = 0;
  if (typeof b.title === "string") n += count(b.title);
  if (typeof b.context === "string") n += count(b.context);
  if (src.type === "text" && typeof src.data === "string") return n + count(src.data);
  if (src.type === "content") return n + blocks(src.content);
  if (src.type === "base64" && typeof src.data === "string") {
    if (typeof src.media_type === "string" && src.media_type.startsWith("text/")) return n + count(Buffer.from(src.data, "base64").toString("utf8"));
    return n + pdfPages(src.data) * PDF_PAGE_TOKENS;
  }
  return n + PDF_PAGE_TOKENS;
}

export function countAnthropicTokens(body: Record<string, unknown>, tokenizer: Tokenizer): { input_tokens: number } {
  const count = (text: unknown): number => (typeof text === "string" && text ? tokenizer(text) : 0);

  function blocks(content: unknown): number {
    if (typeof content === "string") return count(content);
    if (!Array.isArray(content)) return 0;
    return content.reduce((sum: number, b: Block) => sum + block(b), 0);
  }

  function block(b: Block): number {
    if (typeof b === "string") return count(b);
    if (!b || typeof b !== "object") return 0;
    switch (b.type) {
      case "text":
        return count(b.text);
      case "image":
        return imageBlockTokens(b.source);
      case "document":
        return documentTokens(b, count, blocks);
      case "tool_use":
      case "server_tool_use":
        return count(b.name) + count(typeof b.input === "string" ? b.input : JSON.stringify(b.input ?? {}));
      case "tool_result":
        return count(b.tool_use_id) + blocks(b.content);
      case "thinking":
        return count(b.thinking);
      case "redacted_thinking":
        return count(b.data);
      default: {
        // Anything else (web_search_tool_result, search_result, container_upload…): its JSON.
        const { cache_control: _, ...rest } = b;
        return count(JSON.stringify(rest));
      }
    }
  }

  let total = blocks(body.system);
  const messages = Array.isArray(body.messages) ? (body.messages as Block[]) : [];
  for (const m of messages) total += MESSAGE_OVERHEAD + blocks(m?.content);

  const tools = Array.isArray(body.tools) ? (body.tools as Block[]) : [];
  if (tools.length) {
    const forced = (body.tool_choice as Block | undefined)?.type === "any" || (body.tool_choice as Block | undefined)?.type === "tool";
    total += forced ? TOOL_PROMPT_FORCED : TOOL_PROMPT_AUTO;
    for (const t of tools) {
      if (!t || typeof t !== "object") continue;
      if (typeof t.type === "string" && t.type !== "custom") {
        const { cache_control: _, ...rest } = t;
        total += count(JSON.stringify(rest));
      } else total += count(t.name) + count(t.description) + count(JSON.stringify(t.input_schema ?? {}));
    }
  }
  return { input_tokens: total };
}
