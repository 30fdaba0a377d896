/**
 * @module failure-logs: when a test fails, prints what the edge and the runners said during it (vitest shows only
 * the assertion), so a failure in CI can be read without running it again.
 */
import { beforeEach } from "vitest";
import type { E2eStack } from "./e2e-stack.js";

/** Enough for a job's whole story; the edge logs every request, and the tests poll every 50 ms. */
const shownLines = 400;

/** Registers, for every test of the file, a print of the stack's log lines written while the test ran. */
export function printLogsOnFailure(stack: () => E2eStack | undefined): void {
  beforeEach((context) => {
    const from = stack()?.logs.length ?? 0;
    context.onTestFailed(() => {
      const lines = stack()?.logs.slice(from) ?? [];
      const shown = lines.slice(-shownLines);
      console.error(
        `--- the last ${shown.length} of ${lines.length} log lines of the edge and runners during this test ---\n` +
          shown.join("\n"),
      );
    });
  });
}
