-- The clinical-safety-officer role (the trust's Clinical Safety Officer
-- under DCB0129/DCB0160), who alone signs off segmentation that blocks
-- critical flows. SQLite cannot change a CHECK constraint in place, so the
-- two tables that name roles are rebuilt with the longer list.

-- +goose Up

CREATE TABLE user_roles_new (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role    TEXT NOT NULL
		CHECK (role IN ('admin', 'security', 'clinical-engineering', 'network', 'auditor',
			'clinical-safety-officer')),
	site_id INTEGER REFERENCES locations (id) ON DELETE CASCADE
) STRICT;
INSERT INTO user_roles_new (user_id, role, site_id) SELECT user_id, role, site_id FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_new RENAME TO user_roles;
CREATE UNIQUE INDEX user_roles_grant ON user_roles (user_id, role, coalesce(site_id, 0));

CREATE TABLE api_tokens_new (
	id         INTEGER PRIMARY KEY,
	hash       BLOB NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL
		CHECK (role IN ('admin', 'security', 'clinical-engineering', 'network', 'auditor',
			'clinical-safety-officer')),
	site_id    INTEGER REFERENCES locations (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_used  INTEGER NOT NULL DEFAULT 0,
	revoked_at INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO api_tokens_new SELECT id, hash, name, role, site_id, created_at, last_used, revoked_at
	FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;

-- +goose Down

DELETE FROM user_roles WHERE role = 'clinical-safety-officer';
DELETE FROM api_tokens WHERE role = 'clinical-safety-officer';
