package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects a command's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDemo starts `ward demo` as the README's first command does, signs in
// with the password it prints and finds the demo trust's devices and its
// register's figures.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--listen", "127.0.0.1:0"}, nil, &out, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
	}()
	serving := regexp.MustCompile(`Ward is serving on (http://\S+)/`)
	var base string
	for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); {
		if m := serving.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	if base == "" {
		t.Fatalf("demo did not start serving; printed:\n%s", out.String())
	}
	pw := regexp.MustCompile(`sign in as admin +password (\S+)`).FindStringSubmatch(out.String())
	if pw == nil {
		t.Fatalf("demo printed no admin password:\n%s", out.String())
	}
	c := signIn(t, base, "admin", pw[1])
	page := fetch(t, c, base+"/devices?q=braun")
	if !strings.Contains(page, "B. Braun") {
		t.Errorf("the inventory has no B. Braun devices:\n%.1000s", page)
	}
	reg := fetch(t, c, base+"/register")
	for _, want := range []string{"Only in the register", "Only on the network", "cmms-export"} {
		if !strings.Contains(reg, want) {
			t.Errorf("the register page lacks %q", want)
		}
	}
}

func signIn(t *testing.T, base, user, pw string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(fetch(t, c, base+"/login"))
	if m == nil {
		t.Fatal("no CSRF token on the login page")
	}
	resp, err := c.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "username": {user}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d, want 303", resp.StatusCode)
	}
	return c
}

func fetch(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	return string(b)
}
