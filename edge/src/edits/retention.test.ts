import { env } from "cloudflare:test";
import type { Edit } from "@stochedit/shared";
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { readConfig } from "../config.js";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import { ledgerTotals, submit, submitAccepted, uploadPng } from "../test-support/edits.js";
import { claimEdit, jobCall, storeOutput } from "../test-support/runner.js";
import { sweepRetention } from "./sweep-retention.js";

const hour = 3_600_000;
const img2img = (image: string, extra: object = {}) => ({
  task: "img2img" as const,
  image,
  strength: 0.5,
  steps: 10,
  ...extra,
});
const getEdit = (key: string, id: string) => call<Edit>("GET", `/v1/edits/${id}`, { token: key });
const getOutput = (key: string, id: string) =>
  call("GET", `/v1/edits/${id}/output`, { token: key, redirect: "manual" });
const deleteOutput = (key: string, id: string) => call<Edit>("DELETE", `/v1/edits/${id}/output`, { token: key });

const s3 = () =>
  new AwsClient({
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    service: "s3",
    region: env.S3_REGION,
  });
const objectStatus = async (key: string) =>
  (await s3().fetch(`${env.S3_ENDPOINT}/${env.S3_BUCKET}/${key}`, { method: "HEAD" })).status;
const uploadKey = (accountId: string, uploadId: string) => `accounts/${accountId}/uploads/${uploadId}`;

/** Submits, claims and completes an edit through the internal routes, as a runner would; returns its output key. */
async function succeededEdit(key: string, body: ReturnType<typeof img2img>) {
  const accepted = await submitAccepted(key, body);
  const job = await claimEdit(accepted.id);
  const complete = await jobCall(accepted.id, "complete", await storeOutput(job));
  expect(complete.status).toBe(200);
  return { id: accepted.id, price: accepted.price, outputKey: job.output.key };
}

/** Moves the edit's end back by `ms`, as if that much time had passed since it ended. */
async function endedAgo(editId: string, ms: number) {
  await env.DB.prepare("UPDATE edits SET finished_at = finished_at - ? WHERE id = ?").bind(ms, editId).run();
}

describe("GET /v1/edits/{id}/output", () => {
  it("redirects to a presigned URL that downloads the output", async () => {
    const customer = await createCustomer("output-redirect");
    const edit = await succeededEdit(customer.key, img2img(await uploadPng(customer.key, 64, 64)));
    const reply = await getOutput(customer.key, edit.id);
    expect(reply.status).toBe(302);
    const downloaded = await fetch(reply.headers.get("location")!);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get("content-type")).toBe("image/png");
  });

  it("answers 409 while the edit has no output, 404 for an id that names nothing", async () => {
    const customer = await createCustomer("output-queued");
    const queued = await submitAccepted(customer.key, img2img(await uploadPng(customer.key, 64, 64)));
    expectProblem(await getOutput(customer.key, queued.id), 409, "conflict");
    expectProblem(await getOutput(customer.key, "ed_00000000000000000000"), 404, "not_found");
    await call("POST", `/v1/edits/${queued.id}/cancel`, { token: customer.key });
  });
});

