package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// userColumns are the columns of a User, for scanUser, from users.
const userColumns = "id, name, password_hash, disabled, " +
	"EXISTS (SELECT 1 FROM external_users e WHERE e.user_id = users.id), created_at"

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	err := sc.Scan(&u.ID, &u.Name, &u.PasswordHash, &u.Disabled, &u.External, &created)
	u.CreatedAt = fromNanos(created)
	return u, err
}

// Users lists every user with its grants, by name.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	var out []User
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY name")
		if err != nil {
			return err
		}
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Grants, err = grants(ctx, tx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return out, nil
}

// UserByID returns the user with its grants, or ErrNotFound.
func (db *DB) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := db.userWhere(ctx, "id", id)
	if err != nil {
		return User{}, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

// DisableUser stops (or, with false, restores) a user's sign-in; disabling
// also ends the user's sessions.
func (db *DB) DisableUser(ctx context.Context, id int64, disabled bool) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := affected(tx.ExecContext(ctx, "UPDATE users SET disabled = $2 WHERE id = $1",
			id, disabled)); err != nil {
			return err
		}
		if !disabled {
			return nil
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: disable user %d: %w", id, err)
	}
	return nil
}

// DeleteUserSessions ends every session of the user (after a password
// change, say).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := db.sql.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", userID); err != nil {
		return fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// UpsertExternalUser records a user who signs in through an OpenID
// provider: found by issuer and subject (their name may change there),
// created on first sign-in without a password, and given exactly the
// grants the provider's claims map to on each sign-in. A local user with
// the same name keeps it; the external one is then named NAME@issuer-host.
func (db *DB) UpsertExternalUser(ctx context.Context, issuer, subject, name string, gs []Grant) (User, error) {
	if err := checkText("external user", "issuer", issuer, "subject", subject, "name", name); err != nil {
		return User{}, fmt.Errorf("store: external user: %w", err)
	}
	if issuer == "" || subject == "" {
		return User{}, fmt.Errorf("store: external user: %w", invalidf("no issuer or subject"))
	}
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT user_id FROM external_users WHERE issuer = $1 "+
			"AND subject = $2", issuer, subject).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			id, err = createExternal(ctx, tx, db, issuer, subject, name)
		}
		if err != nil {
			return err
		}
		return setGrants(ctx, tx, id, gs)
	})
	if err != nil {
		return User{}, fmt.Errorf("store: external user: %w", err)
	}
	return db.UserByID(ctx, id)
}

// setGrants gives the user exactly the grants gs.
func setGrants(ctx context.Context, tx *sql.Tx, userID int64, gs []Grant) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM user_roles WHERE user_id = $1", userID); err != nil {
		return err
	}
	for _, g := range gs {
		if !g.Role.Valid() {
			return invalidf("unknown role %q", g.Role)
		}
		if err := checkSite(ctx, tx, g); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO user_roles (user_id, role, site_id) "+
			"VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", userID, string(g.Role), nullID(g.SiteID))
		if err != nil {
			return err
		}
	}
	return nil
}

func createExternal(ctx context.Context, tx *sql.Tx, db *DB, issuer, subject, name string) (int64, error) {
	if strings.TrimSpace(name) == "" {
		name = subject
	}
	var id int64
	for _, n := range []string{name, name + "@" + hostOf(issuer), name + "@" + hostOf(issuer) + "#" + subject} {
		err := tx.QueryRowContext(ctx, "INSERT INTO users (name, password_hash, created_at) "+
			"VALUES ($1, '', $2) ON CONFLICT (name) DO NOTHING RETURNING id", n, nanos(db.now())).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO external_users (user_id, issuer, subject) "+
			"VALUES ($1, $2, $3)", id, issuer, subject)
		return id, err
	}
	return 0, ErrExists
}

func hostOf(issuer string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(issuer, "https://"), "http://")
	host, _, _ := strings.Cut(s, "/")
	return host
}
