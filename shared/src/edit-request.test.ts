import { describe, expect, it } from "vitest";
import { EditRequest, taskDefaults } from "./edit-request.js";
import { Preset, presetTable } from "./presets.js";
import { fieldErrors } from "./problem.js";

const image = "up_8Jk2mQ4xZr7TnW1bVc5y";
const mask = "up_Mask0000000000000001";

function issuesOf(body: unknown) {
  const result = EditRequest.safeParse(body);
  if (result.success) throw new Error("expected a validation failure");
  return fieldErrors(result.error.issues);
}

describe("EditRequest defaults", () => {
  it("fills drag defaults: sde, 200 steps, t0 0.6, guidance 3, png", () => {
    const parsed = EditRequest.parse({ task: "drag", image, points: [{ from: [500, 420], to: [560, 400] }] });
    expect(parsed).toMatchObject({
      task: "drag",
      sampler: "sde",
      steps: taskDefaults.drag.steps,
      t0: 0.6,
      guidance: 3,
      output_format: "png",
      prompt: "",
    });
    expect(parsed).not.toHaveProperty("seed");
  });

  it("fills inpaint defaults: t0 1.0, 50 steps, guidance 7.5", () => {
    const parsed = EditRequest.parse({ task: "inpaint", image, mask, prompt: "a cat" });
    expect(parsed).toMatchObject({ t0: 1, steps: 50, guidance: 7.5, sampler: "sde" });
  });

  it("keeps explicit values for img2img", () => {
    const parsed = EditRequest.parse({
      task: "img2img",
      image,
      prompt: "oil painting",
      strength: 0.45,
      sampler: "ode",
      seed: 7,
      steps: 30,
      output_format: "webp",
      webhook_url: "https://example.com/hook",
      model: "stochedit-mini",
    });
    expect(parsed).toMatchObject({ strength: 0.45, sampler: "ode", seed: 7, steps: 30, output_format: "webp" });
  });
});

