// SIGTERM while a stream is in flight: the stream finishes, usage is flushed, exit code 0.
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeOpenAi } from "../support/fake-openai.ts";

async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const p = s.port;
  s.stop(true);
  return p!;
}

test("SIGTERM lets an in-flight stream finish, flushes usage and exits 0", async () => {
  const fake = startFakeOpenAi({ slowMs: 800 });
  const dataDir = mkdtempSync(join(tmpdir(), "omniroute-shutdown-"));
  const port = await freePort();
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "../../src/main.ts"), "--port", String(port), "--host", "127.0.0.1", "--data-dir", dataDir, "--usage-flush-ms", "60000"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      const ok = await fetch(`${base}/api/monitoring/health`).then((r) => r.ok, () => false);
      if (ok) break;
      await Bun.sleep(25);
    }
    const created = await fetch(`${base}/api/providers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "openai", apiKey: "sk-fake-upstream", name: "fake", providerSpecificData: { baseUrl: fake.baseUrl } }),
    });
    expect(created.status).toBe(201);

    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/x-slow-stream", stream: true, messages: [{ role: "user", content: "bye" }] }),
    });
    const reader = res.body!.getReader();
    await reader.read(); // the stream has begun
    proc.kill("SIGTERM");
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("data: [DONE]");
    expect(await proc.exited).toBe(0);

    const db = new Database(join(dataDir, "omniroute.sqlite"));
    const rows = db.query("SELECT status, stream FROM usage_records").all();
    db.close();
    expect(rows).toEqual([{ status: 200, stream: 1 }]);
  } finally {
    proc.kill("SIGKILL");
    fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
