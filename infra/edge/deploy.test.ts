import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deploySteps, repoRoot } from "./deploy.js";

describe("deploySteps", () => {
  it("builds the playground, then applies the environment's D1 migrations, then deploys the worker", () => {
    const steps = deploySteps("staging").map((step) => [step.command, ...step.args.filter((a) => !a.endsWith(".js"))]);
    expect(steps).toEqual([
      ["npm", "run", "build", "-w", "playground"],
      [process.execPath, "d1", "migrations", "apply", "DB", "--env", "staging", "--remote", "-c", "wrangler.toml"],
      [process.execPath, "deploy", "--env", "staging", "-c", "wrangler.toml"],
    ]);
  });

  it("builds with the playground's own build script, into the folder wrangler.toml's [assets] uploads", () => {
    const playground = JSON.parse(readFileSync(join(repoRoot, "playground/package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(playground.scripts.build).toMatch(/^vite build/);
    const viteConfig = readFileSync(join(repoRoot, "playground/vite.config.ts"), "utf8");
    expect(viteConfig).toContain('outDir: "served/playground"');
    expect(readFileSync(join(repoRoot, "wrangler.toml"), "utf8")).toMatch(/^directory = "playground\/served"$/m);
  });
});
