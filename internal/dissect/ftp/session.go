package ftp

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/creds"
)

// session pairs the client's commands with the server's replies.
type session struct {
	replies  replyReader
	commands []byte
	cmdOff   int

	banner, software, syst string
	bannerSeen             bool
	tlsAsked, tlsAccepted  bool

	user      []byte // last USER argument; never emitted
	anonymous bool   // last USER was anonymous or ftp
	anonState outcome
	sentPass  bool
	passState outcome // best outcome of a PASS sent in the clear
	deflt     bool
	defAcct   string
	defState  outcome
}

// outcome is what a reply said about a login step.
type outcome uint8

const (
	none     outcome = iota // no reply seen
	refused                 // 530 and other 4xx/5xx
	pending                 // 331/332: more needed
	accepted                // 230
)

// run reads the greeting, then each command with its final reply.
func (s *session) run() error {
	greet, err := s.final()
	if err != nil || greet.code == 0 {
		return err
	}
	s.greeting(greet)
	for {
		verb, arg, ok := s.command()
		if !ok {
			return nil
		}
		rep, err := s.final()
		if err != nil {
			return err
		}
		if stop := s.handle(verb, arg, rep); stop {
			return nil
		}
	}
}

// final returns the next reply that is not preliminary (1xx); a zero reply
// when the head ends.
func (s *session) final() (reply, error) {
	for {
		rep, ok, err := s.replies.next()
		if !ok {
			return reply{}, err
		}
		if rep.code >= 200 {
			return rep, nil
		}
	}
}

func (s *session) greeting(rep reply) {
	s.bannerSeen = true
	s.banner = text(rep.first)
	s.software = software(rep.all)
}

// command returns the next client command line split into verb and argument.
func (s *session) command() (verb, arg []byte, ok bool) {
	for {
		rest := s.commands[s.cmdOff:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return nil, nil, false
		}
		s.cmdOff += i + 1
		line := bytes.TrimRight(rest[:i], "\r")
		if len(line) == 0 {
			continue
		}
		verb, arg, _ = bytes.Cut(line, []byte{' '})
		return verb, arg, true
	}
}

// handle applies one command and its reply; it returns true when the rest of
// the connection is no longer cleartext.
func (s *session) handle(verb, arg []byte, rep reply) bool {
	switch {
	case equalFold(verb, "user"):
		s.onUser(arg, rep)
	case equalFold(verb, "pass"):
		s.onPass(arg, rep)
	case equalFold(verb, "auth"):
		s.tlsAsked = true
		if rep.code == 234 {
			s.tlsAccepted = true
			return true
		}
	case equalFold(verb, "syst"):
		if rep.code == 215 && s.syst == "" {
			s.syst = text(rep.first)
			if s.software == "" {
				s.software = software(rep.all)
			}
		}
	}
	return false
}

func (s *session) onUser(arg []byte, rep reply) {
	s.user = bytes.TrimSpace(arg)
	s.anonymous = equalFold(s.user, "anonymous") || equalFold(s.user, "ftp")
	if s.anonymous {
		s.anonState = max(s.anonState, judge(rep.code))
	}
}

// onPass checks the pair USER/PASS; the strings live only in this call.
func (s *session) onPass(arg []byte, rep reply) {
	state := judge(rep.code)
	if s.anonymous {
		s.anonState = max(s.anonState, state)
		return
	}
	s.sentPass = true
	s.passState = max(s.passState, state)
	if account, ok := creds.IsDefault(string(s.user), string(arg)); ok && state != refused {
		if !s.deflt || state > s.defState {
			s.deflt, s.defAcct, s.defState = true, account, state
		}
	}
}

// judge maps a reply code to what it says about a login.
func judge(code int) outcome {
	switch {
	case code == 0:
		return none
	case code == 230:
		return accepted
	case code == 331 || code == 332:
		return pending
	case code >= 400:
		return refused
	}
	return none
}

// facts appends what the session learned about the server.
func (s *session) facts(who dissect.Endpoint, out []dissect.Fact) []dissect.Fact {
	if !s.bannerSeen && len(s.commands) == 0 {
		return out
	}
	if !s.tlsAccepted {
		out = append(out, fact(who, dissect.KeyInsecure, "ftp", dissect.High))
	}
	if s.banner != "" {
		out = append(out, fact(who, KeyBanner, s.banner, dissect.High))
	}
	if s.software != "" {
		out = append(out, fact(who, dissect.KeySoftware, s.software, dissect.Medium))
	}
	if s.syst != "" {
		out = append(out, fact(who, KeySyst, s.syst, dissect.High))
	}
	if s.tlsAsked {
		out = append(out, fact(who, KeyTLS, "yes", confidence(s.tlsAccepted)))
	}
	if s.anonState == accepted || s.anonState == pending {
		out = append(out, fact(who, KeyAnonymous, "yes", confidence(s.anonState == accepted)))
	}
	return s.loginFacts(who, out)
}

func (s *session) loginFacts(who dissect.Endpoint, out []dissect.Fact) []dissect.Fact {
	if !s.sentPass {
		return out
	}
	out = append(out, fact(who, dissect.KeyCleartextLogin, "ftp", confidence(s.passState != none)))
	if !s.deflt {
		return out
	}
	value := s.defAcct
	if value == "" {
		value = "yes"
	}
	return append(out, fact(who, dissect.KeyDefaultCreds, value, confidence(s.defState == accepted)))
}

func confidence(sure bool) dissect.Confidence {
	if sure {
		return dissect.High
	}
	return dissect.Medium
}
