package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/observe"
)

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	if b := newProgressBar(&buf, "auto", []string{demoCapture}); b != nil {
		t.Error("auto mode drew a bar on a writer that is not a terminal")
	}
	if b := newProgressBar(&buf, "never", []string{demoCapture}); b != nil {
		t.Error("never mode drew a bar")
	}
	b := newProgressBar(&buf, "always", []string{demoCapture})
	if b == nil || b.total == 0 {
		t.Fatalf("always mode: bar %+v, want one with the file's size", b)
	}
	b.start = time.Now().Add(-time.Second)
	b.update(observe.Progress{File: demoCapture, Packets: 741, BytesRead: b.total / 2})
	b.done(&observe.Result{Stats: observe.Stats{Packets: 1482}}, time.Second)
	out := buf.String()
	for _, want := range []string{" 50%", "741 packets", "100%", "1482 packets", "packets/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output %q lacks %q", out, want)
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Error("the bar's last line is not ended")
	}
}
