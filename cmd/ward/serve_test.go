package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeTLS serves over TLS with a certificate made for the test,
// prints the first admin password once, and answers the login page.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan error, 1)
	data := filepath.Join(dir, "data")
	go func() {
		done <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--data", data,
			"--tls-cert", cert, "--tls-key", key}, nil, &out, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	re := regexp.MustCompile(`Ward is serving on (https://\S+)/`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	if base == "" {
		t.Fatalf("serve did not start; printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "sign in as admin with the password") {
		t.Errorf("first start printed no admin password:\n%s", out.String())
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("GET /login over TLS: status %d, HSTS %q", resp.StatusCode,
			resp.Header.Get("Strict-Transport-Security"))
	}
	if c := resp.Cookies(); len(c) == 0 || !c[0].Secure {
		t.Errorf("login cookie over TLS is not Secure: %v", c)
	}
}

func TestPlainHTTPWarning(t *testing.T) {
	for _, tt := range []struct {
		addr string
		tls  bool
		warn bool
	}{
		{"127.0.0.1:8080", false, false},
		{"[::1]:8080", false, false},
		{"10.1.2.3:8080", false, true},
		{"0.0.0.0:8080", false, true},
		{"10.1.2.3:8443", true, false},
	} {
		a, _ := net.ResolveTCPAddr("tcp", tt.addr)
		var stderr bytes.Buffer
		e := &env{stderr: &stderr, log: slog.New(slog.DiscardHandler)}
		warnPlainHTTP(e, a, tt.tls)
		if got := strings.Contains(stderr.String(), "WARNING"); got != tt.warn {
			t.Errorf("%s tls=%v: warned %v, want %v", tt.addr, tt.tls, got, tt.warn)
		}
	}
}

// selfSigned writes a certificate and key for 127.0.0.1.
func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ward test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}
