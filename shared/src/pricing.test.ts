import { describe, expect, it } from "vitest";
import { EditRequest } from "./edit-request.js";
import { presetTable } from "./presets.js";
import { modelWork, priceMicroCredits, priceTable, quote } from "./pricing.js";

const image = "up_8Jk2mQ4xZr7TnW1bVc5y";
const size512 = { width: 512, height: 512 };

describe("modelWork", () => {
  it("gives the reference drag 5 operations x 120 calls of batch 4", () => {
    // latent (18,27) -> (18,18) is pixel (144,216) -> (144,144): the reference 5-operation split
    const drag = EditRequest.parse({ task: "drag", image, points: [{ from: [144, 216], to: [144, 144] }] });
    expect(modelWork(drag, size512)).toEqual({
      operations: 5,
      stepsPerOperation: 120,
      batch: 4,
      unetCalls: 600,
      decoderCalls: 0,
    });
  });

  it("gives ODE-Drag twice the calls at half the batch (inversion, then the way down), at the same price", () => {
    const body = { task: "drag", image, points: [{ from: [144, 216], to: [144, 144] }] } as const;
    const ode = EditRequest.parse({ ...body, sampler: "ode" });
    expect(modelWork(ode, size512)).toEqual({
      operations: 5,
      stepsPerOperation: 120,
      batch: 2,
      unetCalls: 1200,
      decoderCalls: 0,
    });
    expect(priceMicroCredits(ode, size512)).toBe(priceMicroCredits(EditRequest.parse(body), size512));
  });

  it("counts steps x strength for img2img and halves the batch without guidance", () => {
    const guided = EditRequest.parse({ task: "img2img", image, strength: 0.5, steps: 50 });
    expect(modelWork(guided, size512)).toMatchObject({ stepsPerOperation: 25, batch: 2, unetCalls: 25 });
    const unguided = EditRequest.parse({ task: "img2img", image, strength: 0.5, steps: 50, guidance: 1 });
    expect(modelWork(unguided, size512).batch).toBe(1);
  });
});

describe("priceMicroCredits", () => {
  it("is base plus per-sample compute at the reference size", () => {
    const req = EditRequest.parse({ task: "inpaint", image, mask: image, steps: 50 });
    expect(priceMicroCredits(req, size512)).toBe(priceTable.baseMicroCredits.inpaint + 100 * 50 * 2);
  });

  it("is an integer that grows with pixels and steps, and ignores the sampler", () => {
    const base = { task: "img2img", image, strength: 0.7 } as const;
    const small = priceMicroCredits(EditRequest.parse(base), size512);
    const large = priceMicroCredits(EditRequest.parse(base), { width: 1000, height: 1001 });
    const longer = priceMicroCredits(EditRequest.parse({ ...base, steps: 100 }), size512);
    const ode = priceMicroCredits(EditRequest.parse({ ...base, sampler: "ode" }), size512);
    expect(Number.isInteger(large)).toBe(true);
    expect(large).toBeGreaterThan(small);
    expect(longer).toBeGreaterThan(small);
    expect(ode).toBe(small);
  });

  it("adds each preview's VAE decode at the price of unetSamplesPerDecode latents, scaled by pixels like the UNet", () => {
    const body = { task: "img2img", image, strength: 0.5, steps: 50 } as const;
    const plain = EditRequest.parse(body);
    const previewed = EditRequest.parse({ ...body, previews: 4 });
    expect(modelWork(previewed, size512).decoderCalls).toBe(4);
    const perDecode = priceTable.perUnetSampleMicroCredits * priceTable.unetSamplesPerDecode;
    expect(priceMicroCredits(previewed, size512) - priceMicroCredits(plain, size512)).toBe(4 * perDecode);
    const size1024 = { width: 1024, height: 1024 };
    expect(priceMicroCredits(previewed, size1024) - priceMicroCredits(plain, size1024)).toBe(4 * 4 * perDecode);
  });

  it("prices a drag's previews with its copy-pasted start, and no more decodes than steps run", () => {
    // 4 steps run (steps 10 from t0 0.4); 8 previews asked: 4 previewed steps and the start.
    const drag = EditRequest.parse({
      task: "drag",
      image,
      points: [{ from: [100, 100], to: [108, 100] }],
      steps: 10,
      t0: 0.4,
      previews: 8,
    });
    expect(modelWork(drag, size512)).toMatchObject({ operations: 1, stepsPerOperation: 4, decoderCalls: 5 });
    expect(modelWork({ ...drag, previews: 0 }, size512).decoderCalls).toBe(0);
  });

  it("quote reports the same price and its parts", () => {
    const req = EditRequest.parse({ task: "drag", image, points: [{ from: [500, 420], to: [560, 400] }] });
    const size = { width: 1000, height: 1000 };
    const q = quote(req, size);
    expect(q.price).toBe(priceMicroCredits(req, size));
    expect(q).toMatchObject({ width: 1000, height: 1000, batch: 4, steps_per_operation: 120 });
    expect(q.unet_calls).toBe(q.operations * 120);
    expect(q.decoder_calls).toBe(0);
    const previewed = quote({ ...req, previews: 3 }, size);
    expect(previewed.decoder_calls).toBe(4);
    expect(previewed.price).toBe(priceMicroCredits({ ...req, previews: 3 }, size));
    expect(previewed.price).toBeGreaterThan(q.price);
  });
});

