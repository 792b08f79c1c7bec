// Package http dissects the heads of HTTP/1.x connections: the requests a
// client sends and the responses a server returns, as far as they fit in the
// stream heads.
//
// It emits these facts (Source "http"):
//
//	about the client
//	  http_user_agent      User-Agent header, once per distinct value (High)
//	  cleartext_login      "http-basic" when an Authorization or
//	                       Proxy-Authorization header uses the Basic scheme (High)
//	about the server
//	  http_host            the Host header requested, without port (Medium)
//	  http_server          Server header, "Apache/2.4.41 (Ubuntu)" (High)
//	  http_auth            each WWW-Authenticate challenge: its scheme and, when
//	                       given, its realm: `Basic realm="Infusion Pump"` (High)
//	  x_powered_by         X-Powered-By header, "ASP.NET" (High)
//	  http_title           the <title> of an HTML response body (Medium)
//	  default_credentials  the account name (or "yes") when a client logged in
//	                       with a well-known default user and password: High
//	                       when the server answered 2xx or 3xx, Medium when no
//	                       answer was seen, nothing when it answered 401 or 403
//
// Pipelined and keep-alive requests are read one after another, bodies
// skipped by Content-Length; reading stops at a chunked body, a body with no
// length, a tunnel (CONNECT, 101 Switching Protocols) or anything unclear.
// Credentials are decoded in memory only to compare them with the defaults;
// neither passwords nor user names other than default accounts are emitted.
package http

import (
	"github.com/wardhq/ward/internal/dissect"
)

const source = "http"

// Fact keys this package emits, besides the shared ones in package dissect.
const (
	KeyUserAgent = "http_user_agent"
	KeyHost      = "http_host"
	KeyServer    = "http_server"
	KeyAuth      = "http_auth"
	KeyPoweredBy = "x_powered_by"
	KeyTitle     = "http_title"
)

const (
	loginBasic    = "http-basic" // value of cleartext_login
	maxRequests   = 64           // requests per stream remembered to pair with responses
	maxValueBytes = 256          // longest fact value kept, bytes
	maxFacts      = 32           // facts per stream, against a flood of distinct values
)

// request is what a response needs to know about the request it answers.
type request struct {
	head    bool   // HEAD: the response carries no body
	connect bool   // CONNECT: a 2xx answer turns the stream into a tunnel
	account string // default account logged in with; "" when none
	status  int    // status code of the answer; 0 while none was seen
}

// stream holds the state of one Dissect call.
type stream struct {
	ctx   *dissect.Context
	out   []dissect.Fact
	start int // index in out of this stream's first fact, for deduplication
	reqs  [maxRequests]request
	nreq  int
	login bool // cleartext_login already emitted
}

// Detect reports whether the stream heads look like HTTP/1.x: a request line
// from the client or a status line from the server. It reads only the first
// bytes and does not allocate.
func Detect(client, server []byte) bool {
	return hasPrefix(server, "HTTP/1.") || looksLikeRequest(client)
}

// Dissect reads the HTTP/1.x requests in client and the responses in server
// and appends what they say about each endpoint to out. It is a
// dissect.StreamFunc. On malformed input it returns the facts read so far
// and an error saying where reading stopped.
func Dissect(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	s := stream{ctx: ctx, out: out, start: len(out)}
	errClient := s.requests(client)
	errServer := s.responses(server)
	s.defaults()
	if errClient != nil {
		return s.out, errClient
	}
	return s.out, errServer
}

// emit appends a fact about who unless the stream already has the same one.
func (s *stream) emit(who dissect.Endpoint, key string, value []byte, c dissect.Confidence) {
	value = trimSpace(value)
	if len(value) == 0 {
		return
	}
	for _, f := range s.out[s.start:] {
		if f.Key == key && f.Who == who && f.Value == string(value) {
			return
		}
	}
	s.emitString(who, key, text(value), c)
}

// emitString appends a fact whose value is already clean.
func (s *stream) emitString(who dissect.Endpoint, key, value string, c dissect.Confidence) {
	if len(s.out)-s.start >= maxFacts {
		return
	}
	for _, f := range s.out[s.start:] {
		if f.Key == key && f.Who == who && f.Value == value {
			return
		}
	}
	s.out = append(s.out, dissect.Fact{Who: who, Source: source, Key: key, Value: value, Confidence: c})
}

// defaults emits default_credentials for each default account a client
// logged in with, weighed by the best answer the server gave to it.
func (s *stream) defaults() {
	for i, r := range s.reqs[:s.nreq] {
		if r.account == "" || s.seenAccount(i) {
			continue
		}
		var best dissect.Confidence
		for _, o := range s.reqs[i:s.nreq] {
			if o.account == r.account {
				best = max(best, answerConfidence(o.status))
			}
		}
		if best > 0 {
			s.emitString(s.ctx.Dst, dissect.KeyDefaultCreds, r.account, best)
		}
	}
}

// seenAccount reports whether a request before i used the same account.
func (s *stream) seenAccount(i int) bool {
	for _, o := range s.reqs[:i] {
		if o.account == s.reqs[i].account {
			return true
		}
	}
	return false
}

// answerConfidence says how sure a login is to have worked given the status
// code of its answer: 0 when it was refused.
func answerConfidence(status int) dissect.Confidence {
	switch {
	case status == 401 || status == 403:
		return 0
	case status >= 200 && status < 400:
		return dissect.High
	default:
		return dissect.Medium
	}
}
