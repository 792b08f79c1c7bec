// Package auth holds Ward's credentials and who may do what: password
// hashes (argon2id), session and API token secrets (random, stored only
// as hashes), login throttling with temporary lockout, and the roles with
// their permissions, deny by default. It knows nothing of HTTP or storage:
// the server and the store call it.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters of a password hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams follow RFC 9106's second recommended option (64 MiB, 3
// passes), with 2 lanes for the small servers Ward runs on.
var DefaultParams = Params{Memory: 64 << 10, Time: 3, Threads: 2}

const (
	saltSize = 16
	keySize  = 32
	// maxPassword bounds what is hashed: a longer input is refused rather
	// than making each login attempt cost more.
	maxPassword = 1024
	minPassword = 12
)

// Errors of password handling.
var (
	ErrMismatch     = errors.New("auth: password does not match")
	ErrBadHash      = errors.New("auth: malformed password hash")
	ErrWeakPassword = fmt.Errorf("auth: a password needs at least %d characters", minPassword)
	ErrLongPassword = fmt.Errorf("auth: a password may have at most %d bytes", maxPassword)
)

// CheckPassword says whether a new password is acceptable: long enough,
// and not absurdly long. It does not judge its characters: a passphrase
// of plain words is as good as any.
func CheckPassword(pw string) error {
	switch {
	case len([]rune(pw)) < minPassword:
		return ErrWeakPassword
	case len(pw) > maxPassword:
		return ErrLongPassword
	}
	return nil
}

// HashPassword returns the PHC-format argon2id hash of pw:
// $argon2id$v=19$m=65536,t=3,p=2$SALT$KEY, in unpadded base64.
func HashPassword(pw string, p Params) (string, error) {
	if len(pw) > maxPassword {
		return "", ErrLongPassword
	}
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keySize)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time,
		p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword checks pw against a hash made by HashPassword, in
// constant time. It returns ErrMismatch for a wrong password and
// ErrBadHash for a hash it cannot read.
func VerifyPassword(hash, pw string) error {
	if len(pw) > maxPassword {
		return ErrMismatch
	}
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrMismatch
	}
	return nil
}

// NeedsRehash reports whether hash was made with other parameters than p,
// so that a login can upgrade it.
func NeedsRehash(hash string, p Params) bool {
	got, _, _, err := parseHash(hash)
	return err != nil || got != p
}

func parseHash(hash string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, ErrBadHash
	}
	// Bounds keep a planted hash from making a login cost minutes or GBs.
	if p.Memory < 8*uint32(p.Threads) || p.Memory > 256<<10 || p.Time < 1 || p.Time > 10 || p.Threads < 1 {
		return p, nil, nil, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, ErrBadHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, ErrBadHash
	}
	return p, salt, key, nil
}
