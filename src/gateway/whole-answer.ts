// Whole answers: a non-streamed upstream answer turned canonical and recorded (wholeAnswer), and
// a streamed request that did not get a stream back. Some OpenAI-compatible servers ignore
// `stream` and answer with one JSON body; a captive portal or a proxy's error page answers
// with HTML. Nothing has reached the client yet in either case, so it still gets what it
// asked for: the whole answer written as its own kind of stream (from the canonical form, as
// a cache hit is replayed), or a 502 in its own error shape instead of a web page.
import { GatewayError } from "../errors.ts";
import type { CanonicalResponse } from "../formats/canonical.ts";
import type { ClientFormat, ClientStreamContext, UpstreamFormatAdapter } from "../formats/types.ts";
import { eventsOf } from "../features/cache/replay.ts";
import type { UpstreamResult } from "../providers/executor.ts";
import type { RequestRecord } from "./request-record.ts";
import type { Target } from "./resolve.ts";
import { errorInBody } from "./upstream-error.ts";

const HTML = /^\s*(text\/html|application\/xhtml\+xml)\b/i;
const JSON_TYPE = /^\s*application\/json\b/i;

export const isJsonType = (contentType: string) => JSON_TYPE.test(contentType);

const decoder = new TextDecoder();

/**
 * An upstream answer's whole body; a 502 when the connection drops before its end. The call's
 * deadline is cleared either way: the answer has come, or failed.
 */
export async function readWholeBody(res: Response, clearDeadline: () => void, providerId: string): Promise<ArrayBuffer> {
  try {
    return await res.arrayBuffer();
  } catch (err) {
    throw new GatewayError(502, "upstream_bad_response", `[${providerId}] connection dropped while reading the response: ${(err as Error).message}`);
  } finally {
    clearDeadline();
  }
}

export type StreamedAnswer =
  /** A stream (or something only a stream reader can judge): relay it. */
  | { kind: "stream"; body: ReadableStream<Uint8Array> }
  /** One JSON document: the whole answer. */
  | { kind: "whole"; json: unknown };

/**
 * What came back for a streamed request. A web page throws the 502; a body labelled JSON is
 * read whole — and, if it is not JSON after all (a server that labels its event stream
 * application/json), handed on as a stream for the reader to judge.
 */
export async function readStreamedAnswer(
  res: Response,
  up: UpstreamResult,
  providerId: string,
  /** The stream itself is JSON (Gemini's :streamGenerateContent without alt=sse is one array, sent element by element). */
  opts: { jsonStream?: boolean } = {},
): Promise<StreamedAnswer> {
  const contentType = res.headers.get("content-type") ?? "";
  if (!res.body) throw new GatewayError(502, "upstream_bad_response", `[${providerId}] sent an empty stream`);
  if (HTML.test(contentType)) {
    await res.body.cancel().catch(() => {});
    up.clearTimeout();
    throw new GatewayError(502, "upstream_bad_response", `[${providerId}] answered a streamed request with a web page (${contentType.split(";")[0]!.trim()}), not a stream`);
  }
  if (opts.jsonStream || !JSON_TYPE.test(contentType)) return { kind: "stream", body: res.body };
  const text = decoder.decode(await readWholeBody(res, up.clearTimeout, providerId));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // A whole answer is one object in every format; anything else is for the stream reader to judge.
  if (json && typeof json === "object" && !Array.isArray(json)) return { kind: "whole", json };
  return { kind: "stream", body: new Response(text).body! };
}

/** The stream the client asked for, written at once from a whole answer. */
export function streamOfWhole(client: ClientFormat, streamCtx: ClientStreamContext, answer: CanonicalResponse, headers: Record<string, string>): Response {
  const writer = client.createStreamWriter(streamCtx);
  let text = "";
  for (const ev of eventsOf(answer)) text += writer.write(ev);
  text += writer.end();
  return new Response(text, {
    status: 200,
    headers: { ...headers, "content-type": client.streamContentType(streamCtx), "cache-control": "no-cache", "x-accel-buffering": "no" },
  });
}

/** A whole upstream answer in canonical form, recorded (usage row, response cache); a 502 when it is not one. */
export function wholeAnswer(input: { rec: RequestRecord; target: Target }, adapter: Pick<UpstreamFormatAdapter, "parseResponse">, parsed: unknown): CanonicalResponse {
  const { rec, target } = input;
  rec.markFirstByte();
  let canonicalRes: CanonicalResponse;
  try {
    canonicalRes = adapter.parseResponse(parsed);
  } catch (err) {
    if (err instanceof GatewayError && err.code === "upstream_error") throw errorInBody(err, target.provider.id);
    throw new GatewayError(502, "upstream_bad_response", `[${target.provider.id}] returned an unexpected response: ${(err as Error).message}`);
  }
  rec.capture?.response(canonicalRes);
  rec.finish(200, { usage: canonicalRes.usage, finishReason: canonicalRes.finishReason });
  return canonicalRes;
}
