/** @module edit-status: waits on an edit's status by polling GET /v1/edits/{id} under a bounded deadline. */
import type { Edit } from "@stochedit/shared";
import { waitUntil } from "../../../scripts/local-stack/wait-until.js";
import type { ApiClient } from "./public-api.js";

export function waitForEdit(
  api: ApiClient,
  id: string,
  done: (edit: Edit) => boolean,
  timeoutMs = 60_000,
): Promise<Edit> {
  let last: Edit | undefined;
  return waitUntil(
    async () => {
      last = await api.edit(id);
      return done(last) ? last : undefined;
    },
    { what: `edit ${id}`, timeoutMs, intervalMs: 50 },
  ).catch((error: Error) => {
    const seen = last && `${last.status}, step ${last.progress.step}, attempts ${last.attempts}`;
    throw new Error(`${error.message}; last seen: ${seen ?? "nothing"}`);
  });
}

export const isTerminalEdit = (edit: Edit) => ["succeeded", "failed", "canceled", "expired"].includes(edit.status);
