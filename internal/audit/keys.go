package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyFile is the name of the file, in the data directory and outside the
// database, that holds the chain key and the checkpoint signing seed.
const KeyFile = "audit.key"

// Keys are the secrets of an audit log.
type Keys struct {
	Chain  []byte             // the HMAC key, 32 bytes
	Signer ed25519.PrivateKey // signs checkpoints
}

// keyFileSize is the chain key then the ed25519 seed.
const keyFileSize = 32 + ed25519.SeedSize

// LoadOrCreateKeys reads dir's key file, or makes one (mode 0600) when
// there is none. A key file that others can read is refused: whoever
// reads it can forge the chain.
func LoadOrCreateKeys(dir string) (*Keys, error) {
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKeys(path)
	}
	if err != nil {
		return nil, fmt.Errorf("audit: read key file: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit: key file: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit: key file %s is readable by others (mode %v): chmod 600 it",
			path, info.Mode().Perm())
	}
	if len(b) != keyFileSize {
		return nil, fmt.Errorf("audit: key file %s: %d bytes, want %d", path, len(b), keyFileSize)
	}
	return keysFrom(b), nil
}

func createKeys(path string) (*Keys, error) {
	b := make([]byte, keyFileSize)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("audit: make keys: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: create key file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("audit: write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("audit: write key file: %w", err)
	}
	return keysFrom(b), nil
}

func keysFrom(b []byte) *Keys {
	return &Keys{Chain: append([]byte(nil), b[:32]...),
		Signer: ed25519.NewKeyFromSeed(b[32:keyFileSize])}
}
