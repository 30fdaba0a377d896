/**
 * @module test-model-runner: what a runner of test mode's model is: the generated tiny model (small, fast on a CPU,
 * the same output for the same seed) served under wrangler.toml's TEST_MODEL, which every sk_test_ edit runs on.
 */
import { join } from "node:path";
import { defaultTinyModelName, ensureTinyModels, tinyModelSpecs, tinyModelsRoot } from "@stochedit/gpu-runner";

/** wrangler.toml's TEST_MODEL (test-model-runner.test.ts checks that they agree). */
export const testModelName = "stochedit-test";

/** The RUNNER_* / STOCHEDIT_* settings of a test-model runner, the tiny model generated first if missing. */
export async function testModelRunnerEnv(): Promise<Record<string, string>> {
  await ensureTinyModels(
    tinyModelsRoot,
    tinyModelSpecs.filter((spec) => spec.name === defaultTinyModelName),
  );
  return { STOCHEDIT_MODEL_DIR: join(tinyModelsRoot, defaultTinyModelName), RUNNER_MODEL_NAME: testModelName };
}
