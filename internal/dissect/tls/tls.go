// Package tls dissects the heads of TLS connections: the ClientHello a
// client sends, and the ServerHello and (up to TLS 1.2, where it travels in
// clear) the Certificate a server answers with.
//
// It emits these facts (Source "tls"):
//
//	about the client
//	  tls_versions          versions offered, best first as sent: "1.3,1.2" (High)
//	  ja3                   JA3 fingerprint, MD5 hex (High)
//	  ja4                   JA4 fingerprint: "t13d1516h2_8daaf6152771_e5627efa2ab1" (High)
//	about the server
//	  tls_sni               the server name the client asked for (Medium)
//	  tls_version           version the server chose: "1.2" (High)
//	  tls_cipher            cipher suite the server chose, hex: "0xc02f" (High)
//	  insecure_protocol     "ssl3", "tls1.0" or "tls1.1" when the server chose it (High)
//	  tls_cert_subject      subject of the server's certificate, RFC 2253 style:
//	                        "CN=SELKS,O=Stamus,L=Paris,ST=IDF,C=FR" (High)
//	  tls_cert_issuer       its issuer, in the same form (High)
//	  tls_cert_not_after    its expiry, RFC 3339 (High)
//	  tls_cert_self_signed  "yes" when subject and issuer are the same (High)
//	  tls_cert_san          each of its first four DNS subject alternative names (High)
//
// Version names are "1.0" to "1.3", "ssl3", "1.3-draftNN" for TLS 1.3
// drafts and "0x" plus four hex digits for anything else. GREASE values
// (RFC 8701) are left out everywhere.
package tls

import (
	"github.com/wardhq/ward/internal/dissect"
)

const source = "tls"

// Fact keys this package emits, besides the shared ones in package dissect.
const (
	KeyVersions       = "tls_versions"
	KeyJA3            = "ja3"
	KeyJA4            = "ja4"
	KeySNI            = "tls_sni"
	KeyVersion        = "tls_version"
	KeyCipher         = "tls_cipher"
	KeyCertSubject    = "tls_cert_subject"
	KeyCertIssuer     = "tls_cert_issuer"
	KeyCertNotAfter   = "tls_cert_not_after"
	KeyCertSelfSigned = "tls_cert_self_signed"
	KeyCertSAN        = "tls_cert_san"
)

// Handshake message types (RFC 8446 section 4).
const (
	typeClientHello = 1
	typeServerHello = 2
	typeCertificate = 11
)

// Detect reports whether either stream head starts with a TLS handshake
// record header: content type 22, protocol version 3.0 to 3.4.
func Detect(client, server []byte) bool {
	return isHandshakeRecord(client) || isHandshakeRecord(server)
}

func isHandshakeRecord(b []byte) bool {
	return len(b) >= 3 && b[0] == recordHandshake && b[1] == 3 && b[2] <= 4
}

// Dissect reads the ClientHello in client and the ServerHello and
// Certificate in server and appends what they say to out. It is a
// dissect.StreamFunc. On malformed input it returns the facts read so far
// and an error saying where reading stopped.
func Dissect(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	out, errClient := dissectClient(ctx, client, out)
	out, errServer := dissectServer(ctx, server, out)
	if errClient != nil {
		return out, errClient
	}
	return out, errServer
}

// dissectClient reads the first handshake message of the client head, which
// must be a ClientHello.
func dissectClient(ctx *dissect.Context, b []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	if len(b) == 0 {
		return out, nil
	}
	r := reader{b: b, side: "client"}
	typ, body, off, ok, err := r.next()
	if !ok {
		return out, err
	}
	if typ != typeClientHello {
		return out, dissect.Errorf(source, off, "client: handshake type %d, want client hello", typ)
	}
	var h clientHello
	if err := h.parse(body); err != nil {
		return out, dissect.Errorf(source, off, "client hello: %v", err)
	}
	return h.facts(ctx, out), nil
}

// dissectServer reads the server's handshake messages up to the first
// record that is not a handshake one (in TLS 1.3 everything after the
// ServerHello is encrypted).
func dissectServer(ctx *dissect.Context, b []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	r := reader{b: b, side: "server"}
	for hello, cert := false, false; !hello || !cert; {
		typ, body, off, ok, err := r.next()
		if !ok {
			return out, err
		}
		switch {
		case typ == typeServerHello && !hello:
			hello = true
			var h serverHello
			if err := h.parse(body); err != nil {
				return out, dissect.Errorf(source, off, "server hello: %v", err)
			}
			out = h.facts(ctx, out)
		case typ == typeCertificate && !cert:
			cert = true
			out, err = certFacts(ctx, body, out)
			if err != nil {
				return out, dissect.Errorf(source, off, "certificate: %v", err)
			}
		}
	}
	return out, nil
}

// fact builds a fact of this package.
func fact(who dissect.Endpoint, key, value string, c dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: source, Key: key, Value: value, Confidence: c}
}
