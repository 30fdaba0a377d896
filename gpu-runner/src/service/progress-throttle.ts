/** @module progress-throttle: lets a job's progress reach the edge at most once per interval, one call at a time. */

export interface ProgressThrottle {
  /** True when a report may go out now; the caller then sends it and calls `settled()` when it is answered. */
  admit(): boolean;
  settled(): void;
}

/**
 * A model step can take a millisecond on a small model: reporting each would flood the edge. A report is admitted
 * when none is in flight and `minIntervalMs` has passed since the last admitted one (the first is admitted at
 * once); the rest are dropped, since a later report supersedes them and the complete call ends the story.
 */
export function progressThrottle(
  minIntervalMs: number,
  nowMs: () => number = () => performance.now(),
): ProgressThrottle {
  let lastAdmittedMs = Number.NEGATIVE_INFINITY;
  let inFlight = false;
  return {
    admit() {
      const now = nowMs();
      if (inFlight || now - lastAdmittedMs < minIntervalMs) return false;
      lastAdmittedMs = now;
      inFlight = true;
      return true;
    },
    settled() {
      inFlight = false;
    },
  };
}
