import type { Edit, Quote } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import { ledgerTotals, submit, submitAccepted, uploadPng } from "../test-support/edits.js";
import { claimEdit, jobCall, storeOutput } from "../test-support/runner.js";

const drag = (image: string) => ({
  task: "drag" as const,
  image,
  points: [{ from: [8, 8] as [number, number], to: [20, 12] as [number, number] }],
  steps: 10,
});
const getEdit = (key: string, id: string) => call<Edit>("GET", `/v1/edits/${id}`, { token: key });

/** Claims and completes the edit as a runner would; returns the bytes the runner was given as its image. */
async function run(editId: string): Promise<Uint8Array> {
  const job = await claimEdit(editId);
  const input = new Uint8Array(await (await fetch(job.image.url)).arrayBuffer());
  expect((await jobCall(editId, "complete", await storeOutput(job, { width: 96, height: 64 }))).status).toBe(200);
  return input;
}

describe("chained edits (image: ed_...)", () => {
  it("runs a chain of three, each on its parent's output, and shows the chain", async () => {
    const customer = await createCustomer("chain-three");
    const first = await submitAccepted(customer.key, drag(await uploadPng(customer.key, 64, 64)));
    await run(first.id);
    const firstOutput = new Uint8Array(
      await (await fetch((await getEdit(customer.key, first.id)).body.output!.url)).arrayBuffer(),
    );

    const second = await submitAccepted(customer.key, drag(first.id));
    expect(await run(second.id)).toEqual(firstOutput);
    const third = await submitAccepted(customer.key, drag(second.id));
    await run(third.id);

    const view = (await getEdit(customer.key, third.id)).body;
    expect(view).toMatchObject({ status: "succeeded", parent_id: second.id, chain: [first.id, second.id] });
    expect((await getEdit(customer.key, first.id)).body).toMatchObject({ parent_id: null });
    expect((await getEdit(customer.key, first.id)).body.chain).toBeUndefined();
    // Each link is priced from the size of the output it edits (96x64 here, the input was 64x64).
    const quote = await call<Quote>("POST", "/v1/quote", { token: customer.key, body: drag(second.id) });
    expect(quote.body).toMatchObject({ width: 96, height: 64, price: third.price });
  });

  it("keeps a child's input when its parent's pixels are deleted", async () => {
    const customer = await createCustomer("chain-purge");
    const parent = await submitAccepted(customer.key, drag(await uploadPng(customer.key, 64, 64)));
    await run(parent.id);
    const child = await submitAccepted(customer.key, drag(parent.id));
    expect((await call("DELETE", `/v1/edits/${parent.id}/output`, { token: customer.key })).status).toBe(200);
    const input = await run(child.id);
    expect(input.length).toBeGreaterThan(0);
    const refused = expectProblem(await submit(customer.key, drag(parent.id)), 422, "validation_failed");
    expect(refused.errors?.[0]).toEqual({ path: "image", message: `the output of edit ${parent.id} was deleted` });
  });

  it("refuses an edit that has not succeeded, or that is not the caller's, holding nothing", async () => {
    const owner = await createCustomer("chain-owner");
    const stranger = await createCustomer("chain-stranger");
    const queued = await submitAccepted(owner.key, drag(await uploadPng(owner.key, 64, 64)));
    const before = await ledgerTotals(owner.account.id);

    const notYet = expectProblem(await submit(owner.key, drag(queued.id)), 422, "validation_failed");
    expect(notYet.errors?.[0]).toMatchObject({ path: "image", message: expect.stringContaining("is queued") });
    const foreign = expectProblem(await submit(stranger.key, drag(queued.id)), 422, "validation_failed");
    expect(foreign.errors?.[0]).toEqual({ path: "image", message: `edit ${queued.id} does not exist` });
    const malformed = expectProblem(await submit(owner.key, drag("xx_123")), 422, "validation_failed");
    expect(malformed.errors?.[0]?.path).toBe("image");
    expect(await ledgerTotals(owner.account.id)).toEqual(before);
    await call("POST", `/v1/edits/${queued.id}/cancel`, { token: owner.key });
  });
});
