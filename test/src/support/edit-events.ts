/** @module edit-events: an edit's server-sent events as a client reads them: each one parsed by the shared schema. */
import { EditEvent } from "@stochedit/shared";

export interface ReceivedEvent {
  readonly event: EditEvent;
  /** The `id:` line (a preview's sequence number), if the event had one. */
  readonly id?: string;
}

/** Every event of the stream until the server ends it (after the edit's final status). */
export async function readEditEvents(response: Response): Promise<ReceivedEvent[]> {
  const received: ReceivedEvent[] = [];
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const lines = buffer.slice(0, end).split("\n");
      buffer = buffer.slice(end + 2);
      const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      const data = field("data");
      if (data === undefined) continue;
      const id = field("id");
      received.push({ event: EditEvent.parse(JSON.parse(data)), ...(id !== undefined && { id }) });
    }
  }
  return received;
}
