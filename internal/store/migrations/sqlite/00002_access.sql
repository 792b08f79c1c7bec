-- Who may use Ward and what they did: users and their roles, sessions, API
-- tokens and the audit log. The conventions are those of 00001.
--
-- Secrets are never stored, only what verifies them: users.password_hash is
-- an encoded argon2id string made elsewhere, and sessions and API tokens are
-- kept by the hash of their value (BLOB), so a copy of the database opens no
-- session.

-- +goose Up

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL DEFAULT '',
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
) STRICT;

-- user_roles grants a role, for all sites (site_id NULL) or for one. The
-- unique index treats NULL as one value, which a plain UNIQUE would not.
CREATE TABLE user_roles (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role    TEXT NOT NULL
		CHECK (role IN ('admin', 'security', 'clinical-engineering', 'network', 'auditor')),
	site_id INTEGER REFERENCES locations (id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX user_roles_grant ON user_roles (user_id, role, coalesce(site_id, 0));

CREATE TABLE sessions (
	id_hash    BLOB PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- api_tokens carry one role, optionally scoped to a site; revoked_at and
-- last_used are 0 until they happen.
CREATE TABLE api_tokens (
	id         INTEGER PRIMARY KEY,
	hash       BLOB NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL
		CHECK (role IN ('admin', 'security', 'clinical-engineering', 'network', 'auditor')),
	site_id    INTEGER REFERENCES locations (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_used  INTEGER NOT NULL DEFAULT 0,
	revoked_at INTEGER NOT NULL DEFAULT 0
) STRICT;

-- audit_events is append-only: seq is given by the writer (1, 2, …, no
-- gaps), and triggers refuse any UPDATE or DELETE, so that a change to the
-- log needs more than a mistaken query. The chain (prev_mac, mac) is
-- computed and verified elsewhere; detail is JSON text kept byte for byte,
-- as the MAC covers it.
CREATE TABLE audit_events (
	seq      INTEGER PRIMARY KEY CHECK (seq > 0),
	time     INTEGER NOT NULL,
	actor    TEXT NOT NULL,
	action   TEXT NOT NULL,
	object   TEXT NOT NULL DEFAULT '',
	detail   TEXT NOT NULL DEFAULT '{}',
	prev_mac BLOB NOT NULL,
	mac      BLOB NOT NULL
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit events are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit events are append-only');
END;
-- +goose StatementEnd
