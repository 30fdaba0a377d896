-- Previews: small JPEGs of an edit's clean-image estimate that its runner sends while it runs (README "Previews"),
-- kept inline as base64 (each at most 32 KiB of JPEG, at most 9 per run). A run is one lease: the edit's current
-- lease_id picks the latest run's previews, and a retried edit's new run starts again at index 0. seq orders them
-- and is the event stream's event id (Last-Event-ID). They are pixels: retention deletes them with the output.
CREATE TABLE edit_previews (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  edit_id TEXT NOT NULL REFERENCES edits(id),
  lease_id TEXT NOT NULL,
  idx INTEGER NOT NULL CHECK (idx >= 0),
  step INTEGER NOT NULL,
  total INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (edit_id, lease_id, idx)
);
