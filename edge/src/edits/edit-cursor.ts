/** @module edit-cursor: the opaque cursor of GET /v1/edits: base64url of "<created_at ms>.<edit id>". */
import { EditId } from "@stochedit/shared";
import type { EditCursor } from "../db/edits.js";
import { fieldProblem } from "../http/api-error.js";

export function encodeEditCursor(cursor: EditCursor): string {
  return btoa(`${cursor.createdAtMs}.${cursor.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeEditCursor(cursor: string): EditCursor {
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw fieldProblem("cursor", "is not a cursor returned by this API (pass next_cursor unchanged)");
  }
  const match = /^(\d{1,16})\.(.+)$/.exec(text);
  if (!match || !EditId.safeParse(match[2]).success) {
    throw fieldProblem("cursor", "is not a cursor returned by this API (pass next_cursor unchanged)");
  }
  return { createdAtMs: Number(match[1]), id: match[2]! };
}
