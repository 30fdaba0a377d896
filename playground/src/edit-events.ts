/** @module edit-events: the server-sent events of one edit, read from a fetch body, each checked by the schema. */
import { EditEvent } from "@stochedit/shared";
import { SseParser } from "./sse-parser.js";

/** Event names that carry an EditEvent; others (comments, future kinds) are passed over. */
const editEventNames = new Set<string>(["status", "progress", "preview"]);

/** Yields events until the server closes the stream or the consumer stops reading (the body is then canceled). */
export async function* readEditEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<EditEvent> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) {
        if (editEventNames.has(message.event)) yield EditEvent.parse(JSON.parse(message.data));
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
