// A Server-Sent Events parser (html.spec.whatwg.org/multipage/server-sent-events.html) as a
// pure state machine: bytes in any split (inside a UTF-8 character, a field name, a CRLF) →
// complete events. LF, CRLF and lone CR all end a line; `:` lines are comments.
export interface SseMessage {
  event: string;
  data: string;
}

export interface SseParser {
  push(chunk: Uint8Array): SseMessage[];
  end(): SseMessage[];
}

export function createSseParser(): SseParser {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];

  function dispatch(out: SseMessage[]) {
    if (data.length) out.push({ event, data: data.join("\n") });
    event = "";
    data = [];
  }

  function line(text: string, out: SseMessage[]) {
    if (text === "") return dispatch(out);
    if (text.charCodeAt(0) === 58 /* : */) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
  }

  function drain(final: boolean): SseMessage[] {
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A CR at the end of what we have may be the first half of a CRLF: wait for more.
      if (c === 13 && i + 1 === buffer.length && !final) break;
      line(buffer.slice(start, i), out);
      if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    buffer = buffer.slice(start);
    if (final) {
      if (buffer) line(buffer, out);
      buffer = "";
      dispatch(out);
    }
    return out;
  }

  return {
    push(chunk) {
      buffer += decoder.decode(chunk, { stream: true });
      return drain(false);
    },
    end() {
      buffer += decoder.decode();
      return drain(true);
    },
  };
}
