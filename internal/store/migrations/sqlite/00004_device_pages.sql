-- What the pages of the inventory need to stay fast at 100,000 devices:
-- an index for each order of the device list, a full-text index of the
-- search column, one covering index for the counts of a filter, and
-- indexes for the audit log's filters. The conventions are those of 00001.

-- +goose Up

-- search_key is the device's row in device_search, given by the merge that
-- inserts the device (one more than the largest so far) and never changed.
-- device_search cannot use the devices' rowid: VACUUM may renumber the
-- rowids of a table without an INTEGER PRIMARY KEY.
ALTER TABLE devices ADD COLUMN search_key INTEGER NOT NULL DEFAULT 0;
UPDATE devices SET search_key = rowid;
CREATE UNIQUE INDEX devices_search_key ON devices (search_key);

-- An index for each order of the list, (sort key, id) as its keyset
-- pages ask. An equality filter walks its own index, in id order, or the
-- index of the order, whichever the planner finds fewer rows in.
DROP INDEX devices_category;
DROP INDEX devices_criticality;
DROP INDEX devices_vendor;
DROP INDEX devices_first_seen;
CREATE INDEX devices_category ON devices (category, id);
CREATE INDEX devices_criticality ON devices (criticality, id);
CREATE INDEX devices_vendor ON devices (vendor, id);
CREATE INDEX devices_model ON devices (model, id);
CREATE INDEX devices_first_seen ON devices (first_seen, id);

-- devices_counts holds every column of the devices row a filter reads,
-- grouped as the counts count them: the counts of any filter but a tag
-- read it alone, in order, with no table lookups and no sort.
-- devices_site holds the same, for a filter by site (which every page of a
-- user whose roles are for some sites only has): it finds the site's
-- devices in it. It serves the foreign key's lookups as devices_location
-- did.
CREATE INDEX devices_counts ON devices (category, criticality, vendor, last_seen, location_id,
	search);
DROP INDEX devices_location;
CREATE INDEX devices_site ON devices (location_id, category, criticality, vendor, last_seen,
	search);

-- device_search is a trigram index of devices.search: a search of three
-- characters or more finds its devices in it rather than scanning every
-- row. It holds no text of its own (content=''), only the index, and
-- compares bytes as they are (case_sensitive 1): devices.search and the
-- search are both lower-cased by Ward, so it finds what a substring
-- search of the column finds. The triggers keep it in step with devices.
CREATE VIRTUAL TABLE device_search USING fts5(search, content='', contentless_delete=1,
	tokenize='trigram case_sensitive 1');
INSERT INTO device_search (rowid, search) SELECT search_key, search FROM devices;

-- +goose StatementBegin
CREATE TRIGGER devices_search_insert AFTER INSERT ON devices
BEGIN
	INSERT INTO device_search (rowid, search) VALUES (new.search_key, new.search);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER devices_search_update AFTER UPDATE OF search ON devices
	WHEN old.search IS NOT new.search
BEGIN
	DELETE FROM device_search WHERE rowid = old.search_key;
	INSERT INTO device_search (rowid, search) VALUES (new.search_key, new.search);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER devices_search_delete AFTER DELETE ON devices
BEGIN
	DELETE FROM device_search WHERE rowid = old.search_key;
END;
-- +goose StatementEnd

-- The audit page filters by actor or action, newest first, and by time.
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_time ON audit_events (time);
