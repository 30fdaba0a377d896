/** @module prompt-conditions: encodes the job's prompt, and the empty prompt when guidance needs it. */
import type { PromptConditions } from "../diffusion/guided-noise.js";
import type { NoisePredictor } from "../diffusion/noise-predictor.js";

/** guidance > 1 needs the unconditional pass (the empty prompt); guidance = 1 runs the conditional pass alone. */
export async function encodeConditions(
  predictor: NoisePredictor,
  prompt: string,
  guidance: number,
): Promise<PromptConditions> {
  const cond = await predictor.encodePrompt(prompt);
  if (guidance === 1) return { cond };
  return { cond, uncond: await predictor.encodePrompt("") };
}
