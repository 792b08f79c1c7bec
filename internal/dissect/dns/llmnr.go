package dns

import (
	"github.com/wardhq/ward/internal/dissect"
)

// maxLLMNRQuestions bounds the llmnr_query facts taken from one message;
// RFC 4795 allows a single question.
const maxLLMNRQuestions = 4

// DissectLLMNR dissects a Link-Local Multicast Name Resolution message
// (UDP port 5355). A query tells what name the sender looks for; a response
// comes from the owner of the name.
func DissectLLMNR(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	var r Reader
	if err := r.Reset(payload); err != nil {
		return out, err
	}
	if r.Header.Opcode() != 0 {
		return out, nil
	}
	if !r.Header.Response() {
		return llmnrQueries(ctx, &r, out)
	}
	if r.Header.RCode() != 0 {
		return out, nil
	}
	return llmnrAnswers(ctx, &r, out)
}

// llmnrQueries emits an llmnr_query fact for each question.
func llmnrQueries(ctx *dissect.Context, r *Reader, out []dissect.Fact) ([]dissect.Fact, error) {
	var name nameBuf
	for range maxLLMNRQuestions {
		q, ok, err := r.Question()
		if !ok {
			return out, err
		}
		if err := name.set(q.Name, false); err != nil {
			return out, err
		}
		if name.n > 0 {
			f := fact(ctx.Src, "llmnr", KeyLLMNRQuery, name.value(), dissect.Low)
			out = appendUnique(out, len(out), f)
		}
	}
	return out, nil
}

// llmnrAnswers binds the names of a response's address records to the
// responder, which answers only for names it owns (RFC 4795 §2.1): a
// hostname fact about it, and dns_name for addresses other than its own.
func llmnrAnswers(ctx *dissect.Context, r *Reader, out []dissect.Fact) ([]dissect.Fact, error) {
	start := len(out)
	src := ctx.Src.IP.Unmap()
	var name nameBuf
	for {
		rec, ok, err := r.Record()
		if !ok || rec.Section != SectionAnswer {
			return out, err
		}
		addr, ok := rec.Addr()
		if !ok || rec.Class&ClassMask != ClassIN || !usable(addr.Unmap()) {
			continue
		}
		if err := name.set(rec.Name, false); err != nil {
			return out, err
		}
		if name.n == 0 {
			continue
		}
		out = appendUnique(out, start,
			fact(ctx.Src, "llmnr", dissect.KeyHostname, name.value(), dissect.High))
		if addr.Unmap() != src {
			lower := name
			lowerASCII(lower.b[:lower.n])
			lower.str = ""
			out = appendUnique(out, len(out), fact(dissect.Endpoint{IP: addr}, "llmnr",
				dissect.KeyDNSName, lower.value(), dissect.Medium))
		}
	}
}
