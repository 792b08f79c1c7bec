package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/segment"
)

// PolicyVersion is a segmentation policy as stored: every save is a new
// version, and the latest is the policy in force. A policy that does not
// parse is never saved, so the one in force stays as it was.
type PolicyVersion struct {
	ID     int64
	Name   string
	YAML   string // the text as given, comments kept
	Digest string // segment's digest of the policy
	By     string // who saved it: a user name, or "cli:<os user>"
	Note   string // why, optional
	// CreatedAt is when it was saved; SavePolicy sets it when zero.
	CreatedAt time.Time
}

// policyColumns are the columns of a PolicyVersion, in scan order.
const policyColumns = "id, name, yaml, digest, saved_by, note, created_at"

// defaultPolicyVersions is how many versions PolicyVersions returns when
// asked for none in particular.
const defaultPolicyVersions = 100

// SavePolicy stores v as the new policy in force and returns its id. v.ID
// is ignored; YAML, Digest and By are required.
func (db *DB) SavePolicy(ctx context.Context, v PolicyVersion) (int64, error) {
	if err := validatePolicy(&v); err != nil {
		return 0, fmt.Errorf("store: save policy: %w", err)
	}
	if v.CreatedAt.IsZero() {
		v.CreatedAt = db.now()
	}
	var id int64
	err := db.sql.QueryRowContext(ctx, "INSERT INTO segment_policies (name, yaml, digest, "+
		"saved_by, note, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
		v.Name, v.YAML, v.Digest, v.By, v.Note, nanos(v.CreatedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: save policy: %w", err)
	}
	return id, nil
}

func validatePolicy(v *PolicyVersion) error {
	switch {
	case strings.TrimSpace(v.YAML) == "":
		return invalidf("policy has no text")
	case strings.TrimSpace(v.Digest) == "":
		return invalidf("policy has no digest")
	case strings.TrimSpace(v.By) == "":
		return invalidf("policy names no one who saved it")
	}
	if r := badTime(v.CreatedAt); r != "" {
		return invalidf("policy: %s", r)
	}
	return checkText("policy", "name", v.Name, "yaml", v.YAML, "digest", v.Digest,
		"by", v.By, "note", v.Note)
}

// CurrentPolicy returns the policy in force, the latest saved, or
// ErrNotFound when none was.
func (db *DB) CurrentPolicy(ctx context.Context) (*PolicyVersion, error) {
	v, err := scanPolicy(db.sql.QueryRowContext(ctx,
		"SELECT "+policyColumns+" FROM segment_policies ORDER BY id DESC LIMIT 1"))
	if err != nil {
		return nil, fmt.Errorf("store: current policy: %w", err)
	}
	return v, nil
}

// PolicyVersionByID returns the saved policy of an id, or ErrNotFound.
func (db *DB) PolicyVersionByID(ctx context.Context, id int64) (*PolicyVersion, error) {
	v, err := scanPolicy(db.sql.QueryRowContext(ctx,
		"SELECT "+policyColumns+" FROM segment_policies WHERE id = $1", id))
	if err != nil {
		return nil, fmt.Errorf("store: policy version %d: %w", id, err)
	}
	return v, nil
}

// PolicyVersions returns up to limit (default 100) saved policies, with
// their text, the newest first.
func (db *DB) PolicyVersions(ctx context.Context, limit int) ([]PolicyVersion, error) {
	if limit <= 0 {
		limit = defaultPolicyVersions
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+policyColumns+
		" FROM segment_policies ORDER BY id DESC LIMIT $1", limit)
	if err != nil {
		return nil, fmt.Errorf("store: policy versions: %w", err)
	}
	defer rows.Close()
	out := []PolicyVersion{}
	for rows.Next() {
		v, err := scanPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("store: policy versions: %w", err)
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: policy versions: %w", err)
	}
	return out, nil
}

// scanPolicy reads a row of policyColumns; no row is ErrNotFound.
func scanPolicy(sc interface{ Scan(...any) error }) (*PolicyVersion, error) {
	var v PolicyVersion
	var at int64
	err := sc.Scan(&v.ID, &v.Name, &v.YAML, &v.Digest, &v.By, &v.Note, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	v.CreatedAt = fromNanos(at)
	return &v, nil
}

// SaveSignoff records a clinical safety sign-off (a DCB0160 hazard-log
// entry) and returns its id. s.ID is ignored; At is set when zero. A
// sign-off without its author, hazard, reasoning or policy digest is
// refused with ErrInvalid, and nothing is stored.
func (db *DB) SaveSignoff(ctx context.Context, s segment.Signoff) (int64, error) {
	if err := validateSignoff(&s); err != nil {
		return 0, fmt.Errorf("store: save sign-off: %w", err)
	}
	if s.At.IsZero() {
		s.At = db.now()
	}
	flows, err := json.Marshal(nonNil(s.Flows))
	if err != nil {
		return 0, fmt.Errorf("store: save sign-off: %w", err)
	}
	var id int64
	err = db.sql.QueryRowContext(ctx, "INSERT INTO segment_signoffs (policy_digest, signed_by, "+
		"signed_at, hazard, reasoning, flows) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
		s.PolicyDigest, s.By, nanos(s.At), s.Hazard, s.Reasoning, string(flows)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: save sign-off: %w", err)
	}
	return id, nil
}

func validateSignoff(s *segment.Signoff) error {
	for _, f := range []struct{ name, value string }{
		{"policy digest", s.PolicyDigest}, {"by", s.By}, {"hazard", s.Hazard},
		{"reasoning", s.Reasoning},
	} {
		if strings.TrimSpace(f.value) == "" {
			return invalidf("sign-off: %s is empty", f.name)
		}
	}
	if r := badTime(s.At); r != "" {
		return invalidf("sign-off: %s", r)
	}
	err := checkText("sign-off", "policy digest", s.PolicyDigest, "by", s.By,
		"hazard", s.Hazard, "reasoning", s.Reasoning)
	if err != nil {
		return err
	}
	for _, k := range s.Flows {
		if err := checkText("sign-off", "flow", k); err != nil {
			return err
		}
	}
	return nil
}

// Signoffs returns the sign-offs of the policy with digest, or every
// sign-off for "", the newest first.
func (db *DB) Signoffs(ctx context.Context, digest string) ([]segment.Signoff, error) {
	q := "SELECT id, policy_digest, signed_by, signed_at, hazard, reasoning, flows " +
		"FROM segment_signoffs"
	var args []any
	if digest != "" {
		q += " WHERE policy_digest = $1"
		args = append(args, digest)
	}
	rows, err := db.sql.QueryContext(ctx, q+" ORDER BY signed_at DESC, id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("store: sign-offs: %w", err)
	}
	defer rows.Close()
	out := []segment.Signoff{}
	for rows.Next() {
		var s segment.Signoff
		var at int64
		var flows string
		err := rows.Scan(&s.ID, &s.PolicyDigest, &s.By, &at, &s.Hazard, &s.Reasoning, &flows)
		if err != nil {
			return nil, fmt.Errorf("store: sign-offs: %w", err)
		}
		if err := json.Unmarshal([]byte(flows), &s.Flows); err != nil {
			return nil, fmt.Errorf("store: sign-off %d flows: %w", s.ID, err)
		}
		s.At = fromNanos(at)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sign-offs: %w", err)
	}
	return out, nil
}
