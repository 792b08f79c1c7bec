package match

import (
	"strings"
	"testing"
)

func TestPrioritise(t *testing.T) {
	const critical = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
	for _, c := range []struct {
		name     string
		f        Facts
		score    int
		level    string
		decision SSVCDecision
	}{
		{"nothing known", Facts{}, 0, "low", Track},
		{"critical CVSS alone", Facts{CVSS: 9.8, Vector: critical, Criticality: NonClinical}, 49,
			"medium", Track},
		{"KEV on a life-sustaining pump on the internet", Facts{CVSS: 9.8, Vector: critical,
			KEV: true, Ransomware: true, EPSS: 0.94, EPSSPercentile: 0.99,
			Criticality: LifeSustaining, Exposure: Exposure{Internet: true}}, 100, "critical", Act},
		{"KEV, local vector, medium device", Facts{CVSS: 6.8,
			Vector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", KEV: true,
			Criticality: Supporting}, 59, "medium", Attend},
		{"high EPSS, network, high criticality", Facts{CVSS: 7.5,
			Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", EPSS: 0.4,
			EPSSPercentile: 0.97, Criticality: Diagnostic, Exposure: Exposure{Subnets: true}}, 57,
			"medium", Attend},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := Prioritise(c.f)
			if p.Score != c.score || p.Level != c.level || p.SSVC != c.decision {
				t.Errorf("got %d %s %s, want %d %s %s; reasons %q", p.Score, p.Level, p.SSVC,
					c.score, c.level, c.decision, p.Reasons)
			}
			if !strings.HasPrefix(p.Reasons[len(p.Reasons)-1], "SSVC: "+string(c.decision)) {
				t.Errorf("last reason %q does not give the SSVC decision", p.Reasons[len(p.Reasons)-1])
			}
		})
	}
}
