-- Test mode: what an sk_test_ key makes is marked livemode = 0 and is seen only by test keys (and live data only by
-- live keys). Test edits hold and capture nothing: their ledger rows move 0 credits and are marked test rows too.
-- Rows from before this migration are live.

ALTER TABLE edits ADD COLUMN livemode INTEGER NOT NULL DEFAULT 1 CHECK (livemode IN (0, 1));
ALTER TABLE uploads ADD COLUMN livemode INTEGER NOT NULL DEFAULT 1 CHECK (livemode IN (0, 1));
ALTER TABLE ledger_entries ADD COLUMN livemode INTEGER NOT NULL DEFAULT 1 CHECK (livemode IN (0, 1));

-- Listings are per account and mode, newest first (these replace the per-account indexes of 0001).
DROP INDEX edits_account_newest;
DROP INDEX edits_account_status_newest;
CREATE INDEX edits_account_mode_newest ON edits (account_id, livemode, created_at DESC, id DESC);
CREATE INDEX edits_account_mode_status_newest ON edits (account_id, livemode, status, created_at DESC, id DESC);
CREATE INDEX ledger_entries_account_mode ON ledger_entries (account_id, livemode, id);
