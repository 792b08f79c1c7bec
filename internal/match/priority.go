package match

import (
	"fmt"
	"math"
	"strings"
)

// Criticality is a device's clinical criticality, in the inventory's
// words (internal/fingerprint).
type Criticality string

// The criticalities, most critical first.
const (
	LifeSustaining Criticality = "life-sustaining"
	Diagnostic     Criticality = "diagnostic"
	Supporting     Criticality = "supporting"
	NonClinical    Criticality = "non-clinical"
)

// ParseCriticality reads a criticality in the inventory's words or a
// register's ("high", "medium", "low", "critical"); "" for none known.
func ParseCriticality(s string) Criticality {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "life-sustaining", "life sustaining", "life-critical", "critical", "very high":
		return LifeSustaining
	case "diagnostic", "high":
		return Diagnostic
	case "supporting", "medium", "moderate":
		return Supporting
	case "non-clinical", "non clinical", "low", "none":
		return NonClinical
	}
	return ""
}

// Exposure is how reachable a device is, from what it was seen doing.
type Exposure struct {
	Internet  bool // it talks to addresses on the internet
	Subnets   bool // it is reached from other subnets or VLANs
	CrossZone bool // flows reach it across segmentation zones
}

// Facts are what prioritising a device vulnerability weighs.
type Facts struct {
	CVSS       float64 // the base score, 0–10; 0 when none is published
	Vector     string  // the CVSS vector, for the SSVC automatable and impact points
	KEV        bool    // in CISA's Known Exploited Vulnerabilities catalogue
	Ransomware bool    // KEV says it is used in ransomware campaigns
	EPSS       float64 // the probability of exploitation in 30 days, 0–1
	// EPSSPercentile is the EPSS score's percentile, 0–1.
	EPSSPercentile float64
	Criticality    Criticality
	Exposure       Exposure
}

// SSVCDecision is an SSVC deployer decision.
type SSVCDecision string

// The SSVC decisions, least urgent first.
const (
	Track     SSVCDecision = "track"
	TrackStar SSVCDecision = "track*"
	Attend    SSVCDecision = "attend"
	Act       SSVCDecision = "act"
)

// Priority is how urgent a device vulnerability is: a score 0–100, its
// level, the SSVC decision, and the reasons, largest part first.
type Priority struct {
	Score   int
	Level   string // "critical", "high", "medium" or "low"
	SSVC    SSVCDecision
	Reasons []string
}

// Prioritise weighs the facts of one device vulnerability. The score
// adds: the CVSS base score (up to 50), a known exploit (20, and 5 more
// for ransomware), the EPSS probability (up to 15), the device's
// criticality (up to 15) and its exposure (up to 10); capped at 100.
func Prioritise(f Facts) Priority {
	var p Priority
	var score float64
	add := func(v float64, why string) {
		if v > 0 {
			score += v
			p.Reasons = append(p.Reasons, fmt.Sprintf("%s (+%.0f)", why, v))
		}
	}
	add(f.CVSS*5, fmt.Sprintf("CVSS base score %.1f", f.CVSS))
	if f.KEV {
		add(20, "known exploited (CISA KEV)")
	}
	if f.Ransomware {
		add(5, "used in ransomware campaigns")
	}
	add(math.Round(f.EPSS*15), fmt.Sprintf("EPSS %.1f%% chance of exploitation in 30 days", f.EPSS*100))
	if w := critWeight(f.Criticality); w > 0 {
		add(w, fmt.Sprintf("%s device", f.Criticality))
	}
	add(exposureWeight(f.Exposure), exposureText(f.Exposure))
	p.Score = min(100, int(math.Round(score)))
	p.Level = level(p.Score)
	p.SSVC = SSVC(f)
	p.Reasons = append(p.Reasons, "SSVC: "+string(p.SSVC)+" ("+ssvcPoints(f)+")")
	return p
}

func critWeight(c Criticality) float64 {
	switch c {
	case LifeSustaining:
		return 15
	case Diagnostic:
		return 10
	case Supporting:
		return 5
	}
	return 0
}

