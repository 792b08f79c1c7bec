package advisory

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusDir returns the shared advisory corpus
// (/work/shared/corpus/advisories, found from the package directory). When
// it is absent the test is skipped, or fails if WARD_REQUIRE_CORPUS=1.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "advisories")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") == "1" {
			t.Fatalf("corpus required (WARD_REQUIRE_CORPUS=1) but unreadable: %v", err)
		}
		t.Skipf("corpus not found at %s: %v (set WARD_REQUIRE_CORPUS=1 to fail instead)", dir, err)
	}
	return dir
}
