package advisory

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one thing wrong with a document: where (the file and a JSON
// pointer into it, or a line for CSV) and why.
type Problem struct {
	File   string // the file's path as given, "" for bytes without one
	Path   string // a JSON pointer ("/vulnerabilities/0/scores/1"), or "line 12"
	Reason string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Path != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(p.Path)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Reason)
	return b.String()
}

// ErrInvalid is wrapped by the errors of documents that are not valid:
// malformed JSON, a schema violation, a reference to nothing.
var ErrInvalid = errors.New("invalid document")

// InvalidError is a document refused, with every problem found (at most
// MaxProblems of them).
type InvalidError struct {
	Format   Format
	Problems []Problem
}

// MaxProblems bounds the problems one document reports.
const MaxProblems = 20

func (e *InvalidError) Error() string {
	if len(e.Problems) == 0 {
		return fmt.Sprintf("invalid %s document", e.Format)
	}
	s := fmt.Sprintf("invalid %s document: %s", e.Format, e.Problems[0])
	if n := len(e.Problems) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more)", n)
	}
	return s
}

func (e *InvalidError) Unwrap() error { return ErrInvalid }