describe("DELETE /v1/edits/{id}/output", () => {
  it("deletes the output and the upload now; the edit and its charge stay; the output then answers 410", async () => {
    const customer = await createCustomer("output-delete");
    const image = await uploadPng(customer.key, 64, 64);
    const edit = await succeededEdit(customer.key, img2img(image));
    const ledgerBefore = await ledgerTotals(customer.account.id);
    const inputCopy = `accounts/${customer.account.id}/edits/${edit.id}/image`;
    expect(await objectStatus(edit.outputKey)).toBe(200);
    expect(await objectStatus(inputCopy)).toBe(200);

    const deleted = await deleteOutput(customer.key, edit.id);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: edit.id, status: "succeeded", charged: edit.price });
    expect(deleted.body.purged_at).toEqual(expect.any(String));
    expect(deleted.body.output).toBeUndefined();
    expect(await objectStatus(edit.outputKey)).toBe(404);
    expect(await objectStatus(inputCopy)).toBe(404);
    expect(await objectStatus(uploadKey(customer.account.id, image))).toBe(404);

    const gone = expectProblem(await getOutput(customer.key, edit.id), 410, "gone");
    expect(gone.detail).toContain("deleted");
    expect((await getEdit(customer.key, edit.id)).body.purged_at).toBe(deleted.body.purged_at);
    expect((await deleteOutput(customer.key, edit.id)).status).toBe(200);
    expect(await ledgerTotals(customer.account.id)).toEqual(ledgerBefore);
    // The upload went with it: a new edit on it is refused before anything is held.
    const refused = expectProblem(await submit(customer.key, img2img(image)), 422, "validation_failed");
    expect(refused.errors?.[0]).toMatchObject({ path: "image", message: expect.stringContaining("was deleted") });
  });

  it("refuses while the edit runs, deleting nothing", async () => {
    const customer = await createCustomer("output-delete-queued");
    const image = await uploadPng(customer.key, 64, 64);
    const queued = await submitAccepted(customer.key, img2img(image));
    expectProblem(await deleteOutput(customer.key, queued.id), 409, "conflict");
    expect(await objectStatus(uploadKey(customer.account.id, image))).toBe(200);
    expect((await getEdit(customer.key, queued.id)).body.purged_at).toBeNull();
    await call("POST", `/v1/edits/${queued.id}/cancel`, { token: customer.key });
  });

  it("keeps an upload that another kept edit still uses", async () => {
    const customer = await createCustomer("output-delete-shared");
    const image = await uploadPng(customer.key, 64, 64);
    const first = await succeededEdit(customer.key, img2img(image, { seed: 1 }));
    const second = await succeededEdit(customer.key, img2img(image, { seed: 2 }));
    await deleteOutput(customer.key, first.id);
    expect(await objectStatus(uploadKey(customer.account.id, image))).toBe(200);
    await deleteOutput(customer.key, second.id);
    expect(await objectStatus(uploadKey(customer.account.id, image))).toBe(404);
  });
});

describe("retention", () => {
  it("defaults to 7 days, accepts 1 hour to 30 days and refuses anything else", async () => {
    const customer = await createCustomer("retention-bounds");
    const image = await uploadPng(customer.key, 64, 64);
    const byDefault = await submitAccepted(customer.key, img2img(image));
    expect((await getEdit(customer.key, byDefault.id)).body).toMatchObject({
      retention_seconds: 7 * 24 * 3600,
      purge_at: null,
      purged_at: null,
    });
    for (const retention_seconds of [3599, 30 * 24 * 3600 + 1]) {
      const problem = expectProblem(
        await submit(customer.key, img2img(image, { retention_seconds })),
        422,
        "validation_failed",
      );
      expect(problem.errors?.[0]?.path).toBe("retention_seconds");
    }
    await call("POST", `/v1/edits/${byDefault.id}/cancel`, { token: customer.key });
  });

  it("the cron sweep deletes the pixels once the retention after the end is over, not before", async () => {
    const customer = await createCustomer("retention-sweep");
    const image = await uploadPng(customer.key, 64, 64);
    const edit = await succeededEdit(customer.key, img2img(image, { retention_seconds: 3600 }));
    const view = (await getEdit(customer.key, edit.id)).body;
    expect(Date.parse(view.purge_at!) - Date.parse(view.finished_at!)).toBe(hour);
    const config = readConfig(env).s3;

    await endedAgo(edit.id, hour - 60_000);
    await sweepRetention(env.DB, config, { nowMs: Date.now() });
    expect(await objectStatus(edit.outputKey)).toBe(200);

    await endedAgo(edit.id, 60_000);
    const swept = await sweepRetention(env.DB, config, { nowMs: Date.now() });
    expect(swept.edits).toBeGreaterThanOrEqual(1);
    expect(await objectStatus(edit.outputKey)).toBe(404);
    expect(await objectStatus(uploadKey(customer.account.id, image))).toBe(404);
    expectProblem(await getOutput(customer.key, edit.id), 410, "gone");
  });

  it("deletes an upload's object a day after its creation, used or not", async () => {
    const customer = await createCustomer("retention-uploads");
    const image = await uploadPng(customer.key, 64, 64);
    const config = readConfig(env).s3;
    await sweepRetention(env.DB, config, { nowMs: Date.now() + 23 * hour });
    expect(await objectStatus(uploadKey(customer.account.id, image))).toBe(200);
    await sweepRetention(env.DB, config, { nowMs: Date.now() + 24 * hour + 1000 });
    expect(await objectStatus(uploadKey(customer.account.id, image))).toBe(404);
    const refused = expectProblem(await submit(customer.key, img2img(image)), 422, "validation_failed");
    expect(refused.detail).toContain("was deleted");
  });
});
