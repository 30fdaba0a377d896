import { type EditRequestInput, presetTable, type Quote } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import { expectedPrice, ledgerTotals, submitAccepted, uploadPng } from "../test-support/edits.js";
import { claimEdit } from "../test-support/runner.js";

const postQuote = (key: string, body: unknown) => call<Quote>("POST", "/v1/quote", { token: key, body });

// 512x512, (246,154) -> (246,123): 31 px, about 4 latent cells, split into 2 operations (the GPU bench's drag).
const drag = (image: string): Extract<EditRequestInput, { task: "drag" }> => ({
  task: "drag",
  image,
  points: [{ from: [246, 154], to: [246, 123] }],
});
const runSteps = (grid: { steps: number; t0: number }) => Math.round(grid.steps * grid.t0);

describe("speed presets at the edge", () => {
  it("quotes a fast drag at the UNet calls of its grid, below the standard one", async () => {
    const customer = await createCustomer("preset-quote");
    const image = await uploadPng(customer.key, 512, 512);
    const [fast, standard, best] = await Promise.all(
      (["fast", "standard", "best"] as const).map((preset) => postQuote(customer.key, { ...drag(image), preset })),
    );
    expect(fast!.status).toBe(200);
    expect(fast!.body).toMatchObject({
      operations: 2,
      steps_per_operation: runSteps(presetTable.drag.fast),
      unet_calls: 2 * runSteps(presetTable.drag.fast),
      batch: 4,
    });
    expect(standard!.body).toMatchObject({ steps_per_operation: 120, unet_calls: 240 });
    expect(best!.body.unet_calls).toBe(2 * runSteps(presetTable.drag.best));
    expect(fast!.body.price).toBeLessThan(standard!.body.price);
    expect(standard!.body.price).toBeLessThanOrEqual(best!.body.price);
    expect(fast!.body.price).toBe(expectedPrice({ ...drag(image), preset: "fast" }, 512, 512));
    // No preset is the standard one.
    expect((await postQuote(customer.key, drag(image))).body).toEqual(standard!.body);
  });

  it("holds the fast price and hands the runner the fast grid it priced", async () => {
    const customer = await createCustomer("preset-submit", 1_000_000);
    const image = await uploadPng(customer.key, 512, 512);
    const body = { ...drag(image), preset: "fast" as const };
    const quoted = await postQuote(customer.key, body);
    const accepted = await submitAccepted(customer.key, body);
    expect(accepted.price).toBe(quoted.body.price);
    expect(await ledgerTotals(customer.account.id)).toMatchObject({
      balance: 1_000_000 - quoted.body.price,
      held: quoted.body.price,
    });
    const job = await claimEdit(accepted.id);
    expect(job.request).toMatchObject({ task: "drag", preset: "fast", ...presetTable.drag.fast });
  });

  it("runs an explicit steps and t0 given with a preset, and prices them", async () => {
    const customer = await createCustomer("preset-explicit");
    const [image, mask] = await Promise.all([uploadPng(customer.key, 64, 64), uploadPng(customer.key, 64, 64)]);
    const body = { task: "inpaint" as const, image, mask, preset: "fast" as const, steps: 40, t0: 0.5 };
    const accepted = await submitAccepted(customer.key, body);
    expect(accepted.price).toBe(expectedPrice(body, 64, 64));
    const job = await claimEdit(accepted.id);
    expect(job.request).toMatchObject({ preset: "fast", steps: 40, t0: 0.5 });
  });

  it("answers 422 naming preset for an unknown one, on quote and submit alike", async () => {
    const customer = await createCustomer("preset-invalid");
    const body = { task: "img2img", image: "up_8Jk2mQ4xZr7TnW1bVc5y", strength: 0.5, preset: "turbo" };
    for (const path of ["/v1/quote", "/v1/edits"]) {
      const problem = expectProblem(await call("POST", path, { token: customer.key, body }), 422, "validation_failed");
      expect(problem.errors).toEqual([expect.objectContaining({ path: "preset" })]);
      expect(problem.errors![0]!.message).toMatch(/fast.*standard.*best/);
    }
  });
});