describe("EditRequest presets", () => {
  const bodies = {
    drag: { task: "drag", image, points: [{ from: [500, 420], to: [560, 400] }] },
    inpaint: { task: "inpaint", image, mask },
    img2img: { task: "img2img", image, strength: 0.5 },
  } as const;

  it("is standard when omitted, and standard is the grid the API always had", () => {
    expect(EditRequest.parse(bodies.drag)).toMatchObject({ preset: "standard", steps: 200, t0: 0.6 });
    expect(EditRequest.parse(bodies.inpaint)).toMatchObject({ preset: "standard", steps: 50, t0: 1 });
    expect(EditRequest.parse(bodies.img2img)).toMatchObject({ preset: "standard", steps: 50, strength: 0.5 });
  });

  it("fills each task's steps and t0 from the preset named", () => {
    for (const preset of Preset.options) {
      expect(EditRequest.parse({ ...bodies.drag, preset })).toMatchObject({ preset, ...presetTable.drag[preset] });
      expect(EditRequest.parse({ ...bodies.inpaint, preset })).toMatchObject({
        preset,
        ...presetTable.inpaint[preset],
      });
      const img2img = EditRequest.parse({ ...bodies.img2img, preset });
      expect(img2img).toMatchObject({ preset, steps: presetTable.img2img[preset].steps, strength: 0.5 });
      expect(img2img).not.toHaveProperty("t0");
    }
  });

  it("orders the grids fast < standard <= best for every task (drag's best is its standard grid)", () => {
    for (const task of ["drag", "inpaint", "img2img"] as const) {
      const steps = Preset.options.map((preset) => EditRequest.parse({ ...bodies[task], preset }).steps);
      expect(steps[0]).toBeLessThan(steps[1]!);
      expect(steps[1]).toBeLessThanOrEqual(steps[2]!);
    }
  });

  it("lets explicit steps, t0 and strength win over the preset", () => {
    expect(EditRequest.parse({ ...bodies.drag, preset: "fast", steps: 300 })).toMatchObject({
      preset: "fast",
      steps: 300,
      t0: presetTable.drag.fast.t0,
    });
    expect(EditRequest.parse({ ...bodies.drag, preset: "best", t0: 0.3 })).toMatchObject({
      steps: presetTable.drag.best.steps,
      t0: 0.3,
    });
    expect(EditRequest.parse({ ...bodies.inpaint, preset: "fast", steps: 7, t0: 0.8 })).toMatchObject({
      steps: 7,
      t0: 0.8,
    });
    expect(EditRequest.parse({ ...bodies.img2img, preset: "fast", steps: 12, strength: 0.9 })).toMatchObject({
      steps: 12,
      strength: 0.9,
    });
  });

  it("serialises the same whether steps and t0 were given or filled by the preset", () => {
    const filled = EditRequest.parse({ ...bodies.drag, preset: "fast" });
    const given = EditRequest.parse({ t0: 0.6, steps: presetTable.drag.fast.steps, ...bodies.drag, preset: "fast" });
    expect(JSON.stringify(given)).toBe(JSON.stringify(filled));
  });

  it("parses its own output to the same request (the edge stores it, the runner parses it again)", () => {
    for (const body of Object.values(bodies)) {
      const parsed = EditRequest.parse({ ...body, preset: "fast" });
      expect(EditRequest.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    }
  });

  it("rejects an unknown preset at its path, naming the presets", () => {
    const [issue] = issuesOf({ ...bodies.drag, preset: "turbo" });
    expect(issue).toMatchObject({ path: "preset" });
    expect(issue!.message).toMatch(/fast.*standard.*best/);
    expect(issuesOf({ ...bodies.img2img, preset: 1 })[0]!.path).toBe("preset");
  });

  it("still bounds explicit steps and t0 given with a preset", () => {
    expect(issuesOf({ ...bodies.drag, preset: "fast", steps: 0 })[0]!.path).toBe("steps");
    expect(issuesOf({ ...bodies.drag, preset: "fast", t0: 1.5 })[0]!.path).toBe("t0");
  });
});

describe("EditRequest rejections name the field", () => {
  const drag = { task: "drag", image, points: [{ from: [1, 2], to: [3, 4] }] };

  it("rejects an unknown task with the discriminator path", () => {
    expect(issuesOf({ task: "blur", image })[0]!.path).toBe("task");
  });

  it("requires a mask for inpainting", () => {
    expect(issuesOf({ task: "inpaint", image })).toEqual([expect.objectContaining({ path: "mask" })]);
  });

  it("requires strength for img2img and bounds it to (0, 1]", () => {
    expect(issuesOf({ task: "img2img", image })[0]!.path).toBe("strength");
    expect(issuesOf({ task: "img2img", image, strength: 0 })[0]).toMatchObject({
      path: "strength",
      message: "must be greater than 0",
    });
    expect(issuesOf({ task: "img2img", image, strength: 1.5 })[0]!.message).toBe("must be at most 1");
  });

  it("bounds t0, steps, guidance and seed", () => {
    expect(issuesOf({ ...drag, t0: 0 })[0]!.path).toBe("t0");
    expect(issuesOf({ ...drag, steps: 0 })[0]!.path).toBe("steps");
    expect(issuesOf({ ...drag, steps: 1001 })[0]!.path).toBe("steps");
    expect(issuesOf({ ...drag, steps: 2.5 })[0]!.path).toBe("steps");
    expect(issuesOf({ ...drag, guidance: 0.5 })[0]!.path).toBe("guidance");
    expect(issuesOf({ ...drag, seed: -1 })[0]!.path).toBe("seed");
    expect(issuesOf({ ...drag, seed: 2 ** 32 })[0]!.path).toBe("seed");
  });

  it("rejects wrong types with their path", () => {
    expect(issuesOf({ ...drag, steps: "20" })[0]!.path).toBe("steps");
    expect(issuesOf({ ...drag, sampler: "euler" })[0]!.path).toBe("sampler");
    expect(issuesOf({ ...drag, prompt: 5 })[0]!.path).toBe("prompt");
  });

  it("checks drag points: count, shape and range", () => {
    expect(issuesOf({ ...drag, points: [] })[0]!.path).toBe("points");
    const many = Array.from({ length: 21 }, () => ({ from: [1, 1], to: [2, 2] }));
    expect(issuesOf({ ...drag, points: many })[0]!.path).toBe("points");
    expect(issuesOf({ ...drag, points: [{ from: [1, 2, 3], to: [3, 4] }] })[0]!.path).toBe("points.0.from");
    expect(issuesOf({ ...drag, points: [{ from: [1, 2], to: [-3, 4] }] })[0]!.path).toBe("points.0.to.0");
    expect(issuesOf({ ...drag, points: [{ from: [1, 2], to: [3, 4096] }] })[0]!.path).toBe("points.0.to.1");
  });

  it("rejects malformed upload ids, webhook URLs, model names and long prompts", () => {
    expect(issuesOf({ ...drag, image: "../etc/passwd" })[0]!.message).toMatch(/upload id/);
    expect(issuesOf({ ...drag, webhook_url: "ftp://example.com/x" })[0]!.path).toBe("webhook_url");
    expect(issuesOf({ ...drag, model: "../../models" })[0]!.path).toBe("model");
    expect(issuesOf({ ...drag, prompt: "x".repeat(1001) })[0]!.path).toBe("prompt");
  });
});
