package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/auth"
)

// Grant is a role, for every site (SiteID 0) or for one.
type Grant struct {
	Role   auth.Role
	SiteID int64
}

// User is a person who may sign in.
type User struct {
	ID   int64
	Name string
	// PasswordHash is the encoded argon2id hash, made and checked by the
	// web package; "" when the user cannot sign in with a password.
	PasswordHash string
	Disabled     bool
	// External is set for a user who signs in through an OpenID provider
	// (UpsertExternalUser): they have no password and cannot be given one.
	External  bool
	CreatedAt time.Time
	Grants    []Grant // by role, then site
}

// Session is a signed-in user's session, kept by the hash of its id.
type Session struct {
	IDHash    []byte
	UserID    int64
	CreatedAt time.Time // set by CreateSession when zero
	ExpiresAt time.Time
}

// Token is an API token, kept by the hash of its value.
type Token struct {
	ID        int64
	Hash      []byte
	Name      string
	Role      auth.Role
	SiteID    int64     // 0: every site
	CreatedAt time.Time // set by CreateToken
	LastUsed  time.Time // zero until used
	RevokedAt time.Time // zero unless revoked
}

// CreateUser adds a user, or returns ErrExists if the name is taken.
func (db *DB) CreateUser(ctx context.Context, name, passwordHash string) (User, error) {
	if err := checkText("user", "name", name, "password hash", passwordHash); err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	if strings.TrimSpace(name) == "" {
		return User{}, fmt.Errorf("store: create user: %w", invalidf("no name"))
	}
	u := User{Name: name, PasswordHash: passwordHash, CreatedAt: fromNanos(nanos(db.now())),
		Grants: []Grant{}}
	err := db.sql.QueryRowContext(ctx, "INSERT INTO users (name, password_hash, created_at) "+
		"VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id",
		name, passwordHash, nanos(u.CreatedAt)).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrExists
	}
	if err != nil {
		return User{}, fmt.Errorf("store: create user %q: %w", name, err)
	}
	return u, nil
}

// UserByName returns the user with its grants, or ErrNotFound.
func (db *DB) UserByName(ctx context.Context, name string) (User, error) {
	u, err := db.userWhere(ctx, "name", name)
	if err != nil {
		return User{}, fmt.Errorf("store: user %q: %w", name, err)
	}
	return u, nil
}

// userWhere reads the user whose column col (a constant of the callers)
// is v, with its grants, or ErrNotFound.
func (db *DB) userWhere(ctx context.Context, col string, v any) (User, error) {
	var u User
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE "+
			col+" = $1", v))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		u.Grants, err = grants(ctx, tx, u.ID)
		return err
	})
	return u, err
}

func grants(ctx context.Context, q querier, userID int64) ([]Grant, error) {
	rows, err := q.QueryContext(ctx, "SELECT role, coalesce(site_id, 0) FROM user_roles "+
		"WHERE user_id = $1 ORDER BY role, coalesce(site_id, 0)", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var g Grant
		var role string
		if err := rows.Scan(&role, &g.SiteID); err != nil {
			return nil, err
		}
		g.Role = auth.Role(role)
		out = append(out, g)
	}
	return out, rows.Err()
}

// SetPasswordHash replaces the user's password hash. A user who signs in
// through an OpenID provider has none and gets none: ErrInvalid.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, passwordHash string) error {
	if err := checkText("user", "password hash", passwordHash); err != nil {
		return fmt.Errorf("store: set password of user %d: %w", userID, err)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		var external bool
		err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM external_users "+
			"WHERE user_id = $1)", userID).Scan(&external)
		if err != nil {
			return err
		}
		if external {
			return invalidf("the user signs in through single sign-on")
		}
		return affected(tx.ExecContext(ctx, "UPDATE users SET password_hash = $2 WHERE id = $1",
			userID, passwordHash))
	})
	if err != nil {
		return fmt.Errorf("store: set password of user %d: %w", userID, err)
	}
	return nil
}

// GrantRole gives the user a role; granting it twice is no error.
func (db *DB) GrantRole(ctx context.Context, userID int64, g Grant) error {
	if !g.Role.Valid() {
		return fmt.Errorf("store: grant to user %d: %w", userID,
			invalidf("unknown role %q", g.Role))
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := exists(ctx, tx, "users", userID); err != nil {
			return fmt.Errorf("user: %w", err)
		}
		if err := checkSite(ctx, tx, g); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO user_roles (user_id, role, site_id) "+
			"VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", userID, string(g.Role), nullID(g.SiteID))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: grant %s to user %d: %w", g.Role, userID, err)
	}
	return nil
}

// checkSite checks that the site of g, if it has one, is a site.
func checkSite(ctx context.Context, q querier, g Grant) error {
	if g.SiteID == 0 {
		return nil
	}
	l, err := location(ctx, q, g.SiteID)
	if err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if l.Kind != Site {
		return invalidf("location %d is a %s, not a site", l.ID, l.Kind)
	}
	return nil
}

