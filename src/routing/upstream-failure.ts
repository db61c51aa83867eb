// An upstream answered with an error before anything reached the client. The sending code
// (pass-through or translation) throws this instead of answering, so the fallback loop can
// decide: move on to the next connection or target, or give the client this very answer
// (`respond`, e.g. the upstream's own error body when the formats match).
import type { GatewayError } from "../errors.ts";

export class UpstreamFailure extends Error {
  constructor(
    readonly error: GatewayError,
    readonly respond: () => Response,
  ) {
    super(error.message);
    this.name = "UpstreamFailure";
  }
}
