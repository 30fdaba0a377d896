import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PaperConfig } from "./paper-config.js";

const docsConfig = new URL("../../docs/experiments/paper.json", import.meta.url);

function problems(config: unknown): string {
  const parsed = PaperConfig.safeParse(config);
  if (parsed.success) throw new Error("expected the config to be refused");
  return z.prettifyError(parsed.error);
}

const tasks = {
  data: {
    height: 8,
    width: 8,
    patterns: [
      { pattern: "ring", weight: 1 },
      { pattern: "checkerboard", weight: 2 },
    ],
    amplitude: 1,
    std: 0.3,
  },
  seeds: [1, 2],
  samplesPerSeed: 16,
  edits: [{ name: "fill", task: "inpaint", fill: { x: 0, y: 0, width: 8, height: 4 }, t0: [1], steps: [10] }],
};

describe("PaperConfig", () => {
  it("accepts the committed docs config, filling in defaults", async () => {
    const config = PaperConfig.parse(JSON.parse(await readFile(docsConfig, "utf8")));
    expect(config.klGaussian?.checkpoints).toBeGreaterThanOrEqual(2);
    expect(config.tasks?.edits.map((e) => e.task)).toEqual(expect.arrayContaining(["img2img", "inpaint", "drag"]));
  });

  it("fills in the MMD bandwidth scales and the KL checkpoints", () => {
    const config = PaperConfig.parse({ tasks });
    expect(config.tasks?.mmdBandwidthScales).toEqual([0.5, 1, 2]);
  });

  it("refuses a config that names no experiment, or an unknown key", () => {
    expect(problems({})).toContain("names no experiment");
    expect(problems({ tasks, extra: 1 })).toContain('Unrecognized key: "extra"');
  });

  it("names the path and the allowed values of a bad field", () => {
    const wrongWeights = {
      klMixture: {
        components: [
          { weight: 1, mean: 0, std: 1 },
          { weight: 1, mean: 3, std: 1 },
        ],
        editedWeights: [1],
        startLevels: [600],
        strides: [10],
        samples: 1024,
        seed: 1,
      },
    };
    expect(problems(wrongWeights)).toContain("has 1 weights; there are 2 components");
    expect(problems(wrongWeights)).toContain("klMixture.editedWeights");
    const outside = {
      tasks: {
        ...tasks,
        edits: [{ name: "drag", task: "drag", points: [{ from: [1, 1], to: [8, 1] }], t0: [0.6], steps: [20] }],
      },
    };
    expect(problems(outside)).toContain("[8, 1] lies outside the 8x8 latent");
    expect(problems(outside)).toContain("tasks.edits[0].points[0].to");
    const oneSeed = { tasks: { ...tasks, seeds: [1] } };
    expect(problems(oneSeed)).toContain("tasks.seeds");
    const badT0 = { tasks: { ...tasks, edits: [{ ...tasks.edits[0], t0: [0] }] } };
    expect(problems(badT0)).toContain("tasks.edits[0].t0[0]");
  });
});
