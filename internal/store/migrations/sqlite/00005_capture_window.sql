-- The span of capture time each ingested file covered (unix nanoseconds, 0
-- when unknown), so that a capture overlapping one merged before (the same
-- traffic in another file) does not add its counts twice.

-- +goose Up
ALTER TABLE ingested_files ADD COLUMN capture_first INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingested_files ADD COLUMN capture_last INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE ingested_files DROP COLUMN capture_last;
ALTER TABLE ingested_files DROP COLUMN capture_first;
