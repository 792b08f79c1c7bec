package wsd

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// getRequest is the head of a WS-Transfer Get as wsdd's client sends it;
// its body does not matter to DissectHTTP.
const getRequest = "POST /4f3d2a1e HTTP/1.1\r\nHost: 192.0.2.10:5357\r\n" +
	"Content-Type: application/soap+xml\r\nContent-Length: 0\r\n\r\n"

// httpCtx is a connection from a client to the test device's port 5357:
// the device is the server.
func httpCtx() *dissect.Context {
	return &dissect.Context{Src: dissecttest.Endpoint("", "192.0.2.99"),
		Dst: sender().Src, SrcPort: 50000, DstPort: 5357}
}

func chunked(body []byte, size int) []byte {
	var out []byte
	for len(body) > 0 {
		n := min(size, len(body))
		out = fmt.Appendf(out, "%x\r\n", n)
		out = append(append(out, body[:n]...), "\r\n"...)
		body = body[n:]
	}
	return append(out, "0\r\n\r\n"...)
}

func TestDissectHTTP(t *testing.T) {
	body := load(t, "wsdd-getresponse.hex")
	want, err := DissectMetadata(sender(), body, nil)
	if err != nil || len(want) == 0 {
		t.Fatalf("DissectMetadata: %d facts, %v", len(want), err)
	}
	responses := map[string][]byte{
		"content-length": fmt.Appendf(nil,
			"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: %d\r\n\r\n%s",
			len(body), body),
		"chunked": append([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
			chunked(body, 700)...),
		"no length, to the end": append([]byte("HTTP/1.0 200 OK\r\n\r\n"), body...),
	}
	for name, resp := range responses {
		t.Run(name, func(t *testing.T) {
			got, err := DissectHTTP(httpCtx(), []byte(getRequest), resp, nil)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if diff := cmp.Diff(want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDissectHTTPNotMetadata(t *testing.T) {
	tests := map[string][2]string{
		"a GET":           {"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n<x/>"},
		"no response":     {getRequest, ""},
		"header cut":      {getRequest, "HTTP/1.1 200 OK\r\nContent-Le"},
		"not http":        {"\x16\x03\x01", "\x16\x03\x03"},
		"empty body":      {getRequest, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"},
		"too long length": {getRequest, "HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n<a"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, _ := DissectHTTP(httpCtx(), []byte(tt[0]), []byte(tt[1]), nil)
			if len(got) != 0 {
				t.Errorf("got facts %v, want none", got)
			}
		})
	}
}

func TestDissectHTTPBadFraming(t *testing.T) {
	for name, resp := range map[string]string{
		"bad length":     "HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n<a/>",
		"bad chunk size": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n<a/>\r\n0\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DissectHTTP(httpCtx(), []byte(getRequest), []byte(resp), nil)
			var de *dissect.Error
			if err == nil || !asError(err, &de) {
				t.Errorf("got %v, want a *dissect.Error", err)
			}
		})
	}
}

func asError(err error, target **dissect.Error) bool {
	e, ok := err.(*dissect.Error)
	*target = e
	return ok
}

func TestDissectHTTPCuts(t *testing.T) {
	body := load(t, "wsdd-getresponse.hex")
	resp := append([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), chunked(body, 300)...)
	for n := range len(resp) {
		if _, err := DissectHTTP(httpCtx(), []byte(getRequest), resp[:n], nil); err != nil {
			var de *dissect.Error
			if !asError(err, &de) {
				t.Fatalf("cut to %d: %v is not a *dissect.Error", n, err)
			}
		}
	}
}

func FuzzDissectHTTP(f *testing.F) {
	body := load(f, "wsdd-getresponse.hex")
	f.Add([]byte(getRequest), fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
	f.Add([]byte(getRequest), append([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
		chunked(body, 500)...))
	f.Fuzz(func(t *testing.T, client, server []byte) {
		out, err := DissectHTTP(httpCtx(), client, server, nil)
		if err != nil {
			if _, ok := err.(*dissect.Error); !ok {
				t.Fatalf("error %v is not a *dissect.Error", err)
			}
		}
		for _, fact := range out {
			if fact.Who.MAC != httpCtx().Dst.MAC || fact.Source != Source {
				t.Fatalf("fact %v is not about the server", fact)
			}
		}
	})
}
