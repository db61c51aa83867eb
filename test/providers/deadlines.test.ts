import { expect, test } from "bun:test";
import { deadline, pendingDeadlines } from "../../src/providers/deadlines.ts";
import { startFakeOpenAi } from "../support/fake-openai.ts";
import { startGateway } from "../support/gateway.ts";
import { addConnection, chat } from "../support/setup.ts";

test("a deadline fires once, and not before its time", async () => {
  const t0 = performance.now();
  const fired: number[] = [];
  deadline(60, () => fired.push(performance.now() - t0));
  await Bun.sleep(30);
  expect(fired).toEqual([]);
  await Bun.sleep(100);
  expect(fired.length).toBe(1);
  // No upper bound asserted: a loaded CI machine runs any timer late; the sweep's 20 ms is its own.
  expect(fired[0]!).toBeGreaterThanOrEqual(60);
});

test("a cancelled deadline never fires; the others still do", async () => {
  const fired: string[] = [];
  const cancel = deadline(30, () => fired.push("cancelled"));
  deadline(40, () => fired.push("kept"));
  cancel();
  await Bun.sleep(100);
  expect(fired).toEqual(["kept"]);
});

test("deadlines added while others are pending keep their own times", async () => {
  const fired: string[] = [];
  deadline(150, () => fired.push("late"));
  await Bun.sleep(10);
  deadline(20, () => fired.push("early"));
  await Bun.sleep(70);
  expect(fired).toEqual(["early"]);
  await Bun.sleep(130);
  expect(fired).toEqual(["early", "late"]);
});

test("a watched signal that aborts calls onAbort instead of the time limit; a cancelled one is no longer watched", async () => {
  const calls: string[] = [];
  const client = new AbortController();
  deadline(10_000, () => calls.push("timeout"), { signal: client.signal, onAbort: () => calls.push("client gone") });
  const other = new AbortController();
  const stop = deadline(10_000, () => calls.push("other timeout"), { signal: other.signal, onAbort: () => calls.push("other gone") });
  const before = pendingDeadlines();
  client.abort();
  stop();
  other.abort();
  await Bun.sleep(100);
  expect(calls).toEqual(["client gone"]);
  expect(pendingDeadlines()).toBe(before - 2);
});

test("gateway requests leave no time limit behind: answered, streamed, refused by the upstream, unreachable", async () => {
  const fake = startFakeOpenAi();
  const gw = await startGateway();
  try {
    await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
    const before = pendingDeadlines();
    const send = async (body: Record<string, unknown>) => (await gw.request("/v1/chat/completions", { method: "POST", json: body })).text();
    for (let i = 0; i < 20; i++) {
      await send(chat("openai/gpt-4o-mini"));
      await send(chat("openai/gpt-4o-mini", { stream: true }));
      await send(chat("openai/x-error-400"));
    }
    expect(pendingDeadlines()).toBe(before);
    fake.close();
    await send(chat("openai/gpt-4o-mini"));
    expect(pendingDeadlines()).toBe(before);
  } finally {
    await gw.close();
    fake.close();
  }
});
