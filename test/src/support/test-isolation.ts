/**
 * @module test-isolation: what one test leaves behind is cleared before the next: its runners are killed and its
 * unfinished edits canceled, so no later test sees another test's runner claim its job or a stray job in the queue.
 */
import type { E2eStack } from "./e2e-stack.js";
import type { ApiClient } from "./public-api.js";

/** Cancels every queued or running edit of the account (a test that failed half-way leaves some). */
export async function cancelUnfinishedEdits(api: ApiClient): Promise<void> {
  const unfinished = [...(await api.editsIn("queued")), ...(await api.editsIn("running"))];
  for (const edit of unfinished) await api.cancel(edit.id);
}

/** Kills the runners the test started, then cancels what they left unfinished. */
export async function clearAfterTest(stack: E2eStack, api: ApiClient): Promise<void> {
  await stack.stopRunners();
  await cancelUnfinishedEdits(api);
}
