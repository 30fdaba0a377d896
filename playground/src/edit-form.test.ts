import { EditRequest, quote } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { type EditForm, editRequest, missingInput, quoteRequest, samplersOf } from "./edit-form.js";

const image = "up_image0000000000000000";
const mask = "up_mask00000000000000000";
const form: EditForm = {
  task: "drag",
  image,
  prompt: "a cat",
  seed: 7,
  steps: 20,
  t0: 0.5,
  pairs: [{ from: [1, 2], to: [3, 4] }],
  mask: undefined,
  previews: 0,
};

describe("editRequest", () => {
  it("writes a drag body the API's schema accepts, with the mask only when one was uploaded", () => {
    const body = editRequest(form, "ode");
    expect(body).toEqual({
      task: "drag",
      image,
      prompt: "a cat",
      sampler: "ode",
      steps: 20,
      seed: 7,
      points: [{ from: [1, 2], to: [3, 4] }],
      t0: 0.5,
    });
    expect(EditRequest.parse(body)).toMatchObject({ task: "drag", t0: 0.5 });
    expect(editRequest({ ...form, mask }, "sde")).toMatchObject({ mask, sampler: "sde" });
  });

  it("asks for previews only when some are wanted, and the quote prices them", () => {
    expect(editRequest(form, "sde")).not.toHaveProperty("previews");
    const previewed = editRequest({ ...form, previews: 3 }, "sde");
    expect(EditRequest.parse(previewed).previews).toBe(3);
    const size = { width: 512, height: 512 };
    const plain = quote(EditRequest.parse(quoteRequest(form, "sde")), size);
    const priced = quote(EditRequest.parse(quoteRequest({ ...form, previews: 3 }, "sde")), size);
    expect(priced.decoder_calls).toBe(4);
    expect(priced.price).toBeGreaterThan(plain.price);
  });

  it("leaves the seed out when none is set, so the API draws one", () => {
    expect(editRequest({ ...form, seed: undefined }, "sde")).not.toHaveProperty("seed");
  });

  it("sends t0 as strength for img2img and never a mask or points", () => {
    const body = editRequest({ ...form, task: "img2img", mask }, "sde");
    expect(body).toEqual({
      task: "img2img",
      image,
      prompt: "a cat",
      sampler: "sde",
      steps: 20,
      seed: 7,
      strength: 0.5,
    });
    expect(EditRequest.safeParse(body).success).toBe(true);
  });

  it("needs the mask for inpainting", () => {
    expect(() => editRequest({ ...form, task: "inpaint" }, "sde")).toThrow("needs its mask");
    expect(EditRequest.parse(editRequest({ ...form, task: "inpaint", mask }, "sde"))).toMatchObject({ mask });
  });
});

describe("quoteRequest", () => {
  it("prices an inpaint before its mask is uploaded, at the price of the real request", () => {
    const size = { width: 112, height: 80 };
    const priced = EditRequest.parse(quoteRequest({ ...form, task: "inpaint" }, "sde"));
    const real = EditRequest.parse(editRequest({ ...form, task: "inpaint", mask }, "sde"));
    expect(priced).toMatchObject({ mask: image });
    expect(quote(priced, size)).toEqual(quote(real, size));
  });

  it("prices a drag without its optional mask, at the same price", () => {
    const size = { width: 112, height: 80 };
    const priced = EditRequest.parse(quoteRequest({ ...form, mask }, "sde"));
    expect(priced).not.toHaveProperty("mask");
    expect(quote(priced, size)).toEqual(quote(EditRequest.parse(editRequest({ ...form, mask }, "sde")), size));
  });
});

describe("samplersOf and missingInput", () => {
  it("runs both samplers for both", () => {
    expect(samplersOf("both")).toEqual(["sde", "ode"]);
    expect(samplersOf("ode")).toEqual(["ode"]);
  });

  it("says what is missing for each task", () => {
    const ready = { task: "drag" as const, image: "uploaded" as const, pairCount: 1, maskPainted: false };
    expect(missingInput(ready)).toBeUndefined();
    expect(missingInput({ ...ready, image: "none" })).toBe("Choose an image first.");
    expect(missingInput({ ...ready, image: "failed" })).toContain("not uploaded");
    expect(missingInput({ ...ready, pairCount: 0 })).toContain("source point");
    expect(missingInput({ ...ready, task: "inpaint" })).toContain("Paint the area");
    expect(missingInput({ ...ready, task: "inpaint", maskPainted: true })).toBeUndefined();
    expect(missingInput({ ...ready, task: "img2img", pairCount: 0 })).toBeUndefined();
  });
});
