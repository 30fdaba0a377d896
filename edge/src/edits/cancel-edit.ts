/** @module cancel-edit: POST /v1/edits/{id}/cancel: end an unfinished edit as canceled and release its hold. */

import { finishEdit } from "../billing/settlement.js";
import type { DataScope } from "../db/data-scope.js";
import { type EditRow, readEdit } from "../db/edits.js";
import { dispatcherStub } from "../dispatch/dispatcher.js";
import { ApiError } from "../http/api-error.js";
import { retryTransient } from "../storage/transient-errors.js";

/**
 * D1 is settled first: from then on the edit is canceled whatever a runner reports (a late completion finds it no
 * longer running and changes nothing). The Dispatcher is told afterwards to drop the queued job or flag its lease.
 * A finished edit is returned unchanged.
 */
export async function cancelEdit(env: Env, scope: DataScope, editId: string): Promise<EditRow> {
  const edit = await readEdit(env.DB, scope, editId);
  if (!edit) throw new ApiError("not_found", `edit ${editId} does not exist`);
  const canceled = await finishEdit(env, { editId, status: "canceled", nowMs: Date.now() });
  // Removing or flagging twice is the same as once.
  if (canceled) await retryTransient(() => dispatcherStub(env).cancel(editId));
  return (await readEdit(env.DB, scope, editId)) ?? edit;
}
