import { EditRequest, type EditRequestInput, type Quote, quote } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { call, createCustomer, expectProblem, upload } from "../test-support/api.js";
import { uploadPng } from "../test-support/edits.js";

const postQuote = (key: string, body: unknown) => call<Quote>("POST", "/v1/quote", { token: key, body });

type DragInput = Extract<EditRequestInput, { task: "drag" }>;

const drag = (image: string, extra: Partial<DragInput> = {}): DragInput => ({
  task: "drag",
  image,
  points: [{ from: [100, 100], to: [300, 200] }],
  ...extra,
});

describe("POST /v1/quote", () => {
  it("prices a drag from the uploaded image's real size, as the shared pricing does", async () => {
    const customer = await createCustomer("quote-drag");
    const image = await uploadPng(customer.key, 640, 480);
    const reply = await postQuote(customer.key, drag(image));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(quote(EditRequest.parse(drag(image)), { width: 640, height: 480 }));
    expect(reply.body).toMatchObject({ width: 640, height: 480, steps_per_operation: 120 });
  });

  it("charges more for a larger image of the same request", async () => {
    const customer = await createCustomer("quote-sizes");
    const small = await uploadPng(customer.key, 256, 256);
    const large = await uploadPng(customer.key, 1024, 1024);
    const body = (image: string) => ({ task: "img2img", image, strength: 0.7 });
    const [a, b] = await Promise.all([postQuote(customer.key, body(small)), postQuote(customer.key, body(large))]);
    expect(b.body.price).toBeGreaterThan(a.body.price);
  });

  it("accepts an inpaint whose mask has the image's size", async () => {
    const customer = await createCustomer("quote-inpaint");
    const [image, mask] = await Promise.all([uploadPng(customer.key, 320, 200), uploadPng(customer.key, 320, 200)]);
    const reply = await postQuote(customer.key, { task: "inpaint", image, mask });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ width: 320, height: 200, steps_per_operation: 50 });
  });

  it("answers 422 naming mask when the mask's size differs from the image's", async () => {
    const customer = await createCustomer("quote-mask-size");
    const [image, mask] = await Promise.all([uploadPng(customer.key, 320, 200), uploadPng(customer.key, 200, 320)]);
    const problem = expectProblem(
      await postQuote(customer.key, { task: "inpaint", image, mask }),
      422,
      "validation_failed",
    );
    expect(problem.errors).toEqual([
      { path: "mask", message: "the mask is 200x320; it must have the image's size, 320x200" },
    ]);
  });

  it("answers 422 with each drag point outside the image", async () => {
    const customer = await createCustomer("quote-points");
    const image = await uploadPng(customer.key, 200, 100);
    const points: DragInput["points"] = [
      { from: [10, 10], to: [150, 90] },
      { from: [10, 10], to: [200, 50] },
      { from: [10, 120], to: [20, 20] },
    ];
    const problem = expectProblem(await postQuote(customer.key, drag(image, { points })), 422, "validation_failed");
    expect(problem.errors?.map((e) => e.path)).toEqual(["points.1.to", "points.2.from"]);
    expect(problem.errors?.[0]?.message).toContain("outside the 200x100 image");
  });

  it.each([
    [32, 32, "at least 64"],
    [2100, 64, "at most 2048"],
    [2048, 2048, "at most 4000000 px"],
  ])("answers 422 for a %ix%i image: %s", async (width, height, reason) => {
    const customer = await createCustomer(`quote-size-${width}`);
    const image = await uploadPng(customer.key, width, height);
    const problem = expectProblem(
      await postQuote(customer.key, { task: "img2img", image, strength: 0.5 }),
      422,
      "validation_failed",
    );
    expect(problem.errors?.[0]?.path).toBe("image");
    expect(problem.detail).toContain(reason);
  });

  it("answers 422 for an upload id that does not exist, and for one that was never PUT", async () => {
    const customer = await createCustomer("quote-missing");
    const missing = await postQuote(customer.key, drag("up_0000000000000000000A"));
    expect(expectProblem(missing, 422, "validation_failed").detail).toContain("does not exist");
    const created = await call<{ upload_id: string }>("POST", "/v1/uploads", {
      token: customer.key,
      body: { content_type: "image/png", content_length: 1000 },
    });
    const neverPut = await postQuote(customer.key, drag(created.body.upload_id));
    expect(expectProblem(neverPut, 422, "validation_failed").detail).toContain("nothing has been uploaded");
  });

  it("answers 422 for an upload that is not an image", async () => {
    const customer = await createCustomer("quote-not-image");
    const image = await upload(customer.key, new TextEncoder().encode("plain text, not pixels"));
    const problem = expectProblem(await postQuote(customer.key, drag(image)), 422, "validation_failed");
    expect(problem.detail).toContain("not a PNG, JPEG or WebP");
  });

  it("answers 422 for a model the runners do not serve", async () => {
    const customer = await createCustomer("quote-model");
    const image = await uploadPng(customer.key, 128, 128);
    const problem = expectProblem(
      await postQuote(customer.key, drag(image, { model: "sdxl-unknown" })),
      422,
      "validation_failed",
    );
    expect(problem.errors).toEqual([
      { path: "model", message: 'model "sdxl-unknown" is not served; choose one of: stochedit-mini, sd15-test' },
    ]);
  });

  it("answers 422 with the schema's field paths for a malformed body", async () => {
    const customer = await createCustomer("quote-schema");
    const reply = await postQuote(customer.key, {
      task: "drag",
      image: "up_0000000000000000000A",
      points: [{ from: [1, 2], to: [3] }],
      t0: 1.5,
    });
    const problem = expectProblem(reply, 422, "validation_failed");
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(["points.0.to", "t0"]);
    expect(problem.retryable).toBe(false);
  });

  it("does not find another account's upload", async () => {
    const owner = await createCustomer("quote-owner");
    const other = await createCustomer("quote-other");
    const image = await uploadPng(owner.key, 640, 480);
    expect((await postQuote(owner.key, drag(image))).status).toBe(200);
    const problem = expectProblem(await postQuote(other.key, drag(image)), 422, "validation_failed");
    expect(problem.detail).toContain("does not exist");
  });
});
