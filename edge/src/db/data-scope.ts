/**
 * @module data-scope: whose data a request may see: one account's, in one mode. Keys of each mode see only what
 * keys of that mode made (sk_live_: livemode true; sk_test_: false), so test traffic never meets live data.
 */
export interface DataScope {
  accountId: string;
  livemode: boolean;
}

/** D1 keeps the mode as 1 (live) or 0 (test). */
export function livemodeColumn(scope: Pick<DataScope, "livemode">): 0 | 1 {
  return scope.livemode ? 1 : 0;
}
