package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Secret kinds, the prefix of each secret Ward hands out, so that one found
// in a log or a repository says what it is.
const (
	KindSession = "wards"
	KindToken   = "wardt"
)

// NewSecret returns a fresh random secret of the given kind, to give to
// its holder once, and the hash to store: the store never holds a secret
// that would open anything.
func NewSecret(kind string) (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: random: %w", err)
	}
	secret = kind + "_" + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret returns the hash a secret is stored and looked up by. A plain
// SHA-256 is enough: the secret has 256 random bits, not a password's few.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SecretKind returns the kind a secret's prefix names, or "".
func SecretKind(secret string) string {
	kind, rest, ok := strings.Cut(secret, "_")
	if !ok || len(rest) != 43 || (kind != KindSession && kind != KindToken) {
		return ""
	}
	return kind
}

// SameHash compares two stored hashes in constant time.
func SameHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
