/** @module step-counter: counts a task's model steps, reports each one, and stops the task once it is canceled. */
import { JobCanceled } from "../job-failure.js";
import type { TaskRuntime } from "./task.js";

export class StepCounter {
  private done = 0;

  constructor(
    private readonly runtime: Pick<TaskRuntime, "onStep" | "signal">,
    readonly total: number,
  ) {}

  /** Called before every model step, so a canceled job stops between steps. */
  throwIfCanceled(): void {
    if (this.runtime.signal?.aborted) {
      throw new JobCanceled(`canceled after ${this.done} of ${this.total} steps`);
    }
  }

  /** Called after every model step. */
  stepDone(): void {
    this.done++;
    this.runtime.onStep?.({ step: this.done, total: this.total });
  }
}
