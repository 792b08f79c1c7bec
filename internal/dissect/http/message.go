package http

import (
	"github.com/wardhq/ward/internal/dissect"
)

// framing is how a message's body is delimited, as its headers say.
type framing struct {
	length  int  // Content-Length; -1 when absent
	chunked bool // Transfer-Encoding ends in chunked
	unsure  bool // conflicting or unreadable length: stop after this message
}

// requests reads the requests in the client head, one after another.
func (s *stream) requests(b []byte) error {
	off := skipBlankLines(b, 0)
	for off < len(b) {
		line, next, ok := nextLine(b, off)
		if !ok {
			return dissect.Errorf(source, off, "request line cut short")
		}
		method, ok := requestLine(line)
		if !ok {
			return dissect.Errorf(source, off, "not an http request line")
		}
		r := request{head: string(method) == "HEAD", connect: string(method) == "CONNECT"}
		fr, next, err := s.requestHeaders(b, next, &r)
		s.addRequest(r)
		if err != nil {
			return err
		}
		if r.connect || fr.chunked || fr.unsure || fr.length > len(b)-next {
			return nil
		}
		off = skipBlankLines(b, next+max(fr.length, 0))
	}
	return nil
}

// requestHeaders reads a request's header block starting at off and returns
// its framing and the offset of its body.
func (s *stream) requestHeaders(b []byte, off int, r *request) (framing, int, error) {
	fr := framing{length: -1}
	for {
		name, value, next, done, ok := header(b, off)
		if !ok {
			return fr, off, dissect.Errorf(source, off, "request header block cut short")
		}
		off = next
		if done {
			return fr, off, nil
		}
		switch {
		case is(name, "user-agent"):
			s.emit(s.ctx.Src, KeyUserAgent, value, dissect.High)
		case is(name, "host"):
			s.emit(s.ctx.Dst, KeyHost, hostOnly(value), dissect.Medium)
		case is(name, "authorization"), is(name, "proxy-authorization"):
			s.authorization(value, r)
		case is(name, "upgrade"):
			fr.unsure = true // what follows may be another protocol (WebSocket, h2c)
		default:
			fr.read(name, value)
		}
	}
}

// read notes what a framing header says about the body.
func (fr *framing) read(name, value []byte) {
	switch {
	case is(name, "content-length"):
		n, ok := contentLength(value)
		if !ok || fr.length >= 0 && fr.length != n {
			fr.unsure = true
		}
		fr.length = n
	case is(name, "transfer-encoding"):
		fr.chunked = fr.chunked || dissect.IndexFold(value, "chunked") >= 0
	}
}

// addRequest remembers r to pair it with its response.
func (s *stream) addRequest(r request) {
	if s.nreq < len(s.reqs) {
		s.reqs[s.nreq] = r
		s.nreq++
	}
}

// response is what the headers of one response said.
type response struct {
	framing
	html    bool // Content-Type is HTML, or absent
	encoded bool // Content-Encoding other than identity: the body is unreadable
}

// responses reads the responses in the server head, one after another,
// pairing each final response with the request it answers.
func (s *stream) responses(b []byte) error {
	off := skipBlankLines(b, 0)
	for answered := 0; off < len(b); {
		line, next, ok := nextLine(b, off)
		if !ok {
			return dissect.Errorf(source, off, "status line cut short")
		}
		code, ok := statusLine(line)
		if !ok {
			return dissect.Errorf(source, off, "not an http status line")
		}
		resp, next, err := s.responseHeaders(b, next)
		if err != nil || code == 101 {
			return err
		}
		off = next
		if code < 200 {
			continue // interim response: the final one is still to come
		}
		req := s.answer(answered, code)
		answered++
		if req.connect && code < 300 {
			return nil
		}
		if req.head || code == 204 || code == 304 {
			continue
		}
		if !s.body(b[off:], resp) {
			return nil
		}
		off = skipBlankLines(b, off+resp.length)
	}
	return nil
}

// answer records code as the status of request i and returns that request;
// a zero request when the client head did not hold it.
func (s *stream) answer(i, code int) request {
	if i >= s.nreq {
		return request{}
	}
	s.reqs[i].status = code
	return s.reqs[i]
}

// body looks for a title in a response body and reports whether the
// message after it can be found.
func (s *stream) body(rest []byte, resp response) bool {
	body := rest
	if resp.length >= 0 && resp.length < len(body) {
		body = body[:resp.length]
	}
	if resp.html && !resp.encoded && len(body) > 0 {
		if t := title(body); t != "" {
			s.emitString(s.ctx.Dst, KeyTitle, t, dissect.Medium)
		}
	}
	return !resp.chunked && !resp.unsure && resp.length >= 0 && resp.length <= len(rest)
}

// responseHeaders reads a response's header block starting at off.
func (s *stream) responseHeaders(b []byte, off int) (response, int, error) {
	resp := response{framing: framing{length: -1}, html: true}
	for {
		name, value, next, done, ok := header(b, off)
		if !ok {
			return resp, off, dissect.Errorf(source, off, "response header block cut short")
		}
		off = next
		if done {
			return resp, off, nil
		}
		switch {
		case is(name, "server"):
			s.emit(s.ctx.Dst, KeyServer, value, dissect.High)
		case is(name, "x-powered-by"):
			s.emit(s.ctx.Dst, KeyPoweredBy, value, dissect.High)
		case is(name, "www-authenticate"):
			s.challenges(value)
		case is(name, "content-type"):
			resp.html = dissect.IndexFold(value, "html") >= 0
		case is(name, "content-encoding"):
			resp.encoded = !is(value, "identity")
		default:
			resp.read(name, value)
		}
	}
}

// skipBlankLines skips the empty lines a peer may send between messages.
func skipBlankLines(b []byte, off int) int {
	for off < len(b) {
		switch {
		case b[off] == '\n':
			off++
		case b[off] == '\r' && off+1 < len(b) && b[off+1] == '\n':
			off += 2
		default:
			return off
		}
	}
	return off
}

// hostOnly returns the host part of a Host header value: the port and the
// brackets of an IPv6 literal removed.
func hostOnly(v []byte) []byte {
	if len(v) > 0 && v[0] == '[' {
		for i, c := range v {
			if c == ']' {
				return v[1:i]
			}
		}
		return v
	}
	colon := -1
	for i, c := range v {
		if c == ':' {
			if colon >= 0 {
				return v // a bare IPv6 address: leave it whole
			}
			colon = i
		}
	}
	if colon >= 0 {
		return v[:colon]
	}
	return v
}
