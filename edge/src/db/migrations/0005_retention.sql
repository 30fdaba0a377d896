-- Retention: an edit's pixels (output and inputs) are deleted retention_seconds after it ends, or at once on
-- DELETE /v1/edits/{id}/output; purged_at records when. The row itself, and its ledger rows, are kept.
-- Uploads' objects are deleted a day after their creation (purged_at on the upload).
ALTER TABLE edits ADD COLUMN retention_seconds INTEGER NOT NULL DEFAULT 604800;
ALTER TABLE edits ADD COLUMN purged_at INTEGER;
CREATE INDEX edits_to_purge ON edits (finished_at) WHERE purged_at IS NULL AND finished_at IS NOT NULL;
ALTER TABLE uploads ADD COLUMN purged_at INTEGER;
CREATE INDEX uploads_to_purge ON uploads (created_at) WHERE purged_at IS NULL;
