-- Chained edits: an edit's image may be a succeeded edit's output (request `image: ed_...`). parent_edit_id names
-- that edit; image_upload_id then names the upload the chain started from (kept while any edit of it is kept).
ALTER TABLE edits ADD COLUMN parent_edit_id TEXT REFERENCES edits(id);
