import { SELF } from "cloudflare:test";
import { type EditEvent, EditEvent as EditEventSchema } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import { submitAccepted, uploadPng } from "../test-support/edits.js";
import { claimEdit, jobCall, storeOutput } from "../test-support/runner.js";

/** Reads server-sent events one at a time from a streaming response. */
function eventReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    /** The next event (its `event:` name, parsed `data:` and `id:` if any), or null when the stream has ended. */
    async next(): Promise<{ name: string; data: EditEvent; id?: string } | null> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split("\n").filter((line) => !line.startsWith(":"));
          if (lines.length === 0) continue;
          const name = lines.find((l) => l.startsWith("event: "))!.slice(7);
          const data = lines.find((l) => l.startsWith("data: "))!.slice(6);
          const id = lines.find((l) => l.startsWith("id: "))?.slice(4);
          return { name, data: EditEventSchema.parse(JSON.parse(data)), ...(id !== undefined && { id }) };
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe("GET /v1/edits/{id}/events", () => {
  it("streams the status on connect, each change, the progress, and ends after the final status", async () => {
    const customer = await createCustomer("events-stream");
    const image = await uploadPng(customer.key, 64, 64);
    const accepted = await submitAccepted(customer.key, { task: "img2img", image, strength: 0.5, steps: 10 });
    const response = await SELF.fetch(`https://edge.test/v1/edits/${accepted.id}/events`, {
      headers: { authorization: `Bearer ${customer.key}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = eventReader(response);

    expect(await events.next()).toMatchObject({
      name: "status",
      data: { type: "status", id: accepted.id, status: "queued" },
    });
    const job = await claimEdit(accepted.id);
    expect(await events.next()).toMatchObject({ name: "status", data: { status: "running" } });
    await jobCall(job.id, "progress", { lease_id: job.lease.id, step: 2, total: 5 });
    expect(await events.next()).toMatchObject({ name: "progress", data: { progress: { step: 2, total: 5 } } });
    await jobCall(job.id, "complete", await storeOutput(job));
    expect(await events.next()).toMatchObject({ name: "progress", data: { progress: { step: 5, total: 5 } } });
    expect(await events.next()).toMatchObject({ name: "status", data: { status: "succeeded" } });
    expect(await events.next()).toBeNull();
  });

  it("sends each preview once, in order, with its sequence as the event id, all before the final status", async () => {
    const customer = await createCustomer("events-previews");
    const image = await uploadPng(customer.key, 64, 64);
    const accepted = await submitAccepted(customer.key, {
      task: "img2img",
      image,
      strength: 0.5,
      steps: 12,
      previews: 3,
    });
    const open = (lastEventId?: string) =>
      SELF.fetch(`https://edge.test/v1/edits/${accepted.id}/events`, {
        headers: {
          authorization: `Bearer ${customer.key}`,
          ...(lastEventId !== undefined && { "last-event-id": lastEventId }),
        },
      });
    const events = eventReader(await open());
    expect(await events.next()).toMatchObject({ name: "status", data: { status: "queued" } });
    const job = await claimEdit(accepted.id);
    expect(await events.next()).toMatchObject({ name: "status", data: { status: "running" } });

    const preview = (index: number) => ({
      lease_id: job.lease.id,
      index,
      step: 2 * (index + 1),
      total: 6,
      width: 64,
      height: 64,
      content_type: "image/jpeg",
      data: btoa(`preview ${index}`),
    });
    await jobCall(job.id, "preview", preview(0));
    const first = await events.next();
    expect(first).toMatchObject({
      name: "preview",
      data: { type: "preview", id: accepted.id, preview: { index: 0, step: 2, total: 6, width: 64, height: 64 } },
    });
    expect(first!.data.type === "preview" && first!.data.preview.url).toBe(
      `data:image/jpeg;base64,${btoa("preview 0")}`,
    );
    // The rest, polled in whatever groups they land in: the two previews, in order, then the final status.
    await jobCall(job.id, "preview", preview(1));
    await jobCall(job.id, "preview", preview(2));
    await jobCall(job.id, "complete", await storeOutput(job));
    const rest = [];
    for (let event = await events.next(); event; event = await events.next()) rest.push(event);
    expect(
      rest.filter((e) => e.name === "preview").map((e) => e.data.type === "preview" && e.data.preview.index),
    ).toEqual([1, 2]);
    expect(rest.at(-1)).toMatchObject({ name: "status", data: { status: "succeeded" } });
    const ids = [first!, ...rest.filter((e) => e.name === "preview")].map((e) => Number(e.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);

    // A reconnect: all previews again without Last-Event-ID, only the later ones after the first's id.
    const previewIndices = async (lastEventId?: string) => {
      const replay = eventReader(await open(lastEventId));
      const indices: number[] = [];
      for (let event = await replay.next(); event; event = await replay.next()) {
        if (event.data.type === "preview") indices.push(event.data.preview.index);
      }
      return indices;
    };
    expect(await previewIndices()).toEqual([0, 1, 2]);
    expect(await previewIndices(first!.id)).toEqual([1, 2]);
    expect(await previewIndices("not-a-preview-id")).toEqual([0, 1, 2]);
  });

  it("sends a finished edit's final status at once and ends", async () => {
    const customer = await createCustomer("events-finished");
    const image = await uploadPng(customer.key, 64, 64);
    const accepted = await submitAccepted(customer.key, { task: "img2img", image, strength: 0.5 });
    await call("POST", `/v1/edits/${accepted.id}/cancel`, { token: customer.key });
    const response = await SELF.fetch(`https://edge.test/v1/edits/${accepted.id}/events`, {
      headers: { authorization: `Bearer ${customer.key}` },
    });
    const events = eventReader(response);
    expect(await events.next()).toMatchObject({ name: "status", data: { status: "canceled" } });
    expect(await events.next()).toBeNull();
  });

  it("is a 404 problem for another account's edit", async () => {
    const owner = await createCustomer("events-owner");
    const image = await uploadPng(owner.key, 64, 64);
    const accepted = await submitAccepted(owner.key, { task: "img2img", image, strength: 0.5 });
    const stranger = await createCustomer("events-stranger");
    expectProblem(await call("GET", `/v1/edits/${accepted.id}/events`, { token: stranger.key }), 404, "not_found");
    await call("POST", `/v1/edits/${accepted.id}/cancel`, { token: owner.key });
  });
});
