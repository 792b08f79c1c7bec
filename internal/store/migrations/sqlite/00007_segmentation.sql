-- Segmentation: the versions of the policy, the clinical safety sign-offs
-- of policies that block critical flows, and the flows' traffic per hour
-- for trends. The conventions are those of 00001.

-- +goose Up

-- segment_policies keep every saved policy; the highest id is the policy in
-- force. yaml is the text as given (comments kept); digest is
-- segment.Policy's digest of it.
CREATE TABLE segment_policies (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL DEFAULT '',
	yaml       TEXT NOT NULL,
	digest     TEXT NOT NULL,
	saved_by   TEXT NOT NULL,
	note       TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX segment_policies_digest ON segment_policies (digest);

-- segment_signoffs are entries of the DCB0160 hazard log: who signed off
-- the policy of a digest, when, the hazard and why its residual risk is
-- acceptable. flows is a JSON array of the keys of the critical flows the
-- policy blocked then, read whole. A sign-off names a digest, not a
-- version: the same policy saved again keeps its sign-offs.
CREATE TABLE segment_signoffs (
	id            INTEGER PRIMARY KEY,
	policy_digest TEXT NOT NULL,
	signed_by     TEXT NOT NULL,
	signed_at     INTEGER NOT NULL,
	hazard        TEXT NOT NULL,
	reasoning     TEXT NOT NULL,
	flows         TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX segment_signoffs_digest ON segment_signoffs (policy_digest, signed_at);

-- flow_hours are a flow's packets and bytes (both directions) in each hour
-- it was seen; hour is the unix time in seconds of the hour's start. The
-- rows go with their flow.
CREATE TABLE flow_hours (
	src      TEXT NOT NULL,
	dst      TEXT NOT NULL,
	proto    INTEGER NOT NULL,
	dst_port INTEGER NOT NULL,
	vlan     INTEGER NOT NULL,
	hour     INTEGER NOT NULL,
	packets  INTEGER NOT NULL DEFAULT 0,
	bytes    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (src, dst, proto, dst_port, vlan, hour),
	FOREIGN KEY (src, dst, proto, dst_port, vlan)
		REFERENCES flows (src, dst, proto, dst_port, vlan) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX flow_hours_hour ON flow_hours (hour);

-- +goose Down
DROP TABLE flow_hours;
DROP TABLE segment_signoffs;
DROP TABLE segment_policies;
