package match

import (
	"math"
	"slices"
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

// connector are the words of a product name that join or qualify rather
// than name: a device need not have them to be every word of a product.
var connector = setOf("with", "and", "for", "the", "of", "on", "in", "to", "only", "all",
	"including", "software", "based", "series", "family", "system", "device", "version",
	"model", "models", "new", "not", "no", "other", "type", "application", "app", "firmware",
	"product", "products", "operating")

// setOf is a set of words.
func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// nameWords returns the words of a product or model name, spellings
// folded (see fold). Adjacent words are not joined here: whether "MX 40"
// is "MX40" depends on the other name (see joinTo).
func nameWords(s string) []string {
	raw := asciiWords(s)
	for i, w := range raw {
		raw[i] = fold(w)
	}
	return raw
}

// joined is words with each short letter run and the number after it
// made one word ("EC 40" → "ec40"), as a product's words are kept.
func joined(words []string) []string {
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); i++ {
		if i+1 < len(words) && len(words[i]) <= 3 && allLetters(words[i]) && allDigits(words[i+1]) {
			out = append(out, words[i]+words[i+1])
			i++
			continue
		}
		out = append(out, words[i])
	}
	return out
}

// joinTo rewrites words so that two adjacent ones the other name writes
// as one ("MX 40" against "MX40", "CT 660" against "CT660") become that
// word. It returns words itself when nothing joins.
func joinTo(words []string, other map[string]bool) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		if i+1 < len(words) && other[words[i]+words[i+1]] && !other[words[i]] {
			if out == nil {
				out = append(make([]string, 0, len(words)), words[:i]...)
			}
			out = append(out, words[i]+words[i+1])
			i++
			continue
		}
		if out != nil {
			out = append(out, words[i])
		}
	}
	if out == nil {
		return words
	}
	return out
}

// alignDigits rewrites a model number that the other name writes without
// its letters ("CT540" against "Optima 540") as the other writes it.
func alignDigits(words []string, other map[string]bool) []string {
	var out []string
	for i, w := range words {
		if other[w] {
			continue
		}
		j := strings.IndexAny(w, "0123456789")
		if j < 1 || j > 3 || !allLetters(w[:j]) || !allDigits(w[j:]) || len(w)-j < 3 || !other[w[j:]] {
			continue
		}
		if out == nil {
			out = slices.Clone(words)
		}
		out[i] = w[j:]
	}
	if out == nil {
		return words
	}
	return out
}

// expandAcronyms rewrites a short device word that is the product's
// words abbreviated ("PCU" for "PC Unit", "CSM" for "Connex Spot
// Monitor", "GW" for "Gateway Workstation") as those words.
func expandAcronyms(device, product []string) []string {
	for _, d := range device {
		if len(d) >= 2 && len(d) <= 5 && allLetters(d) && !slices.Contains(product, d) &&
			acronymRun(d, product) != nil {
			return mergeExpanded(device, product)
		}
	}
	return device
}

