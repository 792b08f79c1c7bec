package observe

import (
	"net/netip"
	"testing"

	"github.com/wardhq/ward/internal/dissect"
)

// TestRecentFacts checks that facts kept through the memory of a pair's
// last connection count exactly as they would through the fact table.
func TestRecentFacts(t *testing.T) {
	client := dissect.Endpoint{IP: netip.MustParseAddr("10.77.7.21")}
	server := dissect.Endpoint{IP: netip.MustParseAddr("10.77.7.10")}
	proto := &streamProto{name: "dicom"}
	fact := func(v string, c dissect.Confidence) dissect.Fact {
		return dissect.Fact{Who: client, Source: "dicom", Key: "dicom_ae_title", Value: v, Confidence: c}
	}
	conns := [][]dissect.Fact{
		{fact("CT01", 60), fact("", 90)},
		{fact("CT01", 60), fact("", 90)}, // the same: through the memory
		{fact("CT01", 90)},               // another set: through the table
		{fact("CT01", 90)},
		{fact("CT02", 60)},
	}
	viaRecent, viaTable := newTables(), newTables()
	var r recentFacts
	for i, facts := range conns {
		ts := int64(1000 * (i + 1))
		r.keep(&viaRecent, proto, client, server, facts, ts)
		for j := range facts {
			if facts[j].Value != "" {
				viaTable.addFact(&facts[j], ts)
			}
		}
	}
	if len(viaRecent.facts) != len(viaTable.facts) {
		t.Fatalf("%d observations through the memory, %d through the table", len(viaRecent.facts), len(viaTable.facts))
	}
	for k, want := range viaTable.facts {
		got := viaRecent.facts[k]
		if got == nil || *got != *want {
			t.Errorf("%s=%s: got %+v, want %+v", k.key, k.value, got, want)
		}
	}
	if a := viaRecent.facts[factKey{who: client, source: "dicom", key: "dicom_ae_title", value: "CT01"}]; a == nil ||
		a.count != 4 || a.conf != 90 || a.first != 1000 || a.last != 4000 {
		t.Errorf("CT01: got %+v, want count 4, confidence 90, 1000 to 4000", a)
	}
}
