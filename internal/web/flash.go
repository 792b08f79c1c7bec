package web

import (
	"encoding/base64"
	"net/http"
	"time"
	"unicode/utf8"
)

// flashCookie carries a message from a form's handler to the page it
// redirects to, once. A message in the URL instead would let anyone put
// words on Ward's pages with a link.
const flashCookie = "ward_flash"

func (s *Server) setFlash(w http.ResponseWriter, msg string) {
	v := base64.RawURLEncoding.EncodeToString([]byte(clip(msg, 1000)))
	http.SetCookie(w, s.cookie(flashCookie, v, time.Minute, false))
}

// takeFlash returns the message set for this page, if any, and clears it.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, s.cookie(flashCookie, "", -1, false))
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || !utf8.Valid(b) {
		return ""
	}
	return string(b)
}
