package observe

import (
	"github.com/wardhq/ward/internal/dissect"
)

// recentFacts remembers, for each pair of endpoints a stream dissector
// read, the facts its last connection gave and their aggregates. The next
// connection between the same two (a modality's next association with its
// PACS, a gateway's next HL7 session) usually gives the same facts, with
// the same interned strings: comparing them with the last costs far less
// than looking each up in the fact table. Comparing is by value, so a
// match is exact whatever the strings' storage.
type recentFacts struct {
	byPair map[pairKey]*recent
}

type pairKey struct {
	proto          *streamProto
	client, server dissect.Endpoint
}

type recent struct {
	facts []dissect.Fact
	aggs  []*factAgg // aggs[i] counts facts[i]
}

// maxRecent bounds the pairs remembered; past it the table starts again.
const maxRecent = 4096

// keep adds facts, given by proto for the connection between client and
// server at ts, to t, through the memory of the pair's last connection
// when it gave the same facts.
func (r *recentFacts) keep(t *tables, proto *streamProto, client, server dissect.Endpoint,
	facts []dissect.Fact, ts int64) {
	k := pairKey{proto, client, server}
	if p := r.byPair[k]; p != nil && sameFacts(p.facts, facts) {
		for i, a := range p.aggs {
			if a != nil {
				a.touch(facts[i].Confidence, ts)
			}
		}
		return
	}
	p := &recent{facts: append([]dissect.Fact(nil), facts...), aggs: make([]*factAgg, len(facts))}
	for i := range facts {
		f := &facts[i]
		if f.Key == "" || f.Value == "" {
			continue
		}
		p.aggs[i] = t.addFact(f, ts)
	}
	if r.byPair == nil || len(r.byPair) >= maxRecent {
		r.byPair = make(map[pairKey]*recent)
	}
	r.byPair[k] = p
}

func sameFacts(a, b []dissect.Fact) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
