package advisory

import (
	"bytes"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
)

// Sentinels of the integrity checks, for callers that branch on them.
var (
	// ErrChecksum is wrapped by the error of a document whose SHA-512
	// digest is not the one its .sha512 file gives.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrSignature is wrapped by the error of a signature that does not
	// verify: the document or the signature was altered, or the signing
	// key is expired or revoked.
	ErrSignature = errors.New("bad signature")
	// ErrUnknownKey is wrapped by the error of a signature made by none
	// of the keys given.
	ErrUnknownKey = errors.New("signature by an unknown key")
)

// CheckSHA512 checks doc against sumFile, the content of a .sha512 file:
// a hex digest, optionally followed by a file name ("<hex>  name" as
// sha512sum writes it), or the BSD form "SHA512 (name) = <hex>". Only
// the first line is read. A digest that differs is an error wrapping
// ErrChecksum; the comparison takes the same time wherever they differ.
func CheckSHA512(doc, sumFile []byte) error {
	want, err := sha512Digest(sumFile)
	if err != nil {
		return err
	}
	got := sha512.Sum512(doc)
	if subtle.ConstantTimeCompare(got[:], want) != 1 {
		return fmt.Errorf("check sha-512 digest %x…: %w", want[:8], ErrChecksum)
	}
	return nil
}

// sha512Digest reads the digest of a .sha512 file.
func sha512Digest(sumFile []byte) ([]byte, error) {
	line, _, _ := bytes.Cut(sumFile, []byte("\n"))
	s := strings.TrimSpace(string(line))
	if rest, ok := strings.CutPrefix(s, "SHA512 ("); ok {
		_, s, _ = strings.Cut(rest, ") = ")
	} else if f := strings.Fields(s); len(f) > 0 {
		s = f[0]
	}
	want, err := hex.DecodeString(s)
	if err != nil || len(want) != sha512.Size {
		return nil, fmt.Errorf("read sha-512 file: no %d-digit hex digest on its first line",
			2*sha512.Size)
	}
	return want, nil
}

// maxKeyFile bounds the public keys ReadKeys reads, in bytes.
const maxKeyFile = 4 << 20

// ReadKeys reads OpenPGP public keys, armored ("-----BEGIN PGP PUBLIC
// KEY BLOCK-----") or binary, at most 4 MiB of them. Finding no key is
// an error.
func ReadKeys(r io.Reader) (openpgp.EntityList, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("read openpgp keys: %w", err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("read openpgp keys: over the limit of %d bytes", maxKeyFile)
	}
	var keys openpgp.EntityList
	if isArmored(data) {
		keys, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	} else {
		keys, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("read openpgp keys: %w", err)
	}
	if len(keys) == 0 {
		return nil, errors.New("read openpgp keys: no key found")
	}
	return keys, nil
}

// CheckSignature checks that sig, a detached OpenPGP signature (armored,
// as in CSAF's .asc files, or binary), signs doc with one of keys. A
// signature that does not verify, or cannot be read, is an error
// wrapping ErrSignature; one made by a key not in keys wraps
// ErrUnknownKey. Expiry and revocation are judged as of now, so a key
// that has expired since it signed fails with ErrSignature.
func CheckSignature(doc, sig []byte, keys openpgp.EntityList) error {
	if len(bytes.TrimSpace(sig)) == 0 {
		return fmt.Errorf("read openpgp signature: %w: empty", ErrSignature)
	}
	check := openpgp.CheckDetachedSignature
	if isArmored(sig) {
		check = openpgp.CheckArmoredDetachedSignature
	}
	_, err := check(keys, bytes.NewReader(doc), bytes.NewReader(sig), nil)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return fmt.Errorf("check openpgp signature against %d keys: %w", len(keys), ErrUnknownKey)
	case isMalformed(err):
		return fmt.Errorf("read openpgp signature: %w: %w", ErrSignature, err)
	}
	return fmt.Errorf("check openpgp signature: %w: %w", ErrSignature, err)
}

// isMalformed tells a signature that cannot be read from one that is
// read and does not verify; both are bad, the message says which.
func isMalformed(err error) bool {
	var se pgperrors.StructuralError
	var ue pgperrors.UnsupportedError
	return errors.As(err, &se) || errors.As(err, &ue) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// isArmored tells ASCII-armored OpenPGP data from binary.
func isArmored(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN "))
}
