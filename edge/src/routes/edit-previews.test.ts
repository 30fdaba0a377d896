import { type Edit, type EditPreviewList, type LeaseStatus, previewLimits } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import { submitAccepted, uploadPng } from "../test-support/edits.js";
import { claimEdit, jobCall, runnerCall, runOutLease, storeOutput } from "../test-support/runner.js";

/** A preview body as the runner sends it; the edge stores the base64 as it is (its pixels are the runner's concern). */
const previewBody = (leaseId: string, index: number, data = btoa(`jpeg bytes of preview ${index}`)) => ({
  lease_id: leaseId,
  index,
  step: 2 * (index + 1),
  total: 6,
  width: 64,
  height: 48,
  content_type: "image/jpeg",
  data,
});

async function runningEditWithPreviews(label: string) {
  const customer = await createCustomer(label);
  const image = await uploadPng(customer.key, 80, 64);
  const accepted = await submitAccepted(customer.key, {
    task: "img2img",
    image,
    strength: 0.5,
    steps: 12,
    previews: 3,
  });
  const job = await claimEdit(accepted.id);
  return { customer, accepted, job };
}

const previewsOf = async (key: string, id: string) =>
  (await call<EditPreviewList>("GET", `/v1/edits/${id}/previews`, { token: key })).body.data;

describe("POST /internal/jobs/{id}/preview", () => {
  it("stores the running edit's previews, extends the lease, and lists them in order as data URLs", async () => {
    const { customer, accepted, job } = await runningEditWithPreviews("previews-store");
    for (const index of [0, 1]) {
      const reply = await jobCall<LeaseStatus>(job.id, "preview", previewBody(job.lease.id, index));
      expect(reply.status).toBe(200);
      expect(reply.body.cancel_requested).toBe(false);
      expect(Date.parse(reply.body.lease_expires_at)).toBeGreaterThan(Date.now());
    }
    expect(await previewsOf(customer.key, accepted.id)).toEqual([
      {
        index: 0,
        step: 2,
        total: 6,
        width: 64,
        height: 48,
        url: `data:image/jpeg;base64,${btoa("jpeg bytes of preview 0")}`,
      },
      {
        index: 1,
        step: 4,
        total: 6,
        width: 64,
        height: 48,
        url: `data:image/jpeg;base64,${btoa("jpeg bytes of preview 1")}`,
      },
    ]);
    const edit = await call<Edit>("GET", `/v1/edits/${accepted.id}`, { token: customer.key });
    expect(edit.body).toMatchObject({ previews_ready: 2, links: { previews: `/v1/edits/${accepted.id}/previews` } });
    await jobCall(job.id, "complete", await storeOutput(job));
  });

  it("takes a preview at the byte limit within the body limit, and refuses a larger one", async () => {
    const { customer, accepted, job } = await runningEditWithPreviews("previews-limit");
    const atLimit = btoa("\xff".repeat(previewLimits.maxBytes));
    expect((await jobCall(job.id, "preview", previewBody(job.lease.id, 0, atLimit))).status).toBe(200);
    const over = btoa("\xff".repeat(previewLimits.maxBytes + 3));
    expectProblem(await jobCall(job.id, "preview", previewBody(job.lease.id, 1, over)), 422, "validation_failed");
    expectProblem(
      await jobCall(job.id, "preview", { ...previewBody(job.lease.id, 1), content_type: "image/png" }),
      422,
      "validation_failed",
    );
    expect((await previewsOf(customer.key, accepted.id)).map((p) => p.index)).toEqual([0]);
    await jobCall(job.id, "complete", await storeOutput(job));
  });

  it("keeps a repeated index once", async () => {
    const { customer, accepted, job } = await runningEditWithPreviews("previews-repeat");
    await jobCall(job.id, "preview", previewBody(job.lease.id, 0));
    expect((await jobCall(job.id, "preview", previewBody(job.lease.id, 0, btoa("other")))).status).toBe(200);
    const previews = await previewsOf(customer.key, accepted.id);
    expect(previews.map((p) => p.url)).toEqual([`data:image/jpeg;base64,${btoa("jpeg bytes of preview 0")}`]);
    await jobCall(job.id, "complete", await storeOutput(job));
  });

  it("is fenced by the lease: another lease is lease_lost, an unsigned call unauthorized, and nothing is stored", async () => {
    const { customer, accepted, job } = await runningEditWithPreviews("previews-fenced");
    expectProblem(
      await jobCall(job.id, "preview", previewBody("lease_not_the_current_one_0123", 0)),
      409,
      "lease_lost",
    );
    const unsigned = await runnerCall(`/internal/jobs/${job.id}/preview`, previewBody(job.lease.id, 0), {
      signature: null,
    });
    expectProblem(unsigned, 401, "unauthorized");
    expect(await previewsOf(customer.key, accepted.id)).toEqual([]);
    await jobCall(job.id, "complete", await storeOutput(job));
  });

  it("stores nothing for an edit canceled while it runs, and tells the runner to stop", async () => {
    const { customer, accepted, job } = await runningEditWithPreviews("previews-canceled");
    await call("POST", `/v1/edits/${accepted.id}/cancel`, { token: customer.key });
    const reply = await jobCall<LeaseStatus>(job.id, "preview", previewBody(job.lease.id, 0));
    expect(reply.status).toBe(200);
    expect(reply.body.cancel_requested).toBe(true);
    expect(await previewsOf(customer.key, accepted.id)).toEqual([]);
    await jobCall(job.id, "release", { lease_id: job.lease.id });
  });

  it("shows only the latest run's previews once a retry starts over", async () => {
    const { customer, accepted, job } = await runningEditWithPreviews("previews-retry");
    await jobCall(job.id, "preview", previewBody(job.lease.id, 0));
    await jobCall(job.id, "preview", previewBody(job.lease.id, 1));
    await runOutLease(job.id);
    const retry = await claimEdit(accepted.id);
    expect(await previewsOf(customer.key, accepted.id)).toEqual([]);
    await jobCall(retry.id, "preview", previewBody(retry.lease.id, 0, btoa("second run")));
    expect((await previewsOf(customer.key, accepted.id)).map((p) => p.url)).toEqual([
      `data:image/jpeg;base64,${btoa("second run")}`,
    ]);
    expectProblem(await jobCall(job.id, "preview", previewBody(job.lease.id, 2)), 409, "lease_lost");
    await jobCall(retry.id, "complete", await storeOutput(retry));
  });

  it("deletes the previews with the output", async () => {
    const { customer, accepted, job } = await runningEditWithPreviews("previews-purged");
    await jobCall(job.id, "preview", previewBody(job.lease.id, 0));
    await jobCall(job.id, "complete", await storeOutput(job));
    expect(await previewsOf(customer.key, accepted.id)).toHaveLength(1);
    expect((await call("DELETE", `/v1/edits/${accepted.id}/output`, { token: customer.key })).status).toBe(200);
    expect(await previewsOf(customer.key, accepted.id)).toEqual([]);
    expect((await call<Edit>("GET", `/v1/edits/${accepted.id}`, { token: customer.key })).body.previews_ready).toBe(0);
  });
});

describe("GET /v1/edits/{id}/previews", () => {
  it("is a 404 problem for another account's edit", async () => {
    const { accepted, job } = await runningEditWithPreviews("previews-owner");
    const stranger = await createCustomer("previews-stranger");
    expectProblem(await call("GET", `/v1/edits/${accepted.id}/previews`, { token: stranger.key }), 404, "not_found");
    await jobCall(job.id, "complete", await storeOutput(job));
  });
});
