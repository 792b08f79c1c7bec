package telnet

import (
	"bytes"
	"strings"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/creds"
)

// outcome is what the server said after a password was typed.
type outcome uint8

const (
	unknown outcome = iota
	rejected
	accepted
)

// promptKind classifies one line of server text.
type promptKind uint8

const (
	noPrompt promptKind = iota
	userPrompt
	passPrompt
)

// session walks the server's lines and the client's typed lines side by
// side, pairing each prompt with the next line typed. Heads carry no
// timing, so this assumes the client answers prompts in order.
type session struct {
	server, client []byte // cleaned heads; client lines end in LF
	cursor         int    // next unread byte of client

	banner, hostname string
	sawPassword      bool
	accepted         bool   // some attempt was accepted
	defaultAccount   string // "" or the safe account name of a default pair
	defaultResult    outcome
	sawDefault       bool

	// The attempt in progress: whether its pair is a default, and the
	// account name creds gave for it.
	pairDefault bool
	pairAccount string
}

// run reads the whole server text once.
func (s *session) run() {
	var bannerLines [][]byte
	var user []byte
	seenPrompt, pending := false, false // pending: a password typed, outcome not yet judged
	result := unknown
	for rest := s.server; len(rest) > 0; {
		var line []byte
		line, rest = cutLine(rest)
		kind, start, end := classify(line)
		switch {
		case kind == noPrompt && !seenPrompt:
			bannerLines = appendBanner(bannerLines, line)
			continue
		case kind == noPrompt:
			if pending && result == unknown {
				result = judge(line)
			}
			continue
		}
		if pending {
			s.finish(result)
			pending, result = false, unknown
		}
		if !seenPrompt && dissect.IndexFold(line[start:end], "login:") == 0 {
			s.hostname = getty(line[:start])
		}
		seenPrompt = true
		if kind == userPrompt {
			user = s.nextTyped(true)
			continue
		}
		pass, ok := s.typed()
		if !ok {
			break
		}
		s.check(user, pass)
		user, pending = nil, true
		result = judge(line[end:]) // the rest of a prompt line may already say
	}
	if pending {
		s.finish(result)
	}
	s.banner = joinBanner(bannerLines)
}

// check records that a password was typed and whether the pair is a
// published default. The pair lives only in this call.
func (s *session) check(user, pass []byte) {
	s.sawPassword = true
	account, ok := creds.IsDefault(string(user), string(pass))
	s.pairDefault = ok
	s.pairAccount = account
}

// finish records the outcome of the attempt that check last saw.
func (s *session) finish(result outcome) {
	if result == accepted {
		s.accepted = true
	}
	if s.pairDefault && result != rejected && (!s.sawDefault || result > s.defaultResult) {
		s.sawDefault, s.defaultAccount, s.defaultResult = true, s.pairAccount, result
	}
	s.pairDefault, s.pairAccount = false, ""
}

// loginFacts appends cleartext_login and default_credentials.
func (s *session) loginFacts(who dissect.Endpoint, out []dissect.Fact) []dissect.Fact {
	if !s.sawPassword {
		return out
	}
	conf := dissect.Medium
	if s.accepted {
		conf = dissect.High
	}
	out = append(out, fact(who, dissect.KeyCleartextLogin, "telnet", conf))
	if !s.sawDefault {
		return out
	}
	value, conf := s.defaultAccount, dissect.Medium
	if value == "" {
		value = "yes"
	}
	if s.defaultResult == accepted {
		conf = dissect.High
	}
	return append(out, fact(who, dissect.KeyDefaultCreds, value, conf))
}

// cutLine splits b after its first LF; line has trailing CRs removed.
func cutLine(b []byte) (line, rest []byte) {
	line, rest, _ = bytes.Cut(b, []byte{'\n'})
	return bytes.TrimRight(line, "\r"), rest
}

// prompts are the words that end a login or password prompt, lower case.
var prompts = []struct {
	word string
	kind promptKind
}{
	{"password:", passPrompt},
	{"passwd:", passPrompt},
	{"login:", userPrompt},
	{"username:", userPrompt},
	{"user name:", userPrompt},
	{"login as:", userPrompt},
}

