package oidc

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCallbackError(t *testing.T) {
	tests := []struct {
		name string
		q    url.Values
		want string // "" for no error
	}{
		{"code", url.Values{"code": {"abc"}, "state": {"xyz"}}, ""},
		{"access denied", url.Values{"error": {"access_denied"}, "error_description": {"User cancelled"}},
			"oidc: provider refused the sign-in: access_denied: User cancelled"},
		{"no description", url.Values{"error": {"login_required"}},
			"oidc: provider refused the sign-in: login_required"},
		{"empty error", url.Values{"error": {""}},
			"oidc: provider refused the sign-in: no error code"},
		{"control characters", url.Values{"error": {"access_denied\r\n"},
			"error_description": {"line one\nFAKE LOG LINE \x1b[31mred\u202egnp.exe\x00"}},
			"oidc: provider refused the sign-in: access_denied: line oneFAKE LOG LINE [31mredgnp.exe"},
		{"long description", url.Values{"error": {strings.Repeat("e", 300)},
			"error_description": {strings.Repeat("d", 5000)}},
			"oidc: provider refused the sign-in: " +
				strings.Repeat("e", 40) + "…: " + strings.Repeat("d", 100) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CallbackError(tc.q)
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, ErrRefused) {
					t.Errorf("error %v is not ErrRefused", err)
				}
			}
			if got != tc.want {
				t.Errorf("CallbackError() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCallbackErrorBounded(t *testing.T) {
	desc := strings.Repeat("ü\u0007\u200b👩‍⚕️", 1000) + string([]byte{0xff, 0xfe})
	err := CallbackError(url.Values{"error": {desc}, "error_description": {desc}})
	msg := err.Error()
	if n := utf8.RuneCountInString(msg); n > len(ErrRefused.Error())+maxErrorCode+maxErrorText+10 {
		t.Errorf("message is %d characters long", n)
	}
	for _, r := range msg {
		if !unicode.IsPrint(r) {
			t.Fatalf("message %q holds unprintable %U", msg, r)
		}
	}
}
