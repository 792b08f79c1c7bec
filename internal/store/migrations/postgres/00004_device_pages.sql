-- What the pages of the inventory need to stay fast at 100,000 devices.
-- This is the PostgreSQL twin of migrations/sqlite/00004_device_pages.sql,
-- without what PostgreSQL does not need: the trigram index of the search
-- column (a scan of one column of 100k rows takes milliseconds here) and
-- the covering index of the counts (it counts by hashing, not in order).

-- +goose Up

-- search_key is the device's row in SQLite's device_search, given by the
-- merge that inserts the device; kept here too, so that both backends have
-- the same columns and the merge the same SQL.
ALTER TABLE devices ADD COLUMN search_key BIGINT NOT NULL DEFAULT 0;
UPDATE devices SET search_key = k.n
	FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM devices) k
	WHERE devices.id = k.id;
CREATE UNIQUE INDEX devices_search_key ON devices (search_key);

-- An index for each order of the list, (sort key, id) as its keyset
-- pages ask.
DROP INDEX devices_category;
DROP INDEX devices_criticality;
DROP INDEX devices_vendor;
DROP INDEX devices_first_seen;
CREATE INDEX devices_category ON devices (category, id);
CREATE INDEX devices_criticality ON devices (criticality, id);
CREATE INDEX devices_vendor ON devices (vendor, id);
CREATE INDEX devices_model ON devices (model, id);
CREATE INDEX devices_first_seen ON devices (first_seen, id);

-- The audit page filters by actor or action, newest first, and by time.
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_time ON audit_events (time);
