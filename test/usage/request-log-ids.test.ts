import { expect, test } from "bun:test";
import { uuidV7Millis } from "../../src/usage/request-logs.ts";

test("the request-log lookup reads the start time out of a UUIDv7 request id, and nothing out of other ids", () => {
  const before = Date.now();
  const id = Bun.randomUUIDv7();
  const after = Date.now();
  const ms = uuidV7Millis(id)!;
  expect(ms).toBeGreaterThanOrEqual(before);
  expect(ms).toBeLessThanOrEqual(after);
  expect(uuidV7Millis(Bun.randomUUIDv7("hex", 1_700_000_000_123))).toBe(1_700_000_000_123);
  expect(uuidV7Millis(crypto.randomUUID())).toBeNull();
  expect(uuidV7Millis("seed-1")).toBeNull();
  expect(uuidV7Millis("")).toBeNull();
});