// mergeExpanded is device with each acronym of product words replaced by
// those words.
func mergeExpanded(device, product []string) []string {
	pset := wordSet(product)
	out := make([]string, 0, len(device)+4)
	for _, d := range device {
		if !pset[d] && len(d) >= 2 && len(d) <= 5 && allLetters(d) {
			if run := acronymRun(d, product); run != nil {
				out = append(out, run...)
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// acronymRun finds two to four consecutive product words whose leading
// letters, in order, spell a ("pcu" = "pc" + "u"nit; "point of care unit"
// too, connectors skipped).
func acronymRun(a string, product []string) []string {
	for i := range product {
		var run []string
		for j := i; j < len(product) && len(run) < 4; j++ {
			if connector[product[j]] && len(run) > 0 {
				continue
			}
			run = append(run, product[j])
			if len(run) >= 2 && spells(a, run) {
				return run
			}
		}
	}
	return nil
}

// spells reports whether a is a non-empty prefix of each word in turn.
func spells(a string, words []string) bool {
	if len(words) == 0 {
		return a == ""
	}
	w := words[0]
	if !allLetters(w) {
		return false
	}
	for k := 1; k <= len(w) && k <= len(a); k++ {
		if a[:k] != w[:k] {
			break
		}
		if spells(a[k:], words[1:]) && (len(words) > 1 || k == len(a)) {
			return true
		}
	}
	return false
}

// lookupWords are the words of a name and the joins of its adjacent
// pairs, for finding candidate products in a word index.
func lookupWords(words []string) []string {
	out := slices.Clone(words)
	for i := 0; i+1 < len(words); i++ {
		out = append(out, words[i]+words[i+1])
	}
	for _, w := range words {
		if j := strings.IndexAny(w, "0123456789"); j > 0 && j <= 4 && allLetters(w[:j]) {
			out = append(out, "range:"+w[:j])
		}
	}
	return out
}

// inRanges rewrites the device words a product's model ranges hold as
// the range's word ("mx450" → "mx400-850").
func inRanges(words []string, ranges []modelRange) []string {
	if len(ranges) == 0 {
		return words
	}
	var out []string
	for i, w := range words {
		for _, r := range ranges {
			if r.holds(w) {
				if out == nil {
					out = slices.Clone(words)
				}
				out[i] = r.token()
				break
			}
		}
	}
	if out == nil {
		return words
	}
	return out
}

// fold is a word with a plural "s" taken off where the singular is a
// generic word, so that "pumps" is "pump".
// British spellings are written the American way advisories use
// ("centre" is "center").
func fold(w string) string {
	if a, ok := spellings[w]; ok {
		return a
	}
	if len(w) >= 4 && strings.HasSuffix(w, "s") && generic[w[:len(w)-1]] {
		return w[:len(w)-1]
	}
	return w
}

// spellings maps British spellings registers use to the American ones of
// advisories.
var spellings = map[string]string{"centre": "center", "analyser": "analyzer",
	"anaesthesia": "anesthesia", "anaesthetic": "anesthetic", "colour": "color",
	"programme": "program", "haemodialysis": "hemodialysis", "haemodynamic": "hemodynamic",
	"oximeter": "oximeter", "catheterisation": "catheterization", "defibrilator": "defibrillator",
	"analysers": "analyzer", "centres": "center"}

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
// and whether the match may stand at all. The rules, each for a way
// registers and advisories differ:
//
//   - two words the other name writes as one are joined ("MX 40");
//   - both names have model numbers and none in common: no match;
//   - a product's model numbers are alternatives ("FM20/FM30/FM40"), and
//     a rare one shared ("EX1150") makes a good match by itself;
//   - a short product word before a series ("CM Series") covers device
//     words that extend it with a number ("CM12");
//   - a device word no product of the vendor has is the register's own
//     ("infusion pump", "guardrails"): it counts at half the weight of a
//     rare word, a model number at full weight — unless the product is a
//     family the device names whole ("Voluson"), which covers its models;
//   - the names must share a word that few of the vendor's products
//     have (one name in thirty, at least two), or else every word of the
//     product that is not generic and half the generic ones (connectors
//     such as "with" and "software" aside): sharing only "Alaris" does
//     not make a device every Alaris product, nor "Alaris Infusion
//     Central" an "Alaris Gateway Workstation".
//
// The score weighs the product's words the device names (0.45) and the
// device's words the product explains (0.55).
func (w *weights) similarity(product, device []string, vi *vendorIndex) (float64, bool) {
	device = expandAcronyms(device, product)
	pset := wordSet(product)
	device = alignDigits(joinTo(device, pset), pset)
	dset := wordSet(device)
	product = alignDigits(joinTo(product, dset), dset)
	if numbersDiffer(product, device) {
		return 0, false
	}
	pset, dset = wordSet(product), wordSet(device)
	rare := max(2, len(vi.names)/30) // a key word is in at most this many product names
	// A product's model numbers are alternatives ("FM20/FM30/FM40"): the
	// product weighs as if it had one, the heaviest, and a device names
	// it by naming any.
	var sharedP, sumP, modelP, sharedModel float64
	key, allShared, keyModel := false, true, false
	var genericWords, genericShared int // generic words but connectors
	prefixed := map[string]float64{}    // device words a short product word covers, by its weight
	for x := range pset {
		wx := w.of(x)
		hit := dset[x]
		if !hit && len(x) >= 2 && len(x) <= 4 && allLetters(x) {
			if y := extension(x, dset, pset); y != "" {
				hit, prefixed[y] = true, wx
			}
		}
		if modelWord(x) {
			modelP = max(modelP, wx)
			if hit {
				sharedModel = max(sharedModel, wx)
				keyModel = keyModel || (len(x) >= 2 && vi.df[x] <= rare)
			}
		} else {
			sumP += wx
			if hit {
				sharedP += wx
			}
		}
		switch {
		case connector[x] || modelWord(x):
		case generic[x]:
			genericWords++
			if hit {
				genericShared++
			}
		case hit:
			key = key || (vi.df[x] <= rare && !allDigits(x))
		default:
			allShared = false
		}
	}
	if 2*genericShared+1 < genericWords {
		allShared = false
	}
	if !keyModel && !allShared && w.missesKey(pset, dset, vi, rare) {
		return 0, false
	}
	if modelP > 0 && sharedModel == 0 {
		allShared = false
	}
	sumP += modelP
	sharedP += sharedModel
	if sharedP == 0 || !(key || keyModel || allShared) {
		return 0, false
	}
	// A product that names no model number and whose every word the
	// device has is a family ("Voluson"): it covers the device's models.
	family := allShared && !slices.ContainsFunc(product, modelWord)
	var sharedD, sumD float64
	for y := range dset {
		switch wy := w.of(y); {
		case pset[y]:
			sharedD += wy
			sumD += wy
		case prefixed[y] > 0:
			sharedD += prefixed[y]
			sumD += prefixed[y]
		case vi.vocab[y]:
			sumD += wy
		case modelWord(y):
			if !family {
				sumD += w.max
			}
		case !generic[y] && len(y) >= 3:
			sumD += w.max / 2
		}
	}
	if sumP == 0 || sumD == 0 {
		return 0, false
	}
	score := 0.45*sharedP/sumP + 0.55*sharedD/sumD
	if keyModel {
		// A model number few products have is the strongest word there is.
		score = max(score, 0.75)
	}
	return score, true
}

// missesKey reports whether the product has a word few products have
// that the device lacks, and the device names little else of it (under
// half its weight that is not generic), or the device has such a word
// of another product of the vendor: "Infinity Delta" is not an "Infinity
// Gateway", nor "Gemini … Big Bore" a "Brilliance CT Big Bore".
func (w *weights) missesKey(pset, dset map[string]bool, vi *vendorIndex, rare int) bool {
	var have, all float64
	productKey := false
	for x := range pset {
		if generic[x] || connector[x] {
			continue
		}
		wx := w.of(x)
		all += wx
		if dset[x] {
			have += wx
		} else if vi.df[x] <= rare && !allDigits(x) {
			productKey = true
		}
	}
	if !productKey {
		return false
	}
	if have < 0.5*all {
		return true
	}
	for y := range dset {
		if !pset[y] && !generic[y] && vi.vocab[y] && vi.df[y] <= rare && !allDigits(y) {
			return true
		}
	}
	return false
}

// extension finds a device word that extends the short product word x
// with a number ("cm" → "cm12"), and that the product does not have.
func extension(x string, dset, pset map[string]bool) string {
	for y := range dset {
		if len(y) > len(x) && strings.HasPrefix(y, x) && isDigitByte(y[len(x)]) && !pset[y] {
			return y
		}
	}
	return ""
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func wordSet(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
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
		if slices.Contains(nb, x) {
			return false
		}
	}
	return true
}
