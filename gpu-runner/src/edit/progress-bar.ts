/** @module progress-bar: step progress on a terminal (one redrawn line) or a log (a line every tenth). */
import type { StepProgress } from "../tasks/task.js";

const barWidth = 30;

export interface ProgressBar {
  update(progress: StepProgress): void;
  /** Ends the redrawn line so that later output starts on a fresh one. */
  finish(): void;
}

export function progressBar(stream: NodeJS.WriteStream, started: number = performance.now()): ProgressBar {
  let lastTenth = -1;
  let drawn = false;
  return {
    update({ step, total }) {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (stream.isTTY) {
        const filled = Math.round((barWidth * step) / total);
        stream.write(`\r[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${step}/${total} steps ${seconds}s`);
        drawn = true;
        return;
      }
      const tenth = Math.floor((10 * step) / total);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`progress ${step}/${total} steps ${seconds}s\n`);
      }
    },
    finish() {
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}
