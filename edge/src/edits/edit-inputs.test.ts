import { env } from "cloudflare:test";
import type { ClaimedJob, EditRequestInput, Quote, UploadResponse } from "@stochedit/shared";
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import { expectedPrice, ledgerTotals, submit, submitAccepted } from "../test-support/edits.js";
import { encodePng, padPng } from "../test-support/png.js";
import { claimEdit, jobCall } from "../test-support/runner.js";
import { checkPresignedUrl } from "../test-support/sigv4.js";

const s3 = new AwsClient({
  accessKeyId: env.S3_ACCESS_KEY_ID,
  secretAccessKey: env.S3_SECRET_ACCESS_KEY,
  service: "s3",
  region: env.S3_REGION,
});
const bucketUrl = () => `${env.S3_ENDPOINT}/${env.S3_BUCKET}`;

/** A 64x64 and a 512x512 PNG of exactly the same byte length, as an attacker would prepare them. */
async function twoSizesOneLength() {
  const large = await encodePng(512, 512);
  const length = large.length + 64;
  return { small: padPng(await encodePng(64, 64), length), large: padPng(large, length), length };
}

/** POST /v1/uploads and the first PUT; the URL stays usable (presigned URLs are not single-use). */
async function uploadKeepingUrl(key: string, bytes: Uint8Array) {
  const created = await call<UploadResponse>("POST", "/v1/uploads", {
    token: key,
    body: { content_type: "image/png", content_length: bytes.length },
  });
  expect(created.status).toBe(201);
  await putAgain(created.body, bytes);
  return created.body;
}

async function putAgain(upload: UploadResponse, bytes: Uint8Array) {
  const put = await fetch(upload.url, { method: "PUT", headers: upload.headers, body: bytes });
  expect(put.status).toBe(200);
}

const dragOn = (image: string, to: [number, number] = [30, 20]): EditRequestInput => ({
  task: "drag",
  image,
  points: [{ from: [10, 10], to }],
});

const download = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

/** The keys stored under the account's per-edit prefix. */
async function editObjectKeys(accountId: string): Promise<string[]> {
  const listing = await (await s3.fetch(`${bucketUrl()}?prefix=accounts/${accountId}/edits/`)).text();
  return [...listing.matchAll(/<Key>([^<]+)<\/Key>/g)].map((match) => match[1]!);
}

describe("the priced object is the processed object", () => {
  it("runs the image that was priced, even when the upload's URL is used again after the submission", async () => {
    const customer = await createCustomer("inputs-swap");
    const { small, large, length } = await twoSizesOneLength();
    const upload = await uploadKeepingUrl(customer.key, small);
    const drag = dragOn(upload.upload_id);
    const accepted = await submitAccepted(customer.key, drag);
    expect(accepted.price).toBe(expectedPrice(drag, 64, 64));

    // The swap: the same signed URL, type and length (the signature admits it, on real S3 too), a 512x512 image.
    const signature = await checkPresignedUrl("PUT", upload.url, upload.headers, env.S3_SECRET_ACCESS_KEY);
    expect(signature).toMatchObject({ valid: true, signedHeaders: ["content-length", "content-type", "host"] });
    expect(upload.headers["content-length"]).toBe(String(length));
    await putAgain(upload, large);
    const requoted = await call<Quote>("POST", "/v1/quote", { token: customer.key, body: drag });
    expect(requoted.body.price).toBe(expectedPrice(drag, 512, 512));
    expect(requoted.body.price).toBeGreaterThan(accepted.price);

    // What the runner gets: the edit's own copy, of the priced size, with the bytes that were priced.
    const job: ClaimedJob = await claimEdit(accepted.id);
    expect(job.image).toMatchObject({ width: 64, height: 64 });
    expect(new URL(job.image.url).pathname).toBe(
      `/${env.S3_BUCKET}/accounts/${customer.account.id}/edits/${accepted.id}/image`,
    );
    expect(await download(job.image.url)).toEqual(small);
    await jobCall(accepted.id, "release", { lease_id: job.lease.id });
    expect((await call("POST", `/v1/edits/${accepted.id}/cancel`, { token: customer.key })).status).toBe(200);
  });

  it("copies the mask the same way", async () => {
    const customer = await createCustomer("inputs-mask");
    const replacement = await encodePng(128, 96);
    const mask = padPng(await encodePng(96, 64), replacement.length + 32);
    const [imageUpload, maskUpload] = await Promise.all([
      uploadKeepingUrl(customer.key, await encodePng(96, 64)),
      uploadKeepingUrl(customer.key, mask),
    ]);
    const accepted = await submitAccepted(customer.key, {
      task: "inpaint",
      image: imageUpload.upload_id,
      mask: maskUpload.upload_id,
      steps: 10,
    });
    await putAgain(maskUpload, padPng(replacement, mask.length));

    const job = await claimEdit(accepted.id);
    expect(new URL(job.mask!.url).pathname).toBe(
      `/${env.S3_BUCKET}/accounts/${customer.account.id}/edits/${accepted.id}/mask`,
    );
    expect(await download(job.mask!.url)).toEqual(mask);
    await jobCall(accepted.id, "release", { lease_id: job.lease.id });
    await call("POST", `/v1/edits/${accepted.id}/cancel`, { token: customer.key });
  });

  it("leaves no copy behind for a submission that makes no edit", async () => {
    const poor = await createCustomer("inputs-refused", 1);
    const upload = await uploadKeepingUrl(poor.key, await encodePng(64, 64));
    expectProblem(await submit(poor.key, dragOn(upload.upload_id)), 402, "insufficient_credits");
    expectProblem(await submit(poor.key, dragOn(upload.upload_id, [70, 20])), 422, "validation_failed");
    expect(await editObjectKeys(poor.account.id)).toEqual([]);
    expect((await ledgerTotals(poor.account.id)).held).toBe(0);
  });

  it("keeps one copy per edit when a retried submission replays the first", async () => {
    const customer = await createCustomer("inputs-idempotent");
    const upload = await uploadKeepingUrl(customer.key, await encodePng(64, 64));
    const body = { task: "img2img" as const, image: upload.upload_id, strength: 0.5 };
    const replies = await Promise.all([1, 2, 3].map(() => submit(customer.key, body, "inputs-retry")));
    const ids = new Set(replies.map((reply) => reply.body.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await editObjectKeys(customer.account.id)).toEqual([`accounts/${customer.account.id}/edits/${id}/image`]);
    await call("POST", `/v1/edits/${id}/cancel`, { token: customer.key });
  });

  it("answers 422 when nothing was uploaded to the URL, copying nothing", async () => {
    const customer = await createCustomer("inputs-nothing");
    const created = await call<UploadResponse>("POST", "/v1/uploads", {
      token: customer.key,
      body: { content_type: "image/png", content_length: 100 },
    });
    const reply = await submit(customer.key, { task: "img2img", image: created.body.upload_id, strength: 0.5 });
    expect(expectProblem(reply, 422, "validation_failed").detail).toContain("nothing has been uploaded");
    expect(await editObjectKeys(customer.account.id)).toEqual([]);
  });
});
