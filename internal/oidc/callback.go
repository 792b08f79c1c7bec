package oidc

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// Lengths, in characters, past which text from the callback is cut.
const (
	maxErrorCode = 40
	maxErrorText = 100
)

// CallbackError reports the error a provider sent back to the redirect URL
// in place of a code, such as error=access_denied, wrapping ErrRefused; nil
// when q has no error parameter. The provider's words come through the
// browser, so anyone can write them: they are cut short and stripped of
// control characters.
func CallbackError(q url.Values) error {
	if !q.Has("error") {
		return nil
	}
	msg := clean(q.Get("error"), maxErrorCode)
	if msg == "" {
		msg = "no error code"
	}
	if d := clean(q.Get("error_description"), maxErrorText); d != "" {
		msg += ": " + d
	}
	return fmt.Errorf("%w: %s", ErrRefused, msg)
}

// clean keeps the printable characters of s, at most n of them, and marks
// a cut with an ellipsis.
func clean(s string, n int) string {
	var b strings.Builder
	kept := 0
	for _, r := range s {
		if !unicode.IsPrint(r) {
			continue
		}
		if kept == n {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		kept++
	}
	return strings.TrimSpace(b.String())
}
