package http

import (
	"encoding/base64"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/creds"
)

// maxToken is the longest Basic token decoded, bytes of base64.
const maxToken = 256

// authorization reads an Authorization value. A Basic login is a cleartext
// login; its credentials are decoded here, compared with the defaults and
// forgotten.
func (s *stream) authorization(v []byte, r *request) {
	sp := 0
	for sp < len(v) && v[sp] != ' ' {
		sp++
	}
	if !is(v[:sp], "basic") {
		return
	}
	if !s.login {
		s.login = true
		s.emitString(s.ctx.Src, dissect.KeyCleartextLogin, loginBasic, dissect.High)
	}
	if account, ok := basicDefault(trimSpace(v[sp:])); ok {
		r.account = account
	}
}

// basicDefault decodes a Basic token (base64 of user:password) and reports
// whether it is a default login, with the account name to report.
func basicDefault(token []byte) (account string, ok bool) {
	if len(token) == 0 || len(token) > maxToken {
		return "", false
	}
	var buf [maxToken]byte
	n, err := base64.StdEncoding.Decode(buf[:], token)
	if err != nil {
		n, err = base64.RawStdEncoding.Decode(buf[:], token)
	}
	if err != nil {
		return "", false
	}
	plain := buf[:n]
	defer clear(buf[:])
	colon := -1
	for i, c := range plain {
		if c == ':' {
			colon = i
			break
		}
	}
	if colon < 0 {
		return "", false
	}
	return isDefault(plain[:colon], plain[colon+1:])
}

// isDefault checks one login against the published default credentials.
// The account is reported as "yes" when its name is not a well-known one.
func isDefault(user, password []byte) (account string, ok bool) {
	account, ok = creds.IsDefault(string(user), string(password))
	if ok && account == "" {
		account = "yes"
	}
	return account, ok
}

// challenges reads a WWW-Authenticate value, which holds one or more
// challenges separated by commas, and emits each one's scheme and realm.
// Other parameters (nonces, NTLM blobs) are not emitted.
func (s *stream) challenges(v []byte) {
	var scheme, realm []byte
	for len(v) > 0 {
		var item []byte
		item, v = nextItem(v)
		name, rest := splitToken(item)
		if len(name) == 0 {
			continue
		}
		if len(rest) == 0 || rest[0] != '=' {
			s.challenge(scheme, realm)
			scheme, realm = name, nil
			name, rest = splitToken(trimSpace(rest))
		}
		if len(rest) > 0 && rest[0] == '=' && is(name, "realm") {
			realm = rest[1:]
		}
	}
	s.challenge(scheme, realm)
}

// challenge emits one http_auth fact: the scheme, and realm=... when given.
func (s *stream) challenge(scheme, realm []byte) {
	if len(scheme) == 0 {
		return
	}
	realm = trimSpace(realm)
	if len(realm) == 0 {
		s.emit(s.ctx.Dst, KeyAuth, scheme, dissect.High)
		return
	}
	if realm[0] != '"' {
		s.emitString(s.ctx.Dst, KeyAuth, text(scheme)+` realm="`+text(realm)+`"`, dissect.High)
		return
	}
	s.emitString(s.ctx.Dst, KeyAuth, text(scheme)+" realm="+text(realm), dissect.High)
}

// nextItem splits v at the first comma outside a quoted string.
func nextItem(v []byte) (item, rest []byte) {
	quoted := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			return trimSpace(v[:i]), v[i+1:]
		}
	}
	return trimSpace(v), nil
}

// splitToken splits a leading token (up to a space or '=') from v.
func splitToken(v []byte) (token, rest []byte) {
	i := 0
	for i < len(v) && v[i] != ' ' && v[i] != '=' && v[i] != '\t' {
		i++
	}
	rest = v[i:]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
		rest = rest[1:]
	}
	return v[:i], rest
}
