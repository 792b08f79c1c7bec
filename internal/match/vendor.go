package match

import (
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
)

//go:embed vendors.yaml
var builtinVendors []byte

// Vendors maps the ways manufacturers are written to one key each: the
// alias table of vendors.yaml, to which a user's file adds.
type Vendors struct {
	keys map[string]string // normalised name → key
}

// builtin is vendors.yaml read once; DefaultVendors hands out copies,
// since Add changes a table.
var builtin = sync.OnceValue(func() map[string]string {
	v := &Vendors{keys: map[string]string{}}
	if err := v.Add(builtinVendors); err != nil {
		panic("match: built-in vendors.yaml: " + err.Error()) // a test reads it
	}
	return v.keys
})

// DefaultVendors is the built-in alias table: a copy of its own, to add
// to.
func DefaultVendors() *Vendors {
	return &Vendors{keys: maps.Clone(builtin())}
}

// Add reads an alias file (YAML: key: [alias, ...]) into v. A name
// already given to another key is an error naming both, so that one
// spelling never means two manufacturers.
func (v *Vendors) Add(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("vendor aliases: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("vendor aliases: line %d: want a mapping of vendor to aliases", m.Line)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if err := v.addEntry(m.Content[i], m.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (v *Vendors) addEntry(k, list *yaml.Node) error {
	key := normaliseVendor(k.Value)
	if key == "" {
		return fmt.Errorf("vendor aliases: line %d: empty vendor name", k.Line)
	}
	if list.Kind != yaml.SequenceNode {
		return fmt.Errorf("vendor aliases: line %d: %s: want a list of aliases", list.Line, k.Value)
	}
	if have, ok := v.keys[key]; ok && have != key {
		return fmt.Errorf("vendor aliases: line %d: %q is already an alias of %q", k.Line, k.Value, have)
	}
	v.keys[key] = key
	for _, a := range list.Content {
		n := normaliseVendor(a.Value)
		if n == "" {
			continue
		}
		if have, ok := v.keys[n]; ok && have != key {
			return fmt.Errorf("vendor aliases: line %d: %q is already an alias of %q",
				a.Line, a.Value, have)
		}
		v.keys[n] = key
	}
	return nil
}

// Keys returns the keys of the manufacturers a vendor name stands for:
// usually one; several for an advisory that names several vendors
// ("ENEA, Green Hills Software, ITRON, IP Infusion, and Wind River"); none
// for a name that is empty once normalised.
func (v *Vendors) Keys(name string) []string {
	n := normaliseVendor(name)
	if n == "" {
		return nil
	}
	if k, ok := v.keys[n]; ok {
		return []string{k}
	}
	parts := splitVendors(name)
	if len(parts) < 2 {
		return []string{v.Key(name)}
	}
	var out []string
	for _, part := range parts {
		if k := v.Key(part); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// splitVendors splits a list of vendors at commas, semicolons, slashes,
// ampersands and "and".
func splitVendors(name string) []string {
	f := strings.FieldsFunc(name, func(r rune) bool { return strings.ContainsRune(",;/&", r) })
	var out []string
	for _, p := range f {
		for _, q := range strings.Split(" "+p+" ", " and ") {
			if q = strings.TrimSpace(q); q != "" {
				out = append(out, q)
			}
		}
	}
	return out
}

// Key is the key of one vendor name: its alias entry's, or else the
// normalised name itself, shortened to a known key where one is its first
// words ("Medtronic MiniMed Europe" → "medtronic").
func (v *Vendors) Key(name string) string {
	n := normaliseVendor(name)
	if n == "" {
		return ""
	}
	if k := v.known(n); k != "" {
		return k
	}
	return n
}

// known finds a normalised name, or its leading words, in the table.
func (v *Vendors) known(n string) string {
	if k, ok := v.keys[n]; ok {
		return k
	}
	words := strings.Fields(n)
	for i := len(words) - 1; i >= 1; i-- {
		if k, ok := v.keys[strings.Join(words[:i], " ")]; ok {
			return k
		}
	}
	return ""
}

// vendorNoise are words that say what kind of company a name is, not
// which: dropped from vendor names before they are compared.
var vendorNoise = map[string]bool{
	"ltd": true, "limited": true, "inc": true, "incorporated": true, "corp": true,
	"corporation": true, "co": true, "company": true, "llc": true, "plc": true, "gmbh": true,
	"ag": true, "sa": true, "se": true, "oy": true, "yhtyma": true, "bv": true, "nv": true,
	"kg": true, "kgaa": true, "srl": true, "spa": true, "uab": true, "pty": true, "kk": true,
	"uk": true, "usa": true, "us": true, "europe": true, "international": true, "group": true,
	"holdings": true, "the": true, "of": true, "medical": true, "healthcare": true,
	"health": true, "systems": true, "technologies": true, "technology": true,
	"solutions": true, "devices": true, "products": true, "diagnostics": true,
	"care": true, "services": true,
}

// normaliseVendor is a vendor name in lower case ASCII words, accents
// folded, punctuation and company-kind words dropped, and a bracketed
// abbreviation dropped where the name before it stands ("Becton,
// Dickinson and Company (BD)" → "becton dickinson and").
func normaliseVendor(name string) string {
	if i := strings.IndexByte(name, '('); i > 0 {
		name = name[:i]
	}
	words := asciiWords(name)
	kept := words[:0]
	for i, w := range words {
		if vendorNoise[w] && (i > 0 || len(words) == 1) {
			continue
		}
		if w == "and" && i == len(words)-1 {
			continue
		}
		kept = append(kept, w)
	}
	if len(kept) == 0 && len(words) > 0 {
		kept = words
	}
	return strings.Join(kept, " ")
}

// asciiWords splits s into lower-case words of ASCII letters and digits,
// accents folded ("Dräger" → "drager"); "&" is "and"; a single letter
// followed by a full stop joins the next word ("B. Braun" → "b braun",
// "St. Jude" → "st jude").
func asciiWords(s string) []string {
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for _, r := range norm.NFD.String(s) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			cur.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r):
			// a combining accent, folded away
		case r == '&':
			flush()
			words = append(words, "and")
		case r == '\'' || r == '\u2019':
			// "N'Vision" is one word
		default:
			flush()
		}
	}
	flush()
	return words
}
