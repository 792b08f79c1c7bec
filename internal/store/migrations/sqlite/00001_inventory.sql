-- The inventory: devices, what identifies them, what is known about them and
-- with whom they talk, and the files it was learned from.
--
-- Conventions, the same in the PostgreSQL migrations:
--   * Times are INTEGER unix nanoseconds, UTC; 0 means unknown. Capture
--     times have nanosecond resolution, integers compare and sort fast in
--     both backends, and one Go conversion serves both (SQLite has no
--     timestamp type to agree with).
--   * Text is NOT NULL DEFAULT '' where "" means unknown, so that equality,
--     primary keys and ON CONFLICT targets need no NULL handling.
--   * Counts are INTEGER (64-bit signed); the Go side stores uint64 counts
--     and never gets near 2^63.
--   * Every table is STRICT, so a value of the wrong type is an error, not a
--     silent conversion. Tables keyed by several text columns are WITHOUT
--     ROWID: their primary key is the table, not an index beside it.
--
-- There are no down migrations: a schema is only ever rolled forward, and a
-- backup is the way back.

-- +goose Up

-- locations is the tree site › building › floor › department or ward ›
-- room. site_id is the root of the tree a location belongs to (its own id
-- for a site), so that "devices at this site" is one indexed lookup and not
-- a recursive walk. Levels may be skipped (a room straight in a building);
-- the Go side checks that a child is deeper than its parent.
CREATE TABLE locations (
	id        INTEGER PRIMARY KEY,
	parent_id INTEGER REFERENCES locations (id) ON DELETE RESTRICT,
	site_id   INTEGER REFERENCES locations (id) ON DELETE RESTRICT,
	kind      TEXT NOT NULL
		CHECK (kind IN ('site', 'building', 'floor', 'department', 'ward', 'room')),
	name      TEXT NOT NULL,
	CHECK ((kind = 'site') = (parent_id IS NULL))
) STRICT;
CREATE INDEX locations_parent ON locations (parent_id, name);
CREATE INDEX locations_site ON locations (site_id);

-- owners are the people or teams answerable for a device.
CREATE TABLE owners (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL UNIQUE,
	contact TEXT NOT NULL DEFAULT ''
) STRICT;

-- devices holds one row per device id ("mac:…" for a device on a captured
-- segment, "ip:…" for a host seen only behind a router). The derived
-- identity (vendor … software) is what the latest analysis concluded,
-- except where user_set has the field's bit (vendor 1, model 2, category 4,
-- criticality 8, os 16, software 32): a person set it, and ingestion leaves
-- it alone. names, ips (every IP address it used; their history is in
-- identifiers), vlans, oui and identification are JSON written by Ward.
-- search is the lower-cased names, vendor, model, MAC and IP addresses,
-- the one column a free-text search reads: a LIKE '%…%' can use no index,
-- and one column of 100k rows scans in milliseconds.
CREATE TABLE devices (
	id             TEXT PRIMARY KEY,
	mac            TEXT NOT NULL DEFAULT '',
	name           TEXT NOT NULL DEFAULT '',
	names          TEXT NOT NULL DEFAULT '[]',
	ips            TEXT NOT NULL DEFAULT '[]',
	vendor         TEXT NOT NULL DEFAULT '',
	model          TEXT NOT NULL DEFAULT '',
	category       TEXT NOT NULL DEFAULT '',
	criticality    TEXT NOT NULL DEFAULT '',
	os             TEXT NOT NULL DEFAULT '',
	software       TEXT NOT NULL DEFAULT '',
	identification TEXT NOT NULL DEFAULT '{}',
	user_set       INTEGER NOT NULL DEFAULT 0,
	router         INTEGER NOT NULL DEFAULT 0,
	mac_randomised INTEGER NOT NULL DEFAULT 0,
	oui            TEXT NOT NULL DEFAULT '',
	vlans          TEXT NOT NULL DEFAULT '[]',
	first_seen     INTEGER NOT NULL DEFAULT 0,
	last_seen      INTEGER NOT NULL DEFAULT 0,
	packets        INTEGER NOT NULL DEFAULT 0,
	bytes          INTEGER NOT NULL DEFAULT 0,
	search         TEXT NOT NULL DEFAULT '',
	location_id    INTEGER REFERENCES locations (id) ON DELETE SET NULL,
	owner_id       INTEGER REFERENCES owners (id) ON DELETE SET NULL,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
) STRICT;
-- A page of the device list is a walk along one of these in order, with
-- the filter's equality first and (sort key, id) after it, so a filtered,
-- sorted page of 100k devices reads about one page of rows. The id suffix
-- makes the order total, which keyset pagination needs.
CREATE INDEX devices_last_seen ON devices (last_seen, id);
CREATE INDEX devices_category ON devices (category, last_seen, id);
CREATE INDEX devices_criticality ON devices (criticality, last_seen, id);
CREATE INDEX devices_vendor ON devices (vendor, last_seen, id);
CREATE INDEX devices_name ON devices (name, id);
CREATE INDEX devices_location ON devices (location_id);
CREATE INDEX devices_owner ON devices (owner_id);

