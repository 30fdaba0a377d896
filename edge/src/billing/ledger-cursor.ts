/** @module ledger-cursor: the opaque cursor of GET /v1/account/ledger: base64url of "ledger.<last entry id>". */
import { fieldProblem } from "../http/api-error.js";

export function encodeLedgerCursor(lastId: number): string {
  return btoa(`ledger.${lastId}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The id of the last entry of the previous page. */
export function decodeLedgerCursor(cursor: string): number {
  const foreign = () => fieldProblem("cursor", "is not a cursor returned by this API (pass next_cursor unchanged)");
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw foreign();
  }
  const match = /^ledger\.(\d{1,15})$/.exec(text);
  if (!match) throw foreign();
  return Number(match[1]);
}
