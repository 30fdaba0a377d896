/** @module edit-events: the server-sent events of one edit, read from a fetch body, each checked by the schema. */
import { UnexpectedResponseError } from "./errors.js";
import { EditEvent } from "./schemas.js";
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
        if (editEventNames.has(message.event)) yield parseEvent(message.data);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function parseEvent(data: string): EditEvent {
  const request = "GET /v1/edits/{id}/events";
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new UnexpectedResponseError(request, [`an event's data is not JSON: ${data.slice(0, 200)}`]);
  }
  const event = EditEvent.safeParse(json);
  if (!event.success) {
    throw new UnexpectedResponseError(
      request,
      event.error.issues.map((i) => `${i.path.map(String).join(".") || "(event)"}: ${i.message}`),
    );
  }
  return event.data;
}
