// Collects a cacheable request's answer on its way to the client, in canonical form, and
// stores it once the request finished well (status 200, the answer complete). Attached to the
// RequestRecord only when the request is cacheable, so the paths that produce answers pay one
// null check otherwise:
//  - non-streamed: the path hands over the canonical response it parsed (a same-format
//    pass-through parses the upstream's bytes with the upstream adapter for this);
//  - streamed: the events read from the upstream are accumulated (tapReader), or, for a
//    pass-through that has no reader of its own, the bytes are read on the side (tapBody).
import type { CanonicalResponse } from "../../formats/canonical.ts";
import type { StreamReader, UpstreamFormatAdapter } from "../../formats/types.ts";
import { ResponseAccumulator } from "./replay.ts";
import type { ResponseCache } from "./response-cache.ts";

interface FinishingRecord {
  provider: string | null;
  model: string | null;
  onFinish(hook: (status: number) => void): void;
}

export class ResponseCapture {
  private whole: CanonicalResponse | null = null;
  private stream: ResponseAccumulator | null = null;

  constructor(
    private readonly cache: ResponseCache,
    private readonly key: string,
    rec: FinishingRecord,
  ) {
    rec.onFinish((status) => {
      if (status !== 200) return;
      const answer = this.whole ?? this.stream?.result() ?? null;
      if (answer) this.cache.store(this.key, answer, rec.provider ? `${rec.provider}/${rec.model ?? ""}` : rec.model);
    });
  }

  /** A non-streamed answer, as parsed. */
  response(res: CanonicalResponse): void {
    this.whole = res;
  }

  /** The reader a streamed answer is translated (or observed) with, recording its events too. */
  tapReader(reader: StreamReader): StreamReader {
    const acc = (this.stream = new ResponseAccumulator());
    return {
      push(chunk) {
        const events = reader.push(chunk);
        for (const ev of events) acc.push(ev);
        return events;
      },
      end() {
        const events = reader.end();
        for (const ev of events) acc.push(ev);
        return events;
      },
    };
  }

  /** The upstream body, unchanged, with its bytes also read by `adapter`'s stream reader. */
  tapBody(body: ReadableStream<Uint8Array>, adapter: UpstreamFormatAdapter): ReadableStream<Uint8Array> {
    const reader = this.tapReader(adapter.createStreamReader());
    const source = body.getReader();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await source.read();
        if (done) {
          reader.end();
          controller.close();
          return;
        }
        reader.push(value);
        controller.enqueue(value);
      },
      cancel(reason) {
        return source.cancel(reason);
      },
    });
  }
}
