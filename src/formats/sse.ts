// Server-sent events parsing for every SSE wire format (OpenAI Chat, Responses, Anthropic):
// html.spec.whatwg.org/multipage/server-sent-events.html as a pure state machine. Bytes may
// be cut anywhere (inside a UTF-8 character, inside `data:`, between CR and LF); LF, CRLF and
// lone CR end a line; `:` lines are comments (keep-alives).

export interface SseMessage {
  event: string | null;
  data: string;
}

export interface SseParser {
  push(chunk: Uint8Array): SseMessage[];
  end(): SseMessage[];
}

/**
 * @param isComplete optional check used when a server forgets the blank line between events:
 *   a second `data:` line arriving while the held data is already complete starts a new event.
 */
export function createSseParser(isComplete?: (data: string) => boolean): SseParser {
  const decoder = new TextDecoder();
  let buffer = "";
  let event: string | null = null;
  let data: string[] = [];

  function dispatch(out: SseMessage[]) {
    if (data.length) out.push({ event, data: data.join("\n") });
    event = null;
    data = [];
  }

  function line(text: string, out: SseMessage[]) {
    if (text === "") return dispatch(out);
    if (text.startsWith(":")) return; // comment (keep-alive)
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      if (data.length && isComplete?.(data.join("\n"))) dispatch(out);
      data.push(value);
    } else if (field === "event") event = value;
  }

  function drain(final: boolean): SseMessage[] {
    const out: SseMessage[] = [];
    let pos = 0;
    for (;;) {
      let i = pos;
      while (i < buffer.length && buffer[i] !== "\n" && buffer[i] !== "\r") i++;
      if (i === buffer.length) break;
      // A CR at the very end may be the first half of CRLF: wait for the next chunk.
      if (buffer[i] === "\r" && i === buffer.length - 1 && !final) break;
      const text = buffer.slice(pos, i);
      pos = buffer[i] === "\r" && buffer[i + 1] === "\n" ? i + 2 : i + 1;
      line(text, out);
    }
    buffer = buffer.slice(pos);
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
