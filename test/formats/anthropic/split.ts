// The shared chunk-splitting helpers (test/support/stream-splits.ts).
export { randomSizes, readAll, splitEvery } from "../../support/stream-splits.ts";
