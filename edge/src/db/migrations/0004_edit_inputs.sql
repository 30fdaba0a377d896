-- The objects an edit reads. A submission copies its uploads to keys of the edit's own
-- (accounts/<account>/edits/<edit>/image and /mask), which no presigned URL can write, and prices and runs that
-- copy: a new PUT to the upload's URL after pricing no longer changes what runs.
ALTER TABLE edits ADD COLUMN image_key TEXT;
ALTER TABLE edits ADD COLUMN mask_key TEXT;

-- Edits submitted before this migration were priced from their uploads and keep reading them (the runner still
-- refuses an image whose size differs from the priced one).
UPDATE edits SET
  image_key = (SELECT object_key FROM uploads WHERE uploads.id = edits.image_upload_id),
  mask_key = (SELECT object_key FROM uploads WHERE uploads.id = edits.mask_upload_id);
