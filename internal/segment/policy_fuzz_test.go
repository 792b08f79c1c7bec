package segment

import (
	"errors"
	"testing"
)

// ci-fuzz: 3000x
func FuzzParsePolicy(f *testing.F) {
	for _, bad := range []bool{false, true} {
		for _, file := range policyFiles(f, bad) {
			f.Add(readPolicy(f, file))
		}
	}
	f.Add(templateYAML)
	f.Add([]byte(digestA))
	f.Add([]byte(digestB))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz.yaml")
		if err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 || !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("Parse: got %T %v, want a *PolicyError with problems", err, err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Validate of a parsed policy: %v", err)
		}
		checkRoundTrip(t, p)
	})
}
