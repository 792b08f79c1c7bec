package web

import (
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser tests need Debian's chromium (apt-get install chromium); .ci/run installs it")
	return ""
}

var _ = chromedp.Flag
