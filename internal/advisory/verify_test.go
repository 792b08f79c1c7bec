package advisory

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

var csafSigned = []string{"icsma-17-009-01a.json", "icsma-18-058-02.json", "icsma-20-049-01.json"}

func TestCheckSHA512(t *testing.T) {
	for _, name := range csafSigned {
		doc, sum := csafTestdata(t, name), csafTestdata(t, name+".sha512")
		if err := CheckSHA512(doc, sum); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	doc := csafTestdata(t, "icsma-20-049-01.json")
	hexSum, _, _ := strings.Cut(string(csafTestdata(t, "icsma-20-049-01.json.sha512")), " ")
	tampered := bytes.Clone(doc)
	tampered[100] ^= 1
	tests := []struct {
		name    string
		doc     []byte
		sum     string
		wantErr error // nil: no error; errAny: an error that is not ErrChecksum
	}{
		{"bare digest", doc, hexSum + "\n", nil},
		{"upper case", doc, strings.ToUpper(hexSum), nil},
		{"binary mode", doc, hexSum + " *icsma-20-049-01.json\n", nil},
		{"bsd form", doc, "SHA512 (icsma-20-049-01.json) = " + hexSum + "\n", nil},
		{"tampered document", tampered, hexSum, ErrChecksum},
		{"empty document", nil, hexSum, ErrChecksum},
		{"short digest", doc, hexSum[:64], errAny},
		{"not hex", doc, strings.Repeat("zz", 64), errAny},
		{"empty file", doc, "", errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSHA512(tt.doc, []byte(tt.sum))
			checkErr(t, err, tt.wantErr)
		})
	}
}

// errAny stands for an error that wraps none of the sentinels.
var errAny = errors.New("any error")

func checkErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("got %v, want no error", err)
	case want == errAny && (err == nil || errors.Is(err, ErrChecksum) ||
		errors.Is(err, ErrSignature) || errors.Is(err, ErrUnknownKey)):
		t.Errorf("got %v, want an error wrapping no sentinel", err)
	case want != nil && want != errAny && !errors.Is(err, want):
		t.Errorf("got %v, want an error wrapping %v", err, want)
	}
}

func TestCheckSHA512Corpus(t *testing.T) {
	dir := csafCorpusDir(t, "advisories/cisa-csaf-icsma")
	files := csafGlob(t, dir, "icsma-*.json")
	for _, file := range files {
		doc, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := os.ReadFile(file + ".sha512")
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckSHA512(doc, sum); err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
		}
	}
}

// newTestKey makes an Ed25519 key pair for the test (fast to generate).
func newTestKey(t *testing.T, name string) *openpgp.Entity {
	t.Helper()
	e, err := openpgp.NewEntity(name, "ward test", name+"@example.invalid",
		&packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// publicKeys returns e's public key, armored or binary.
func publicKeys(t *testing.T, e *openpgp.Entity, armored bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if !armored {
		if err := e.Serialize(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckSignature(t *testing.T) {
	signer, other := newTestKey(t, "signer"), newTestKey(t, "other")
	doc := csafTestdata(t, "icsma-20-049-01.json")
	var armored, binary bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&armored, signer, bytes.NewReader(doc), nil); err != nil {
		t.Fatal(err)
	}
	if err := openpgp.DetachSign(&binary, signer, bytes.NewReader(doc), nil); err != nil {
		t.Fatal(err)
	}
	// The keys as a verifier gets them: public only, read back by ReadKeys.
	signerKeys, err := ReadKeys(bytes.NewReader(publicKeys(t, signer, true)))
	if err != nil {
		t.Fatal(err)
	}
	otherKeys, err := ReadKeys(bytes.NewReader(publicKeys(t, other, false)))
	if err != nil {
		t.Fatal(err)
	}
	both := append(append(openpgp.EntityList{}, otherKeys...), signerKeys...)
	tampered := bytes.Clone(doc)
	tampered[len(tampered)/2] ^= 0x20
	badSig := bytes.Clone(binary.Bytes())
	badSig[len(badSig)-5] ^= 0xff

	tests := []struct {
		name string
		doc  []byte
		sig  []byte
		keys openpgp.EntityList
		want error
	}{
		{"armored", doc, armored.Bytes(), signerKeys, nil},
		{"binary", doc, binary.Bytes(), signerKeys, nil},
		{"among other keys", doc, armored.Bytes(), both, nil},
		{"tampered document", tampered, armored.Bytes(), signerKeys, ErrSignature},
		{"tampered signature", doc, badSig, signerKeys, ErrSignature},
		{"other key", doc, armored.Bytes(), otherKeys, ErrUnknownKey},
		{"no keys", doc, binary.Bytes(), nil, ErrUnknownKey},
		{"not a signature", doc, []byte("-----BEGIN PGP SIGNATURE-----\n\nnonsense\n"),
			signerKeys, ErrSignature},
		{"empty signature", doc, nil, signerKeys, ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, CheckSignature(tt.doc, tt.sig, tt.keys), tt.want)
		})
	}
}

func TestReadKeysErrors(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":   nil,
		"garbage": []byte("not a key"),
		"bad armor": []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!\n" +
			"-----END PGP PUBLIC KEY BLOCK-----\n"),
		"too large": make([]byte, maxKeyFile+1),
	} {
		t.Run(name, func(t *testing.T) {
			if keys, err := ReadKeys(bytes.NewReader(data)); err == nil {
				t.Errorf("got %d keys, want an error", len(keys))
			}
		})
	}
}

// TestCheckSignatureCorpus reads CISA's detached signatures. CISA's
// public key is not in the corpus, so each must read as a signature and
// be reported as made by an unknown key.
func TestCheckSignatureCorpus(t *testing.T) {
	dir := csafCorpusDir(t, "advisories/cisa-csaf-icsma")
	keys, err := ReadKeys(bytes.NewReader(publicKeys(t, newTestKey(t, "unrelated"), true)))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range csafGlob(t, dir, "icsma-*.json") {
		doc, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := os.ReadFile(file + ".asc")
		if err != nil {
			t.Fatal(err)
		}
		if err := readsAsSignature(sig); err != nil {
			t.Errorf("%s.asc: %v", filepath.Base(file), err)
		}
		if err := CheckSignature(doc, sig, keys); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("%s.asc: got %v, want ErrUnknownKey", filepath.Base(file), err)
		}
	}
}

// readsAsSignature checks that an armored file holds a signature packet.
func readsAsSignature(asc []byte) error {
	block, err := armor.Decode(bytes.NewReader(asc))
	if err != nil {
		return err
	}
	if block.Type != openpgp.SignatureType {
		return errors.New("armor type " + block.Type)
	}
	p, err := packet.Read(block.Body)
	if err != nil {
		return err
	}
	if _, ok := p.(*packet.Signature); !ok {
		return errors.New("not a signature packet")
	}
	return nil
}