// RevokeRole takes a grant away; revoking one the user lacks is no error.
func (db *DB) RevokeRole(ctx context.Context, userID int64, g Grant) error {
	_, err := db.sql.ExecContext(ctx, "DELETE FROM user_roles WHERE user_id = $1 AND role = $2 "+
		"AND coalesce(site_id, 0) = $3", userID, string(g.Role), g.SiteID)
	if err != nil {
		return fmt.Errorf("store: revoke %s from user %d: %w", g.Role, userID, err)
	}
	return nil
}

// exists returns ErrNotFound unless table has a row with the id.
func exists(ctx context.Context, q querier, table string, id int64) error {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE id = $1", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// nullID is id, or NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s Session) error {
	if len(s.IDHash) == 0 {
		return fmt.Errorf("store: create session: %w", invalidf("no id hash"))
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now()
	}
	_, err := db.sql.ExecContext(ctx, "INSERT INTO sessions (id_hash, user_id, created_at, "+
		"expires_at) VALUES ($1, $2, $3, $4)", s.IDHash, s.UserID, nanos(s.CreatedAt),
		nanos(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: create session of user %d: %w", s.UserID, err)
	}
	return nil
}

// SessionByHash returns the session with the id hash, or ErrNotFound if
// there is none or it has expired.
func (db *DB) SessionByHash(ctx context.Context, idHash []byte) (Session, error) {
	s := Session{IDHash: idHash}
	var created, expires int64
	err := db.sql.QueryRowContext(ctx, "SELECT user_id, created_at, expires_at FROM sessions "+
		"WHERE id_hash = $1 AND expires_at > $2", idHash, nanos(db.now())).
		Scan(&s.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = fromNanos(created), fromNanos(expires)
	return s, nil
}

// DeleteSession ends a session; ending one that does not exist is no
// error.
func (db *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := db.sql.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = $1", idHash)
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes the expired sessions and says how many
// there were.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := db.sql.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= $1",
		nanos(db.now()))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}

// CreateToken stores an API token (its ID and times are set) and returns
// it as stored, or ErrExists if a token has the same hash.
func (db *DB) CreateToken(ctx context.Context, t Token) (Token, error) {
	if err := checkText("token", "name", t.Name); err != nil {
		return Token{}, fmt.Errorf("store: create token: %w", err)
	}
	if len(t.Hash) == 0 || !t.Role.Valid() {
		return Token{}, fmt.Errorf("store: create token %q: %w", t.Name,
			invalidf("no hash, or unknown role %q", t.Role))
	}
	t.CreatedAt = fromNanos(nanos(db.now()))
	t.LastUsed, t.RevokedAt = time.Time{}, time.Time{}
	err := db.sql.QueryRowContext(ctx, "INSERT INTO api_tokens (hash, name, role, site_id, "+
		"created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING RETURNING id",
		t.Hash, t.Name, string(t.Role), nullID(t.SiteID), nanos(t.CreatedAt)).Scan(&t.ID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrExists
	}
	if err != nil {
		return Token{}, fmt.Errorf("store: create token %q: %w", t.Name, err)
	}
	return t, nil
}

const tokenColumns = "id, hash, name, role, coalesce(site_id, 0), created_at, last_used, revoked_at"

func scanToken(sc interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var role string
	var created, used, revoked int64
	err := sc.Scan(&t.ID, &t.Hash, &t.Name, &role, &t.SiteID, &created, &used, &revoked)
	t.Role = auth.Role(role)
	t.CreatedAt, t.LastUsed, t.RevokedAt = fromNanos(created), fromNanos(used), fromNanos(revoked)
	return t, err
}

// TokenByHash returns the unrevoked token with the hash, or ErrNotFound.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (Token, error) {
	t, err := scanToken(db.sql.QueryRowContext(ctx, "SELECT "+tokenColumns+
		" FROM api_tokens WHERE hash = $1 AND revoked_at = 0", hash))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Token{}, fmt.Errorf("store: token: %w", err)
	}
	return t, nil
}

// TouchToken records that the token was used now.
func (db *DB) TouchToken(ctx context.Context, id int64) error {
	err := affected(db.sql.ExecContext(ctx, "UPDATE api_tokens SET last_used = $2 WHERE id = $1",
		id, nanos(db.now())))
	if err != nil {
		return fmt.Errorf("store: touch token %d: %w", id, err)
	}
	return nil
}

// RevokeToken revokes the token, or returns ErrNotFound if there is no
// such unrevoked token.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	err := affected(db.sql.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $2 "+
		"WHERE id = $1 AND revoked_at = 0", id, nanos(db.now())))
	if err != nil {
		return fmt.Errorf("store: revoke token %d: %w", id, err)
	}
	return nil
}

// Tokens returns every token, revoked ones too, oldest first.
func (db *DB) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return out, nil
}
