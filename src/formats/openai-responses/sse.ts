// A server-sent-events decoder that accepts chunks split at any byte: inside a UTF-8
// character, inside a field name, between the CR and LF of a CRLF. Lines end in LF, CRLF or
// CR; a blank line dispatches the event; `:` lines are comments (keep-alives).

export interface SseMessage {
  event: string | null;
  data: string;
}

export class SseDecoder {
  private readonly text = new TextDecoder();
  private buffer = "";
  private event: string | null = null;
  private data: string[] = [];

  push(chunk: Uint8Array): SseMessage[] {
    this.buffer += this.text.decode(chunk, { stream: true });
    return this.drain(false);
  }

  end(): SseMessage[] {
    this.buffer += this.text.decode();
    const out = this.drain(true);
    const last = this.dispatch();
    if (last) out.push(last);
    return out;
  }

  private drain(final: boolean): SseMessage[] {
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      // A CR at the very end may be the first half of a CRLF still in flight.
      if (ch === 13 && i === this.buffer.length - 1 && !final) break;
      const line = this.buffer.slice(start, i);
      if (ch === 13 && this.buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
      const msg = this.line(line);
      if (msg) out.push(msg);
    }
    this.buffer = this.buffer.slice(start);
    if (final && this.buffer) {
      const msg = this.line(this.buffer);
      if (msg) out.push(msg);
      this.buffer = "";
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    return null;
  }

  private dispatch(): SseMessage | null {
    const msg = this.data.length > 0 ? { event: this.event, data: this.data.join("\n") } : null;
    this.event = null;
    this.data = [];
    return msg;
  }
}
