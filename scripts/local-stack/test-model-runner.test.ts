import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { wranglerConfig } from "./repo-paths.js";
import { testModelName } from "./test-model-runner.js";

describe("the test model's runner", () => {
  it("serves the model every environment of wrangler.toml sends test-mode edits to", async () => {
    const toml = await readFile(wranglerConfig, "utf8");
    const named = [...toml.matchAll(/^TEST_MODEL\s*=\s*"([^"]*)"/gm)].map((m) => m[1]);
    expect(named.length).toBeGreaterThanOrEqual(4);
    expect(new Set(named)).toEqual(new Set([testModelName]));
  });
});
