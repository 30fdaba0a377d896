/** @module noise-ahead: Cycle-SDE's forward noise for a later pass, drawn level by level while the model runs. */
import type { GaussianSource } from "./gaussian-rng.js";

/**
 * The z of each level of one recordCycleForward pass, drawn from the job's generator in the order that pass would
 * draw them (the lowest level first), a level at a time. A multi-operation SDE-Drag draws the next operation's
 * noise during the model calls of the current one, when the sampler would otherwise wait: the draws, and so the
 * bytes of the edit, stay the same.
 */
export class NoiseAhead {
  private readonly z: Float32Array[];
  private drawn = 0;

  /** levels: the draws of one pass (grid levels minus one); size: the latent's. */
  constructor(
    private readonly rng: GaussianSource,
    levels: number,
    size: number,
  ) {
    this.z = Array.from({ length: levels }, () => new Float32Array(size));
  }

  /** Draws the next level's noise, if one is left. */
  drawNext(): void {
    if (this.drawn === this.z.length) return;
    this.drawn++;
    this.rng.fill(this.z[this.z.length - this.drawn]!);
  }

  /**
   * Every level's noise, z[k] for the step up to grid level k, after drawing what is left; the next drawNext starts
   * the pass after this one (overwriting these arrays).
   */
  take(): readonly Float32Array[] {
    while (this.drawn < this.z.length) this.drawNext();
    this.drawn = 0;
    return this.z;
  }
}
