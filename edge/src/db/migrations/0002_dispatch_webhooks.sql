-- Dispatch and webhooks: the lease that fences an edit's writers, each account's webhook signing secrets, and the
-- log of every webhook delivery attempt.

-- The lease of the latest claim. Runner writes (progress, complete, fail) change the edit only while this is their
-- lease: a runner whose lease expired, was handed to another runner or was canceled changes nothing.
ALTER TABLE edits ADD COLUMN lease_id TEXT;

-- Standard Webhooks secrets (whsec_<base64>). They sign, so they are kept as they are (D1 encrypts at rest); the API
-- shows one only to the account's own keys. After a rotation the retired secret keeps signing, beside the new one,
-- for a grace period, so receivers can switch without dropping deliveries.
CREATE TABLE webhook_secrets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER
);
CREATE UNIQUE INDEX webhook_secrets_current ON webhook_secrets (account_id) WHERE retired_at IS NULL;

-- One row per delivery attempt. outcome: delivered (2xx), retrying (another attempt is scheduled), gone (410: the
-- receiver asked for no more), gave_up (the retry schedule ended), refused (the URL is not allowed).
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  edit_id TEXT NOT NULL REFERENCES edits(id),
  webhook_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  url TEXT NOT NULL,
  attempt INTEGER NOT NULL CHECK (attempt >= 1),
  status_code INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retrying', 'gone', 'gave_up', 'refused')),
  next_attempt_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_edit ON webhook_deliveries (edit_id, id);
