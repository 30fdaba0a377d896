/** @module pattern-mixture: experiment 2's data law, a Gaussian mixture of ±1 patterns on [1, 4, h, w] latents. */
import { GaussianMixture } from "@stochedit/gpu-runner/sampling";
import type { PatternDataConfig, PatternName } from "./paper-config.js";

/** Each channel carries the pattern at its own gain, as a colour would spread over SD's four latent channels. */
export const channelGains = [1, -0.6, 0.5, 0.3] as const;

/** The pattern's value, +1 or -1, at cell (x, y) of a width x height grid. Stripes and squares are 2 cells wide. */
export function patternValue(pattern: PatternName, x: number, y: number, width: number, height: number): number {
  const sign = (on: boolean) => (on ? 1 : -1);
  switch (pattern) {
    case "horizontal-stripes":
      return sign(Math.floor(y / 2) % 2 === 0);
    case "vertical-stripes":
      return sign(Math.floor(x / 2) % 2 === 0);
    case "checkerboard":
      return sign((Math.floor(x / 2) + Math.floor(y / 2)) % 2 === 0);
    case "diagonal":
      return sign(Math.floor((x + y) / 2) % 2 === 0);
    case "ring": {
      // A ring at 60% of the half-side, a quarter of the half-side thick.
      const radius = Math.hypot(x - (width - 1) / 2, y - (height - 1) / 2) / (Math.min(width, height) / 2);
      return sign(Math.abs(radius - 0.6) < 0.25);
    }
  }
}

/** The mean latent of a pattern, NCHW with N = 1: amplitude x gain_c x pattern(x, y). */
export function patternMean(pattern: PatternName, config: PatternDataConfig): number[] {
  const { height, width, amplitude } = config;
  const mean: number[] = [];
  for (const gain of channelGains) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) mean.push(amplitude * gain * patternValue(pattern, x, y, width, height));
    }
  }
  return mean;
}

/** One component per pattern, each N(mean pattern, std² I) over the 4·h·w values of a latent. */
export function patternMixture(config: PatternDataConfig): GaussianMixture {
  return new GaussianMixture(
    config.patterns.map(({ pattern, weight }) => ({ weight, mean: patternMean(pattern, config), std: config.std })),
  );
}
