package match

import (
	"math"
	"strings"
)

// A name (an advisory's product, a register's model) is compared as a set
// of words. Words are lower-case ASCII, plurals folded; a short letter
// run followed by a number is one word however it is written, so "MX40",
// "MX 40" and "mx-40" are all "mx40". Words weigh what they tell apart:
// the rarer a word among the advisories' product names, the more it
// weighs; words that say what kind of device a thing is ("pump",
// "monitor", "system") weigh little, and two names that share only such
// words do not match.

// generic are the words that name a kind of device or software, or join
// other words: they weigh genericWeight of what their rarity would give.
var generic = setOf("pump", "monitor", "system", "device", "software", "server", "station",
	"workstation", "unit", "patient", "module", "model", "version", "with", "and", "for", "the",
	"of", "on", "in", "to", "only", "all", "based", "series", "family", "control", "application",
	"app", "platform", "firmware", "infusion", "syringe", "volumetric", "ventilator",
	"defibrillator", "ultrasound", "scanner", "imaging", "analyzer", "analyser", "including",
	"wireless", "wifi", "wlan", "lan", "network", "central", "bedside", "portable", "mobile",
	"medical", "clinical", "healthcare", "care", "vital", "sign", "signs", "driver", "product",
	"products", "edition", "new", "version", "ver", "rev", "release", "no", "not", "other",
	"type", "models", "pumps", "monitors", "systems", "devices", "controller", "computer", "pc",
	"client", "viewer", "web", "service", "services", "suite", "tool", "tools", "kit",
	"equipment", "machine", "instrument", "reader", "interface", "gateway", "hub", "box",
	"terminal", "display", "console", "set", "ii", "iii", "plus", "pro", "x", "ct", "mri", "pet")

const genericWeight = 0.15

// setOf is a set of words.
func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// nameWords returns the words of a product or model name.
func nameWords(s string) []string {
	raw := asciiWords(s)
	out := make([]string, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		w := raw[i]
		if i+1 < len(raw) && joins(w, raw[i+1]) {
			w += raw[i+1]
			i++
		}
		out = append(out, fold(w))
	}
	return out
}

// joins reports whether a and b, adjacent words, are one model name
// written apart: a run of at most three letters and then a number ("MX
// 40", "CT 660", "B 850").
func joins(a, b string) bool {
	return len(a) <= 3 && allLetters(a) && allDigits(b)
}

// fold is a word with a plural "s" taken off where the singular is a
// generic word, so that "pumps" is "pump".
func fold(w string) string {
	if len(w) >= 4 && strings.HasSuffix(w, "s") && generic[w[:len(w)-1]] {
		return w[:len(w)-1]
	}
	return w
}

func allLetters(s string) bool {
	for i := range len(s) {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// hasDigit reports whether a word has a digit.
func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// modelWord reports whether a word looks like a model number: a digit in
// it, and more than a small number (a "2" or "10" in a name is often a
// version or a size).
func modelWord(w string) bool {
	return hasDigit(w) && !(allDigits(w) && len(w) <= 2)
}

// weights are the weights of the words of the advisories' product names.
type weights struct {
	df  map[string]int // the names each word is in
	n   int            // names counted
	max float64        // the weight of a word in one name only
}

func newWeights() *weights { return &weights{df: map[string]int{}} }

// count counts the distinct words of one name.
func (w *weights) count(words []string) {
	seen := map[string]bool{}
	for _, x := range words {
		if !seen[x] {
			seen[x] = true
			w.df[x]++
		}
	}
	w.n++
	w.max = math.Log(1 + float64(w.n))
}

// of is the weight of a word that some product name has: rarer weighs
// more; generic words little.
func (w *weights) of(x string) float64 {
	df := w.df[x]
	if df == 0 {
		return 0
	}
	v := math.Log(1 + float64(w.n)/float64(df))
	if generic[x] {
		v *= genericWeight
	}
	return v
}

// similarity is how well a device's model words name a product, 0–1,
// and whether they share a word that is not generic. A device word no
// product of the vendor has is a register's own (a department, "infusion
// pump") and is left out, unless it is a model number: a model number
// the product does not have is another model. Two names whose model
// numbers are all different do not match at all.
func (w *weights) similarity(product, device []string, vocab map[string]bool) (float64, bool) {
	if numbersDiffer(product, device) {
		return 0, false
	}
	var shared, pw, dw float64
	distinct := false
	inProduct := make(map[string]bool, len(product))
	for _, x := range product {
		if inProduct[x] {
			continue
		}
		inProduct[x] = true
		pw += w.of(x)
	}
	seen := make(map[string]bool, len(device))
	for _, x := range device {
		if seen[x] {
			continue
		}
		seen[x] = true
		wx := w.of(x)
		switch {
		case inProduct[x]:
			shared += wx
			dw += wx
			distinct = distinct || !generic[x]
		case vocab[x]:
			dw += wx
		case modelWord(x):
			dw += w.max
		}
	}
	if pw == 0 || dw == 0 || shared == 0 {
		return 0, false
	}
	return 0.35*shared/pw + 0.65*shared/dw, distinct
}

// numbersDiffer reports whether both names have model numbers and none
// in common.
func numbersDiffer(a, b []string) bool {
	var na, nb []string
	for _, x := range a {
		if modelWord(x) {
			na = append(na, x)
		}
	}
	for _, x := range b {
		if modelWord(x) {
			nb = append(nb, x)
		}
	}
	if len(na) == 0 || len(nb) == 0 {
		return false
	}
	for _, x := range na {
		for _, y := range nb {
			if x == y {
				return false
			}
		}
	}
	return true
}