describe("presets in the price", () => {
  // latent (18,27) -> (18,18): 5 operations at 512x512
  const drag = { task: "drag", image, points: [{ from: [144, 216], to: [144, 144] }] } as const;

  it("prices a preset by the UNet calls its grid takes: fast < standard <= best", () => {
    const calls = (preset: "fast" | "standard" | "best") => {
      const { steps, t0 } = presetTable.drag[preset];
      return 5 * Math.round(steps * t0);
    };
    const prices = (["fast", "standard", "best"] as const).map((preset) => {
      const request = EditRequest.parse({ ...drag, preset });
      expect(modelWork(request, size512)).toEqual({
        operations: 5,
        stepsPerOperation: calls(preset) / 5,
        batch: 4,
        unetCalls: calls(preset),
        decoderCalls: 0,
      });
      const price = priceMicroCredits(request, size512);
      expect(price).toBe(priceTable.baseMicroCredits.drag + 100 * calls(preset) * 4);
      return price;
    });
    expect(prices[0]).toBeLessThan(prices[1]!);
    expect(prices[1]).toBeLessThanOrEqual(prices[2]!);
    expect(prices[1]).toBe(priceMicroCredits(EditRequest.parse(drag), size512));
  });

  it("prices inpainting and img2img presets by their grids", () => {
    const inpaint = EditRequest.parse({ task: "inpaint", image, mask: image, preset: "fast" });
    expect(quote(inpaint, size512)).toMatchObject({ unet_calls: presetTable.inpaint.fast.steps, batch: 2 });
    const best = EditRequest.parse({ task: "inpaint", image, mask: image, preset: "best" });
    expect(priceMicroCredits(best, size512)).toBe(
      priceTable.baseMicroCredits.inpaint + 100 * presetTable.inpaint.best.steps * 2,
    );
    expect(priceMicroCredits(best, size512)).toBeGreaterThan(priceMicroCredits(inpaint, size512));
    const img2img = EditRequest.parse({ task: "img2img", image, strength: 0.5, preset: "fast" });
    const fastCalls = Math.round(presetTable.img2img.fast.steps * 0.5);
    expect(quote(img2img, size512)).toMatchObject({ unet_calls: fastCalls, steps_per_operation: fastCalls });
    expect(priceMicroCredits(img2img, size512)).toBe(priceTable.baseMicroCredits.img2img + 100 * fastCalls * 2);
  });

  it("prices an explicit steps given with a preset as those steps", () => {
    const explicit = EditRequest.parse({ ...drag, preset: "fast", steps: 200 });
    expect(priceMicroCredits(explicit, size512)).toBe(priceMicroCredits(EditRequest.parse(drag), size512));
  });
});
