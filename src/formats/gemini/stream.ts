// Gemini streams: upstream bytes → canonical events (stream-reader.ts) and canonical events →
// a Gemini client's SSE or streamed JSON array (stream-writer.ts).
export { createGeminiStreamReader } from "./stream-reader.ts";
export { createGeminiStreamWriter } from "./stream-writer.ts";
