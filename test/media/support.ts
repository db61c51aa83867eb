// Helpers shared by the media tests: real audio bytes and a gateway wired to fake upstreams.
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection } from "../support/setup.ts";

/** A 16-bit mono PCM WAV of a 440 Hz tone: a real file any decoder (and our sniffer) accepts. */
export function makeWav(seconds = 0.5, sampleRate = 16_000): Uint8Array<ArrayBuffer> {
  const samples = Math.round(seconds * sampleRate);
  const buf = new ArrayBuffer(44 + samples * 2);
  const v = new DataView(buf);
  const text = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  v.setUint32(4, 36 + samples * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true); // byte rate
  v.setUint16(32, 2, true); // block align
  v.setUint16(34, 16, true); // bits per sample
  text(36, "data");
  v.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) v.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 8000), true);
  return new Uint8Array(buf);
}

/** A multipart request to the transcription endpoint, as curl -F would send it. */
export function transcriptionForm(fields: Record<string, string>, file?: { bytes: Uint8Array<ArrayBuffer>; name: string; type?: string }): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append("file", new Blob([file.bytes], { type: file.type ?? "" }), file.name);
  return form;
}

/** A gateway with one connection per provider, each pointing at its fake's base URL. */
export async function gatewayWith(connections: { provider: string; baseUrl: string; apiKey?: string }[]): Promise<TestGateway> {
  const gw = await startGateway();
  for (const c of connections) await addConnection(gw, c);
  return gw;
}

export function json(gw: TestGateway, path: string, body: unknown, headers: Record<string, string> = {}) {
  return gw.request(path, { method: "POST", json: body, headers });
}
