-- Transactional outbox for webhooks: the settlement that ends an edit with a webhook_url writes a row here in the
-- same transaction, so the webhook is owed even if queuing it fails or the worker stops right after. The row is
-- deleted once the message is on the queue; the sweep (cron) queues whatever stayed owed past a grace period.

-- status: the terminal status to announce (the webhook-id is derived from edit and status, so a re-send keeps it).
-- owed_since: when it became owed, moved forward each time the sweep takes it, so a failed sweep waits a grace
-- period again and overlapping sweeps do not take the same row.
CREATE TABLE webhook_outbox (
  edit_id TEXT PRIMARY KEY REFERENCES edits(id),
  status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'canceled', 'expired')),
  owed_since INTEGER NOT NULL
);
CREATE INDEX webhook_outbox_oldest ON webhook_outbox (owed_since);
