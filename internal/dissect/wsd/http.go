package wsd

import (
	"bytes"
	"strconv"

	"github.com/wardhq/ward/internal/dissect"
)

// DissectHTTP reads the metadata exchange of a WSD device over HTTP (TCP
// 5357 by default, the XAddr its Hello or ProbeMatches gave): the client
// POSTs a WS-Transfer Get and the device answers with its metadata, which
// DissectMetadata reads. It is a dissect.StreamFunc; the facts are about
// the server, the device. Only the first response in the server's head is
// read, with a body of Content-Length bytes or chunked; a body cut by the
// end of the head is read as far as it goes.
func DissectHTTP(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact,
	error) {
	if !bytes.HasPrefix(client, []byte("POST ")) || !bytes.HasPrefix(server, []byte("HTTP/1.")) {
		return out, nil
	}
	body, err := responseBody(server)
	if err != nil || len(body) == 0 {
		return out, err
	}
	dev := *ctx
	dev.Src, dev.Dst = ctx.Dst, ctx.Src
	return DissectMetadata(&dev, body, out)
}

// maxHTTPHeader bounds the response header read for the body's framing.
const maxHTTPHeader = 8192

// responseBody returns the body of the HTTP response at the start of b.
// A chunked body is joined into a new buffer, at most maxInput bytes.
func responseBody(b []byte) ([]byte, error) {
	end := bytes.Index(b[:min(len(b), maxHTTPHeader)], []byte("\r\n\r\n"))
	if end < 0 {
		return nil, nil // the header is cut short: no body to read
	}
	header, body := b[:end], b[end+4:]
	length, chunked := -1, false
	for _, line := range bytes.Split(header, []byte("\r\n"))[1:] {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 {
				return nil, dissect.Errorf(Source, 0, "http response: bad Content-Length")
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
		}
	}
	switch {
	case chunked:
		return dechunk(body, end+4)
	case length >= 0:
		return body[:min(length, len(body))], nil
	}
	return body, nil
}

// dechunk joins the chunks of a chunked body; at is the body's offset in
// the head, for errors. A body cut short gives what it holds.
func dechunk(b []byte, at int) ([]byte, error) {
	var out []byte
	off := 0
	for off < len(b) {
		eol := bytes.Index(b[off:], []byte("\r\n"))
		if eol < 0 {
			break
		}
		sizeText, _, _ := bytes.Cut(b[off:off+eol], []byte(";"))
		size, err := strconv.ParseUint(string(bytes.TrimSpace(sizeText)), 16, 32)
		if err != nil {
			return out, dissect.Errorf(Source, at+off, "http response: bad chunk size")
		}
		off += eol + 2
		if size == 0 {
			break
		}
		n := min(int(size), len(b)-off)
		if len(out)+n > maxInput {
			return out, dissect.Errorf(Source, at+off, "http response: body over %d bytes", maxInput)
		}
		out = append(out, b[off:off+n]...)
		off += n + 2
	}
	return out, nil
}
