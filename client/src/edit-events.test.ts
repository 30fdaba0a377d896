import { describe, expect, it } from "vitest";
import { readEditEvents } from "./edit-events.js";
import { UnexpectedResponseError } from "./errors.js";

const id = "ed_Q2w9Xk4LmN7pR1tYv8Zb";
const at = "2026-01-01T00:00:00.000Z";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe("readEditEvents", () => {
  it("yields status and progress events in order, across chunk boundaries, and skips other messages", async () => {
    const running = JSON.stringify({ type: "status", id, status: "running", at });
    const progress = JSON.stringify({ type: "progress", id, progress: { step: 3, total: 12 }, at });
    const text = `: ping\n\nevent: status\ndata: ${running}\n\nevent: hello\ndata: {}\n\nevent: progress\ndata: ${progress}\n\n`;
    const events = [];
    for await (const event of readEditEvents(streamOf([text.slice(0, 40), text.slice(40, 41), text.slice(41)]))) {
      events.push(event);
    }
    expect(events).toEqual([JSON.parse(running), JSON.parse(progress)]);
  });

  it("yields preview events with their JPEG data URL", async () => {
    const preview = JSON.stringify({
      type: "preview",
      id,
      preview: { index: 0, step: 0, total: 12, width: 64, height: 48, url: "data:image/jpeg;base64,/9j/" },
      at,
    });
    const events = [];
    for await (const event of readEditEvents(streamOf([`id: 7\nevent: preview\ndata: ${preview}\n\n`]))) {
      events.push(event);
    }
    expect(events).toEqual([JSON.parse(preview)]);
  });

  it("fails on an event that does not match the schema rather than showing something made up", async () => {
    const bad = streamOf([`event: progress\ndata: {"type":"progress","id":"${id}","progress":{"step":-1}}\n\n`]);
    await expect(async () => {
      for await (const _ of readEditEvents(bad));
    }).rejects.toBeInstanceOf(UnexpectedResponseError);
  });
});
