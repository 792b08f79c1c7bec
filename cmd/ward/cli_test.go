package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelpAndVersion(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "analyze"},
		{[]string{"help", "analyze"}, "-format"},
		{[]string{"analyze", "-h"}, "-flows"},
		{[]string{"version"}, "ward "},
		{[]string{"--version"}, "ward "},
	} {
		stdout, _, err := ward(t, nil, tt.args...)
		if err != nil {
			t.Errorf("ward %v: %v", tt.args, err)
		}
		if !strings.Contains(stdout, tt.want) {
			t.Errorf("ward %v printed %q, want it to contain %q", tt.args, stdout, tt.want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"analyze"},
		{"analyze", "-format", "xml", demoCapture},
		{"analyze", "-log-level", "loud", demoCapture},
		{"analyze", "-no-such-flag", demoCapture},
		{"version", "extra"},
	} {
		_, _, err := ward(t, nil, args...)
		var u *usageError
		if !errors.As(err, &u) {
			t.Errorf("ward %v: got error %v, want a usage error (exit 2)", args, err)
		}
	}
}

// TestDamagedInput checks that a damaged capture keeps what could be read,
// says where the damage is, and fails only when nothing was read.
func TestDamagedInput(t *testing.T) {
	raw, err := os.ReadFile(demoCapture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cut := filepath.Join(dir, "cut.pcapng")
	os.WriteFile(cut, raw[:len(raw)*2/3], 0o600)
	junk := filepath.Join(dir, "junk.pcap")
	os.WriteFile(junk, []byte("this is not a packet capture"), 0o600)

	stdout, stderr, err := ward(t, nil, "analyze", "-format", "csv", cut)
	if err != nil {
		t.Fatalf("a capture cut short failed: %v", err)
	}
	if strings.Count(stdout, "\n") < 3 {
		t.Errorf("a capture cut short gave %q, want the devices read before the cut", stdout)
	}
	if !strings.Contains(stderr, "cut.pcapng") || !strings.Contains(stderr, "at byte") {
		t.Errorf("stderr %q does not name the file and offset of the damage", stderr)
	}

	stdout, _, err = ward(t, nil, "analyze", junk)
	if err == nil || !strings.Contains(err.Error(), "junk.pcap") ||
		!strings.Contains(err.Error(), "unknown capture format") {
		t.Errorf("got error %v, want one naming junk.pcap and its format", err)
	}
	if stdout != "" {
		t.Errorf("nothing was read, yet the output is %q", stdout)
	}

	_, _, err = ward(t, nil, "analyze", dir)
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("got error %v, want one saying the path is a directory", err)
	}

	_, _, err = ward(t, nil, "analyze", filepath.Join(dir, "missing.pcap"))
	if err == nil || !strings.Contains(err.Error(), "missing.pcap") {
		t.Errorf("got error %v, want one naming the missing file", err)
	}

	// One bad file among good ones: the good ones are still reported.
	stdout, _, err = ward(t, nil, "analyze", "-format", "csv", junk, demoCapture)
	if err != nil || strings.Count(stdout, "\n") < 3 {
		t.Errorf("a bad file beside a good one: error %v, output %q", err, stdout)
	}
}

func TestTableFitsWidth(t *testing.T) {
	t.Setenv("COLUMNS", "80")
	stdout, _, err := ward(t, nil, "analyze", demoCapture)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimRight(stdout, "\n"), "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("line of %d columns, want at most 80: %q", n, line)
		}
	}
}
