package tls

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"sync"
	"time"

	"github.com/wardhq/ward/internal/dissect"
)

// maxSANs is how many DNS subject alternative names are emitted.
const maxSANs = 4

// maxNameBytes is the longest subject or issuer emitted, bytes.
const maxNameBytes = 512

// certFacts reads a TLS 1.2 Certificate message (RFC 5246 section 7.4.2) and
// appends the facts of the first certificate, the server's own.
func certFacts(ctx *dissect.Context, body []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	if len(body) < 3 {
		return out, errShort
	}
	list := body[3:]
	if n := int(body[0])<<16 | int(body[1])<<8 | int(body[2]); n < len(list) {
		list = list[:n]
	}
	if len(list) == 0 {
		return out, nil // an empty chain: the server sent no certificate
	}
	if len(list) < 3 {
		return out, errShort
	}
	n := int(list[0])<<16 | int(list[1])<<8 | int(list[2])
	if n > len(list)-3 {
		return out, errShort
	}
	values, err := certValues(list[3 : 3+n])
	if err != nil {
		return out, err
	}
	for _, v := range values {
		out = append(out, fact(ctx.Dst, v.key, v.value, dissect.High))
	}
	return out, nil
}

// certValue is one fact a certificate yields, before it is tied to a server.
type certValue struct{ key, value string }

// certCache remembers what recent certificates yielded: parsing one takes
// tens of microseconds, and the same servers present the same certificate
// on every connection. It holds at most maxCached entries and is emptied
// when full.
var certCache struct {
	sync.Mutex
	m map[[sha256.Size]byte][]certValue
}

const maxCached = 1024

// certValues returns the facts of one DER certificate, from the cache when
// it was seen recently. The returned slice must not be modified.
func certValues(der []byte) ([]certValue, error) {
	key := sha256.Sum256(der)
	certCache.Lock()
	values, ok := certCache.m[key]
	certCache.Unlock()
	if ok {
		return values, nil
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, errors.New("first certificate does not parse")
	}
	values = appendCert(nil, cert)
	certCache.Lock()
	if certCache.m == nil || len(certCache.m) >= maxCached {
		certCache.m = make(map[[sha256.Size]byte][]certValue)
	}
	certCache.m[key] = values
	certCache.Unlock()
	return values, nil
}

// appendCert appends the facts of one certificate.
func appendCert(out []certValue, cert *x509.Certificate) []certValue {
	if s := cert.Subject.String(); s != "" && len(s) <= maxNameBytes && printable(s) {
		out = append(out, certValue{KeyCertSubject, s})
	}
	if s := cert.Issuer.String(); s != "" && len(s) <= maxNameBytes && printable(s) {
		out = append(out, certValue{KeyCertIssuer, s})
	}
	out = append(out, certValue{KeyCertNotAfter, cert.NotAfter.UTC().Format(time.RFC3339)})
	if bytes.Equal(cert.RawSubject, cert.RawIssuer) {
		out = append(out, certValue{KeyCertSelfSigned, "yes"})
	}
	for i, name := range cert.DNSNames {
		if i == maxSANs {
			break
		}
		if name != "" && len(name) <= 255 && printable(name) {
			out = append(out, certValue{KeyCertSAN, name})
		}
	}
	return out
}
