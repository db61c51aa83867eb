// Streams a finished file from .staging to the client and removes it: the response never holds
// the whole snapshot in memory, and the file goes once the client has read it all or gone away
// (anything a crash leaves in .staging is cleared at the next start).
import { open, rm } from "node:fs/promises";

const CHUNK = 256 * 1024;

export async function streamAndDelete(path: string, headers: Record<string, string>): Promise<Response> {
  const handle = await open(path, "r");
  const { size } = await handle.stat();
  let done = false;
  const finish = async () => {
    if (done) return;
    done = true;
    await handle.close().catch(() => {});
    await rm(path, { force: true });
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const buffer = new Uint8Array(CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) {
          await finish();
          controller.close();
          return;
        }
        controller.enqueue(buffer.subarray(0, bytesRead));
      } catch (err) {
        controller.error(err);
        await finish();
      }
    },
    cancel: finish,
  });
  return new Response(body, {
    headers: { "content-length": String(size), "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers },
  });
}
