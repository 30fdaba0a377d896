import { createHash } from "node:crypto";
import type { EditRequestInput } from "@stochedit/shared";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../scripts/local-stack/wait-until.js";
import { type E2eStack, startE2eStack } from "./support/e2e-stack.js";
import { isTerminalEdit, waitForEdit } from "./support/edit-status.js";
import { printLogsOnFailure } from "./support/failure-logs.js";
import { fastEdgeVars } from "./support/fast-edge.js";
import { ApiClient } from "./support/public-api.js";
import { corruptPng, paddedFlatPng, samplePhoto } from "./support/sample-images.js";
import { clearAfterTest } from "./support/test-isolation.js";

let stack: E2eStack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startE2eStack({ edgeVars: fastEdgeVars });
  api = new ApiClient(stack.edgeUrl, stack.apiKey);
});
// Each test starts its own runners and only they may run its job: none may outlive it.
printLogsOnFailure(() => stack);
afterEach(() => clearAfterTest(stack, api));
afterAll(() => stack?.stop());

/**
 * A drag of 1000 steps from t0 = 1: on the generated model about 4 s at 512 px and 8 s at 768 px on one free core
 * (0.75 s at 96 px), so a test acting as soon as the first step is reported has seconds to spare, and slower
 * machines stretch the run as much as the test's reaction.
 */
const longDrag = (image: string): EditRequestInput => ({
  task: "drag",
  image,
  steps: 1000,
  t0: 1,
  points: [
    { from: [20, 20], to: [30, 24] },
    { from: [70, 70], to: [60, 64] },
    { from: [20, 70], to: [28, 62] },
  ],
});

const ledgerKinds = async (editId: string) =>
  (await api.account()).recent_ledger
    .filter((e) => e.edit_id === editId)
    .map((e) => e.kind)
    .sort();

const logged = (runnerId: string, message: string) =>
  waitUntil(
    async () => (stack.logs.some((l) => l.startsWith(`[${runnerId}]`) && l.includes(message)) ? true : undefined),
    { what: `${runnerId} logging "${message}"`, timeoutMs: 30_000 },
  );

/**
 * Waits for `runnerId` to log the job as succeeded (it does once the edge has answered its complete), then checks
 * that no other runner did. With the attempt count this shows who finished the job: a busy machine can add an
 * attempt (a healthy runner's lease running out), so the tests assert at least the one they cause.
 */
async function expectSucceededOnlyOn(runnerId: string, editId: string): Promise<void> {
  const succeededOn = () =>
    stack.logs
      .filter((line) => line.includes('"message":"job succeeded"') && line.includes(`"job":"${editId}"`))
      .map((line) => line.slice(1, line.indexOf("]")));
  await waitUntil(async () => (succeededOn().includes(runnerId) ? true : undefined), {
    what: `${runnerId} logging ${editId} as succeeded`,
    timeoutMs: 30_000,
  });
  expect(succeededOn()).toEqual([runnerId]);
}

/** The runner's non-zero stochedit_runner_jobs_total counters by outcome, from its Prometheus /metrics. */
async function jobOutcomes(healthUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${healthUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, outcome, count] of text.matchAll(/^stochedit_runner_jobs_total\{outcome="(\w+)"\} (\d+)$/gm)) {
    if (Number(count) > 0) counts[outcome!] = Number(count);
  }
  return counts;
}

async function sha256Of(url: string): Promise<string> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  return createHash("sha256").update(bytes).digest("hex");
}

