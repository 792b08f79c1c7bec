-- What the web server keeps beside the inventory: users who sign in through
-- an OpenID provider, saved column mappings of asset registers, and the
-- register imports with their reconciliation. The conventions are those of
-- 00001.

-- +goose Up

-- external_users ties a Ward user to the (issuer, subject) that an OpenID
-- provider names them by; such users have no password.
CREATE TABLE external_users (
	user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	issuer  TEXT NOT NULL,
	subject TEXT NOT NULL,
	UNIQUE (issuer, subject)
) STRICT;

-- register_mappings are column mappings a user saved, as JSON.
CREATE TABLE register_mappings (
	name    TEXT PRIMARY KEY,
	mapping TEXT NOT NULL
) STRICT;

-- register_imports keep each import's figures and its three lists (matched,
-- only in the register, only on the network) as JSON: they are read whole,
-- for the page of one import, never queried inside.
CREATE TABLE register_imports (
	id             INTEGER PRIMARY KEY,
	name           TEXT NOT NULL,
	sha256         TEXT NOT NULL,
	imported_at    INTEGER NOT NULL,
	actor          TEXT NOT NULL,
	mapping        TEXT NOT NULL,
	figures        TEXT NOT NULL,
	reconciliation TEXT NOT NULL
) STRICT;
CREATE INDEX register_imports_time ON register_imports (imported_at);

CREATE INDEX devices_first_seen ON devices (first_seen);

-- +goose Down
DROP INDEX devices_first_seen;
DROP TABLE register_imports;
DROP TABLE register_mappings;
DROP TABLE external_users;
