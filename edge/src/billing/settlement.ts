/**
 * @module settlement: ends an edit: settles its hold (ledger.ts settleEdit) and, when it did end just now, queues its
 * webhook. Every ending goes through here: a runner's complete or fail, a cancel, a failed hand-over, and the
 * Dispatcher's alarm (a lease that ran out, a job that waited too long).
 */

import { readEditById } from "../db/edits.js";
import { clearOwedWebhooks } from "../db/webhook-outbox.js";
import { retryTransient } from "../storage/transient-errors.js";
import { enqueueWebhook } from "../webhooks/webhook-message.js";
import { type Settlement, settleEdit } from "./ledger.js";

/**
 * Returns whether this call ended the edit. The webhook goes out only then, so every ending is announced once. The
 * settlement has already recorded the webhook as owed (webhook_outbox), so a failure to queue it is logged, not
 * thrown: the edit and its money are settled and must stay so, and the sweep (sweep-owed-webhooks.ts) queues it.
 */
export async function finishEdit(env: Env, settlement: Settlement): Promise<boolean> {
  // A repeat changes nothing once the first run has ended the edit (it matches only unfinished edits); a first run
  // that ended it but lost its answer makes this call report false, and the sweep sends the webhook it recorded.
  const ended = await retryTransient(() => settleEdit(env.DB, settlement));
  if (!ended) return false;
  try {
    const edit = await readEditById(env.DB, settlement.editId);
    if (edit && (await enqueueWebhook(env.WEBHOOKS, edit))) await clearOwedWebhooks(env.DB, [edit.id]);
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        message: "webhook not queued; left owed for the sweep",
        editId: settlement.editId,
        error: String(error),
      }),
    );
  }
  return true;
}
