import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** tsx's loader, by URL so that it resolves from any working directory. */
const tsxLoader = import.meta.resolve("tsx");
const scriptPath = fileURLToPath(new URL("./paper.ts", import.meta.url));

function paper(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", tsxLoader, scriptPath, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stochedit-paper-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each test starts the script in a new process (tsx compiles it first): a guard against hangs sized for a loaded
// 2-core machine, not a speed target.
describe("npm run paper", { timeout: 60_000 }, () => {
  it("writes the JSON result and one SVG per figure, named after the config", async () => {
    const config = {
      klGaussian: {
        data: { mean: 0.2, std: 0.8 },
        startLevel: 300,
        edit: { meanShiftSd: 1, varianceFactor: 2 },
        strides: [50],
        samples: 4096,
        seed: 1,
        checkpoints: 4,
      },
      tasks: {
        data: {
          height: 4,
          width: 4,
          patterns: [
            { pattern: "checkerboard", weight: 1 },
            { pattern: "ring", weight: 1 },
          ],
          amplitude: 1,
          std: 0.3,
        },
        seeds: [1, 2],
        samplesPerSeed: 4,
        edits: [{ name: "fill", task: "inpaint", fill: { x: 0, y: 0, width: 2, height: 4 }, t0: [1], steps: [4] }],
      },
    };
    await writeFile(join(dir, "tiny.json"), JSON.stringify(config));
    const run = await paper(["--config", join(dir, "tiny.json"), "--figures", join(dir, "figures")]);
    expect(run.stderr).toContain("klGaussian: done");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      result: join(dir, "tiny.result.json"),
      summary: join(dir, "tiny.summary.md"),
    });
    const summary = await readFile(join(dir, "tiny.summary.md"), "utf8");
    expect(summary).toContain("## Experiment 1a");
    expect(summary).toContain("### fill (inpaint)");
    const result = JSON.parse(await readFile(join(dir, "tiny.result.json"), "utf8"));
    expect(result.config.tasks.mmdBandwidthScales).toEqual([0.5, 1, 2]);
    expect(result.klGaussian.runs.map((r: { sampler: string }) => r.sampler)).toEqual(["ode", "sde"]);
    expect(result.tasks.edits[0].settings).toHaveLength(1);
    const figures = (await readdir(join(dir, "figures"))).sort();
    expect(figures).toEqual(["tiny-examples-fill.svg", "tiny-kl-gaussian.svg", "tiny-task-fill.svg"]);
    for (const figure of figures) expect(await readFile(join(dir, "figures", figure), "utf8")).toMatch(/^<svg [^>]*>/);
  });

  it("exits 2 naming the field when the config is invalid, and writes nothing", async () => {
    await writeFile(join(dir, "bad.json"), JSON.stringify({ klGaussian: { data: { mean: 0, std: -1 } } }));
    const run = await paper(["--config", join(dir, "bad.json"), "--figures", join(dir, "bad-figures")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not a valid paper config");
    expect(run.stderr).toContain("klGaussian.data.std");
    await expect(readdir(join(dir, "bad-figures"))).rejects.toThrow("ENOENT");
  });

  it("exits 2 without --config, and for a file that is not JSON", async () => {
    expect((await paper([])).stderr).toContain("--config is required");
    await writeFile(join(dir, "broken.json"), "{");
    const run = await paper(["--config", join(dir, "broken.json")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not JSON");
  });
});
