package advisory

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The CSAF 2.0 schema and the FIRST CVSS schemas it refers to, copied
// unchanged from the OASIS CSAF TC's repository (csaf_2.0/json_schema and
// csaf_2.0/referenced_schema; schema/README.md gives the commit).
//
//go:embed schema/*.json
var schemaFS embed.FS

// csafSchemaURL is the $id of the CSAF 2.0 schema.
const csafSchemaURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"

// schemaFiles maps each URL the CSAF schema uses (its own $id and the
// targets of its $refs) to the embedded file served for it.
var schemaFiles = map[string]string{
	csafSchemaURL: "schema/csaf_json_schema.json",
	"https://www.first.org/cvss/cvss-v2.0.json": "schema/cvss-v2.0.json",
	"https://www.first.org/cvss/cvss-v3.0.json": "schema/cvss-v3.0.json",
	"https://www.first.org/cvss/cvss-v3.1.json": "schema/cvss-v3.1.json",
}

// csafSchema is the compiled CSAF 2.0 schema, compiled on first use.
// A compiled schema is read-only, so validations may run concurrently.
var csafSchema = sync.OnceValues(compileCSAFSchema)

// compileCSAFSchema compiles the embedded schemas. Formats (date-time,
// uri) are asserted, as the CSAF specification requires.
func compileCSAFSchema() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(embeddedOnly{})
	for url, name := range schemaFiles {
		raw, err := schemaFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read embedded schema %s: %w", name, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("decode embedded schema %s: %w", name, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("add schema %s: %w", url, err)
		}
	}
	sch, err := c.Compile(csafSchemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile csaf schema: %w", err)
	}
	return sch, nil
}

// embeddedOnly refuses to fetch any schema that is not embedded: the
// validation never reaches the network or the file system.
type embeddedOnly struct{}

// Load refuses url, which is not among the embedded schemas.
func (embeddedOnly) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded", url)
}

// maxReasonLen bounds a schema message, which may quote the offending
// value or a long pattern (the CPE pattern alone is 700 characters).
const maxReasonLen = 300

var schemaPrinter = message.NewPrinter(language.English)

// validateCSAF checks doc, as decodeJSON returns it, against the CSAF
// 2.0 schema and returns at most MaxProblems problems. The error is for
// a schema that does not compile, never for the document.
func validateCSAF(doc any) (probs []Problem, err error) {
	sch, err := csafSchema()
	if err != nil {
		return nil, err
	}
	// The validator is third-party code run on untrusted input; should it
	// panic on some document (v6.0.3 did on json.Number exponents, which
	// decodeJSON now keeps from it), the document is refused, not Ward.
	defer func() {
		if r := recover(); r != nil {
			reason := clip(fmt.Sprintf("the schema validator failed on the document: %v", r), maxReasonLen)
			probs, err = []Problem{{Reason: reason}}, nil
		}
	}()
	err = sch.Validate(doc)
	if err == nil {
		return nil, nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return nil, fmt.Errorf("validate csaf document: %w", err)
	}
	schemaLeaves(ve, &probs)
	return probs, nil
}

// schemaLeaves appends the innermost causes of e, the ones that name a
// keyword that failed rather than a group of them. Of the alternatives
// of an anyOf or oneOf, only those that failed least are followed: a
// CVSS 3.1 object is not also told it fails to be a CVSS 3.0 one.
func schemaLeaves(e *jsonschema.ValidationError, probs *[]Problem) {
	if len(*probs) >= MaxProblems {
		return
	}
	if len(e.Causes) == 0 {
		*probs = append(*probs, Problem{
			Path:   pointer(e.InstanceLocation),
			Reason: clip(e.ErrorKind.LocalizedString(schemaPrinter), maxReasonLen),
		})
		return
	}
	causes := e.Causes
	switch e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		causes = closestAlternatives(causes)
	}
	for _, c := range causes {
		schemaLeaves(c, probs)
	}
}

// closestAlternatives returns the causes with the fewest leaves.
func closestAlternatives(causes []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	counts := make([]int, len(causes))
	least := -1
	for i, c := range causes {
		counts[i] = countLeaves(c)
		if least < 0 || counts[i] < least {
			least = counts[i]
		}
	}
	var out []*jsonschema.ValidationError
	for i, c := range causes {
		if counts[i] == least {
			out = append(out, c)
		}
	}
	return out
}

func countLeaves(e *jsonschema.ValidationError) int {
	if len(e.Causes) == 0 {
		return 1
	}
	n := 0
	for _, c := range e.Causes {
		n += countLeaves(c)
	}
	return n
}

// pointer returns the JSON pointer (RFC 6901) of the given tokens; the
// document itself is "".
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

// clip shortens s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