func exposureWeight(e Exposure) float64 {
	switch {
	case e.Internet:
		return 10
	case e.CrossZone:
		return 5
	case e.Subnets:
		return 3
	}
	return 0
}

func exposureText(e Exposure) string {
	switch {
	case e.Internet:
		return "talks to the internet"
	case e.CrossZone:
		return "reached across zones"
	}
	return "reached from other subnets"
}

func level(score int) string {
	switch {
	case score >= 80:
		return "critical"
	case score >= 60:
		return "high"
	case score >= 40:
		return "medium"
	}
	return "low"
}

// The SSVC decision points, as Ward reads them from the facts.
type (
	exploitation int // none, poc, active
	wellBeing    int // low, medium, high
)

const (
	exploitNone exploitation = iota
	exploitPoC
	exploitActive
)

// exploitationOf reads the exploitation point: active for a KEV entry;
// a public proof of concept is not in the facts, so an EPSS score in its
// top tenth stands for it.
func exploitationOf(f Facts) exploitation {
	switch {
	case f.KEV:
		return exploitActive
	case f.EPSSPercentile >= 0.9 || f.EPSS >= 0.1:
		return exploitPoC
	}
	return exploitNone
}

// automatable reads a CVSS vector: reachable over the network, low
// complexity, no privileges and no user needed.
func automatable(vector string) bool {
	return vectorHas(vector, "AV:N") && vectorHas(vector, "AC:L") && vectorHas(vector, "PR:N") &&
		vectorHas(vector, "UI:N")
}

// totalImpact reads a CVSS vector: total technical impact is high
// confidentiality and integrity (or, in v4.0, of the vulnerable system).
func totalImpact(vector string) bool {
	return (vectorHas(vector, "C:H") && vectorHas(vector, "I:H")) ||
		(vectorHas(vector, "VC:H") && vectorHas(vector, "VI:H"))
}

func vectorHas(vector, metric string) bool {
	for _, part := range strings.Split(vector, "/") {
		if part == metric {
			return true
		}
	}
	return false
}

// wellBeingOf reads mission and well-being from criticality and
// exposure: a life-sustaining or internet-facing device is high.
func wellBeingOf(f Facts) wellBeing {
	switch {
	case f.Criticality == LifeSustaining || f.Criticality == Diagnostic || f.Exposure.Internet:
		return 2
	case f.Criticality == Supporting || f.Exposure.CrossZone:
		return 1
	}
	return 0
}

// ssvcTable is the deployer decision tree of CISA's SSVC guide, indexed
// by exploitation, automatable, total impact, and well-being.
var ssvcTable = [3][2][2][3]SSVCDecision{
	exploitNone: {
		{{Track, Track, Track}, {Track, Track, TrackStar}},
		{{Track, Track, Attend}, {Track, Track, Attend}},
	},
	exploitPoC: {
		{{Track, Track, TrackStar}, {Track, TrackStar, Attend}},
		{{Track, Track, Attend}, {Track, TrackStar, Attend}},
	},
	exploitActive: {
		{{Track, Track, Attend}, {Track, Attend, Act}},
		{{Attend, Attend, Act}, {Attend, Act, Act}},
	},
}

// SSVC is the SSVC deployer decision for the facts.
func SSVC(f Facts) SSVCDecision {
	return ssvcTable[exploitationOf(f)][b2i(automatable(f.Vector))][b2i(totalImpact(f.Vector))][wellBeingOf(f)]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ssvcPoints(f Facts) string {
	ex := [...]string{"none", "public PoC", "active"}[exploitationOf(f)]
	aut := map[bool]string{true: "yes", false: "no"}[automatable(f.Vector)]
	ti := map[bool]string{true: "total", false: "partial"}[totalImpact(f.Vector)]
	wb := [...]string{"low", "medium", "high"}[wellBeingOf(f)]
	return fmt.Sprintf("exploitation %s, automatable %s, technical impact %s, well-being %s",
		ex, aut, ti, wb)
}
