/** @module sse-parser: text/event-stream framing (the HTML standard's event stream interpretation), fed in chunks. */

export interface SseMessage {
  /** The `event:` field, "message" when the message named none. */
  readonly event: string;
  /** The `data:` lines joined with "\n". */
  readonly data: string;
  /** The last `id:` seen so far (it carries over to later messages, like EventSource's lastEventId). */
  readonly id: string | undefined;
}

const lineEnd = /\r\n|\r|\n/;

/** Feed it decoded text as it arrives; it returns the messages each chunk completes. */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const match = lineEnd.exec(this.buffer);
      if (!match) break;
      // A chunk may end between the \r and the \n of one line end: wait for the next chunk to tell.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.readLine(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  private readLine(line: string): SseMessage | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const raw = colon < 0 ? "" : line.slice(colon + 1);
    const value = raw.startsWith(" ") ? raw.slice(1) : raw;
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const message =
      this.data.length === 0 ? undefined : { event: this.event || "message", data: this.data.join("\n"), id: this.id };
    this.event = "";
    this.data = [];
    return message;
  }
}