describe("runners that fail", () => {
  it("a job whose runner is killed mid-run is retried by another runner, completes, and is charged once", async () => {
    const killed = await stack.startRunner("killed-a");
    const accepted = await api.submit(longDrag(await api.upload(await samplePhoto(512), "image/jpeg")));
    const running = await waitForEdit(api, accepted.id, (edit) => edit.progress.step > 0);
    expect(running).toMatchObject({ status: "running", attempts: 1 });
    killed.process.signal("SIGKILL");
    expect(await killed.process.exited).toBe("SIGKILL");

    await stack.startRunner("rescuer-b");
    const edit = await waitForEdit(api, accepted.id, isTerminalEdit);
    expect(edit).toMatchObject({ status: "succeeded", charged: accepted.price });
    expect(edit.attempts).toBeGreaterThanOrEqual(2);
    await expectSucceededOnlyOn("rescuer-b", accepted.id);
    expect(await sha256Of(edit.output!.url)).toBe(edit.output!.sha256);
    expect(await ledgerKinds(accepted.id)).toEqual(["capture", "hold"]);
    expect(await api.account()).toMatchObject({ held: 0 });
  });

  it("a runner that comes back after losing its lease cannot complete the job", async () => {
    const frozen = await stack.startRunner("frozen-c");
    const accepted = await api.submit(longDrag(await api.upload(await samplePhoto(512), "image/jpeg")));
    await waitForEdit(api, accepted.id, (edit) => edit.progress.step > 0);
    frozen.process.signal("SIGSTOP");

    // The rescuer can only claim the job once the frozen runner's lease has run out.
    const rescuer = await stack.startRunner("rescuer-d");
    const edit = await waitForEdit(api, accepted.id, isTerminalEdit);
    expect(edit.status).toBe("succeeded");
    expect(edit.attempts).toBeGreaterThanOrEqual(2);
    await expectSucceededOnlyOn("rescuer-d", accepted.id);
    expect(await rescuer.process.stop("SIGTERM")).toBe(0);

    frozen.process.signal("SIGCONT");
    await logged("frozen-c", "lease lost");
    expect(await jobOutcomes(frozen.healthUrl)).toEqual({ lease_lost: 1 });
    expect(await frozen.process.stop("SIGTERM")).toBe(0);

    const after = await api.edit(accepted.id);
    await expectSucceededOnlyOn("rescuer-d", accepted.id);
    expect(after).toMatchObject({
      status: "succeeded",
      attempts: edit.attempts,
      charged: accepted.price,
      output: { sha256: edit.output!.sha256 },
    });
    expect(await sha256Of(after.output!.url)).toBe(edit.output!.sha256);
    expect(await ledgerKinds(accepted.id)).toEqual(["capture", "hold"]);
  });

  it("a corrupt upload fails with a clear error and its hold released", async () => {
    const runner = await stack.startRunner("decoder-e");
    const before = await api.account();
    const accepted = await api.submit({
      task: "img2img",
      image: await api.upload(await corruptPng(96), "image/png"),
      strength: 0.5,
    });
    const edit = await waitForEdit(api, accepted.id, isTerminalEdit);
    expect(edit).toMatchObject({
      status: "failed",
      attempts: 1,
      charged: 0,
      error: { code: "image_invalid", retryable: false },
    });
    expect(edit.error?.message).toMatch(/decode|corrupt|image/i);
    expect(await api.account()).toMatchObject({ balance: before.balance, held: 0 });
    expect(await ledgerKinds(accepted.id)).toEqual(["hold", "release"]);
    expect(await jobOutcomes(runner.healthUrl)).toEqual({ failed: 1 });
  });

  it("a cancel during the run stops the runner and charges nothing", async () => {
    const runner = await stack.startRunner("canceled-f");
    const before = await api.account();
    // Canceled long before its end: a longer run costs nothing and leaves the cancel more room.
    const accepted = await api.submit(longDrag(await api.upload(await samplePhoto(768), "image/jpeg")));
    await waitForEdit(api, accepted.id, (edit) => edit.progress.step > 0);
    expect(await api.cancel(accepted.id)).toMatchObject({ status: "canceled", charged: 0 });
    await logged("canceled-f", "job canceled");
    expect(await jobOutcomes(runner.healthUrl)).toEqual({ canceled: 1 });
    expect(await api.edit(accepted.id)).toMatchObject({ status: "canceled", charged: 0 });
    expect(await api.account()).toMatchObject({ balance: before.balance, held: 0 });
    expect(await ledgerKinds(accepted.id)).toEqual(["hold", "release"]);
  });
});

describe("inputs replaced after pricing", () => {
  it("a PUT to the upload's URL after the submission changes nothing: the priced image runs, at its price", async () => {
    const before = await api.account();
    // Two flat PNGs of one byte length: the signed content-type and content-length admit both.
    const upload = await api.uploadKeepingUrl(await paddedFlatPng(64, 64, 20_000), "image/png");
    // The API's default 200-step grid, as the report: the 2000x2000 image would cost 36 times as much.
    const drag: EditRequestInput = {
      task: "drag",
      image: upload.upload_id,
      points: [{ from: [20, 20], to: [40, 30] }],
    };
    const accepted = await api.submit(drag);
    await api.putAgain(upload, await paddedFlatPng(2000, 2000, 20_000));
    // The upload itself is 2000x2000 now, and would be priced so.
    expect((await api.quote(drag)).price).toBeGreaterThan(accepted.price * 30);

    await stack.startRunner("priced-g");
    const edit = await waitForEdit(api, accepted.id, isTerminalEdit);
    expect(edit).toMatchObject({ status: "succeeded", charged: accepted.price, output: { width: 64, height: 64 } });
    const output = await (await fetch(edit.output!.url)).arrayBuffer();
    expect(await sharp(output).metadata()).toMatchObject({ width: 64, height: 64 });

    const account = await api.account();
    expect(account).toMatchObject({ balance: before.balance - accepted.price, held: 0 });
    const ledger = await api.ledger();
    const ofEdit = ledger.filter((entry) => entry.edit_id === accepted.id);
    expect(ofEdit.map((entry) => [entry.kind, entry.amount, entry.held_change])).toEqual([
      ["capture", 0, -accepted.price],
      ["hold", -accepted.price, accepted.price],
    ]);
    expect(ledger.reduce((sum, entry) => sum + entry.amount, 0)).toBe(account.balance);
  });

  it("an image of another size than the priced one is refused by the runner: input_changed, not retried, refunded", async () => {
    const runnerId = "priced-h";
    const before = await api.account();
    const accepted = await api.submit({
      task: "img2img",
      image: await api.upload(await samplePhoto(96), "image/jpeg"),
      strength: 0.5,
      steps: 10,
    });
    // No API call can do this any more: the edit's own copy replaced behind the edge's back (a store that changed
    // it, or a header the edge read otherwise than the runner's decoder). The runner is the last line.
    const copy = stack.objectUrl(`accounts/${stack.accountId}/edits/${accepted.id}/image`);
    const put = await fetch(copy, {
      method: "PUT",
      headers: { "content-type": "image/jpeg" },
      body: await samplePhoto(128),
    });
    expect(put.status).toBe(200);

    const runner = await stack.startRunner(runnerId);
    const edit = await waitForEdit(api, accepted.id, isTerminalEdit);
    expect(edit).toMatchObject({
      status: "failed",
      attempts: 1,
      charged: 0,
      error: { code: "input_changed", retryable: false },
    });
    expect(edit.error?.message).toContain("the image is 128x128, but the edit was priced for 96x96");
    expect(await api.account()).toMatchObject({ balance: before.balance, held: 0 });
    expect(await ledgerKinds(accepted.id)).toEqual(["hold", "release"]);
    expect(await jobOutcomes(runner.healthUrl)).toEqual({ failed: 1 });
  });
});