-- identifiers is the history of a device's addresses: kind 'mac' or 'ip',
-- with when each was first and last used. seen_by is a bit set of how an IP
-- address was seen: 1 as a packet's source, 2 in ARP, 4 in neighbour
-- discovery. The (kind, value) index answers "who had 10.1.2.3".
CREATE TABLE identifiers (
	device_id  TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('mac', 'ip')),
	value      TEXT NOT NULL,
	first_seen INTEGER NOT NULL DEFAULT 0,
	last_seen  INTEGER NOT NULL DEFAULT 0,
	packets    INTEGER NOT NULL DEFAULT 0,
	seen_by    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (device_id, kind, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX identifiers_value ON identifiers (kind, value);

-- attributes are the facts about a device with their provenance. They are
-- compacted: one row per (device, source, key, value, peer), however many
-- packets or files showed it; a merge adds the counts and widens the first
-- and last times, never adding a row per sighting. peer is '' for a fact
-- about the device alone, else the device id (or "ip:…") at the other end.
-- Source 'user' marks what a person set; ingestion never writes it.
-- confidence is 0–100 (dissect.Confidence).
CREATE TABLE attributes (
	device_id  TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	source     TEXT NOT NULL,
	key        TEXT NOT NULL,
	value      TEXT NOT NULL,
	peer       TEXT NOT NULL DEFAULT '',
	confidence INTEGER NOT NULL DEFAULT 0,
	first_seen INTEGER NOT NULL DEFAULT 0,
	last_seen  INTEGER NOT NULL DEFAULT 0,
	count      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (device_id, source, key, value, peer)
) STRICT, WITHOUT ROWID;

-- links are the conversations clinical protocols name (DICOM AE titles,
-- HL7 applications), compacted like attributes. to_device has no foreign
-- key: the other end may be "ip:…", an address that is no device here.
CREATE TABLE links (
	source      TEXT NOT NULL,
	key         TEXT NOT NULL,
	value       TEXT NOT NULL,
	from_device TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	to_device   TEXT NOT NULL,
	first_seen  INTEGER NOT NULL DEFAULT 0,
	last_seen   INTEGER NOT NULL DEFAULT 0,
	count       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (from_device, source, key, value, to_device)
) STRICT, WITHOUT ROWID;
CREATE INDEX links_to ON links (to_device);

-- findings are the security problems seen on a device, counts only. A
-- merge adds messages and connections; peers keeps the largest count seen
-- in one analysis, as the peers themselves are not stored.
CREATE TABLE findings (
	device_id   TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	kind        TEXT NOT NULL,
	protocol    TEXT NOT NULL,
	messages    INTEGER NOT NULL DEFAULT 0,
	connections INTEGER NOT NULL DEFAULT 0,
	peers       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (device_id, kind, protocol)
) STRICT, WITHOUT ROWID;

-- flows are the conversations between addresses, both directions in one
-- row keyed as observe.FlowKey is; the *_rev counts are those from dst
-- back to src. src_device and dst_device are the devices the inventory
-- resolved the ends to, NULL when none.
CREATE TABLE flows (
	src          TEXT NOT NULL,
	dst          TEXT NOT NULL,
	proto        INTEGER NOT NULL,
	dst_port     INTEGER NOT NULL,
	vlan         INTEGER NOT NULL,
	app          TEXT NOT NULL DEFAULT '',
	packets      INTEGER NOT NULL DEFAULT 0,
	bytes        INTEGER NOT NULL DEFAULT 0,
	packets_rev  INTEGER NOT NULL DEFAULT 0,
	bytes_rev    INTEGER NOT NULL DEFAULT 0,
	messages     INTEGER NOT NULL DEFAULT 0,
	messages_rev INTEGER NOT NULL DEFAULT 0,
	connections  INTEGER NOT NULL DEFAULT 0,
	first_seen   INTEGER NOT NULL DEFAULT 0,
	last_seen    INTEGER NOT NULL DEFAULT 0,
	src_mac      TEXT NOT NULL DEFAULT '',
	dst_mac      TEXT NOT NULL DEFAULT '',
	src_device   TEXT REFERENCES devices (id) ON DELETE SET NULL,
	dst_device   TEXT REFERENCES devices (id) ON DELETE SET NULL,
	PRIMARY KEY (src, dst, proto, dst_port, vlan)
) STRICT, WITHOUT ROWID;
CREATE INDEX flows_src_device ON flows (src_device);
CREATE INDEX flows_dst_device ON flows (dst_device);

-- tags are free labels a person puts on devices.
CREATE TABLE tags (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE device_tags (
	device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	tag_id    INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	PRIMARY KEY (device_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX device_tags_tag ON device_tags (tag_id, device_id);

-- ingested_files records each merged input by the SHA-256 of its bytes
-- (lower-case hex), so that merging an identical file again is detected
-- and changes nothing. stats is JSON written by Ward.
CREATE TABLE ingested_files (
	sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
	name        TEXT NOT NULL DEFAULT '',
	size        INTEGER NOT NULL DEFAULT 0,
	ingested_at INTEGER NOT NULL,
	stats       TEXT NOT NULL DEFAULT '{}'
) STRICT;
