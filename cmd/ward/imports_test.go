package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAnalysisImports keeps the packages that decode, dissect and evaluate
// free of storage, HTTP, subprocesses and the global logger: they get what
// they need passed in.
func TestAnalysisImports(t *testing.T) {
	forbidden := map[string]bool{
		"net/http": true, "database/sql": true, "os/exec": true, "log": true,
	}
	roots := []string{"capture", "decode", "dissect", "observe", "fingerprint", "inventory", "register", "audit", "auth", "demo"}
	for _, root := range roots {
		dir := filepath.Join("..", "..", "internal", root)
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "internal") {
				return filepath.SkipDir // generators may use what they like
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") ||
				strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if forbidden[p] {
					t.Errorf("%s imports %s", path, p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