// classify says whether line holds a prompt, and where the prompt word
// starts and ends. "Last login:" is not a prompt.
func classify(line []byte) (kind promptKind, start, end int) {
	if bytes.IndexByte(line, ':') < 0 {
		return noPrompt, 0, 0
	}
	for _, p := range prompts {
		i := dissect.IndexFold(line, p.word)
		if i < 0 || (p.kind == userPrompt && i >= 5 &&
			dissect.IndexFold(line[i-5:i], "last ") == 0) {
			continue
		}
		return p.kind, i, i + len(p.word)
	}
	return noPrompt, 0, 0
}

// judge reads one line of server text after a password was typed.
func judge(line []byte) outcome {
	for _, w := range []string{"incorrect", "invalid", "fail", "denied", "bad password"} {
		if dissect.IndexFold(line, w) >= 0 {
			return rejected
		}
	}
	if dissect.IndexFold(line, "last login") >= 0 || dissect.IndexFold(line, "welcome") >= 0 {
		return accepted
	}
	t := bytes.TrimSpace(line)
	if len(t) > 0 && bytes.IndexByte([]byte("$#>%"), t[len(t)-1]) >= 0 {
		return accepted
	}
	return unknown
}

// nextTyped returns the next complete line the client typed, skipping empty
// ones when skipEmpty; nil when there is none.
func (s *session) nextTyped(skipEmpty bool) []byte {
	for {
		line, ok := s.typed()
		if !ok || !skipEmpty || len(line) > 0 {
			return line
		}
	}
}

// typed returns the next complete client line, possibly empty.
func (s *session) typed() ([]byte, bool) {
	rest := s.client[s.cursor:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return nil, false
	}
	s.cursor += i + 1
	return rest[:i], true
}

// getty returns the host name in a prompt such as "ward-pi login:", given
// the text before the prompt word, or "".
func getty(before []byte) string {
	name := bytes.TrimSpace(printable(before))
	if len(name) == 0 || len(name) > 63 {
		return ""
	}
	for _, w := range []string{"please", "enter", "user", "remote", "console"} {
		if len(name) == len(w) && dissect.IndexFold(name, w) == 0 {
			return ""
		}
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_'
		if !ok {
			return ""
		}
	}
	return string(name)
}

// appendBanner adds the printable text of line to lines, if any, up to
// maxBannerLines lines.
func appendBanner(lines [][]byte, line []byte) [][]byte {
	if len(lines) >= maxBannerLines {
		return lines
	}
	text := bytes.TrimSpace(printable(line))
	if len(text) == 0 {
		return lines
	}
	return append(lines, text)
}

// printable drops ANSI escape sequences and bytes outside printable ASCII
// (tabs become spaces). It returns a new slice.
func printable(line []byte) []byte {
	out := make([]byte, 0, len(line))
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == 0x1b:
			i = skipEscape(line, i)
		case c == '\t':
			out = append(out, ' ')
		case c >= 0x20 && c <= 0x7e:
			out = append(out, c)
		}
	}
	return out
}

// skipEscape returns the index of the last byte of the escape sequence
// starting at line[i] (ESC [ params final, or ESC and one byte).
func skipEscape(line []byte, i int) int {
	if i+1 >= len(line) {
		return i
	}
	if line[i+1] != '[' {
		return i + 1
	}
	for j := i + 2; j < len(line); j++ {
		if line[j] >= 0x40 && line[j] <= 0x7e {
			return j
		}
	}
	return len(line) - 1
}

// joinBanner joins lines with " / ", at most maxBanner bytes.
func joinBanner(lines [][]byte) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteString(" / ")
		}
		b.Write(l)
		if b.Len() >= maxBanner {
			break
		}
	}
	s := b.String()
	if len(s) > maxBanner {
		s = strings.TrimSpace(s[:maxBanner])
	}
	return s
}
