package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/observe"
)

// progressBar draws one line on stderr: how much of the input is read, and
// packets per second. It draws only for inputs worth watching.
type progressBar struct {
	w       io.Writer
	total   int64 // bytes of all named files; 0 when unknown (stdin)
	done_   int64 // bytes of files finished before the current one
	file    string
	lastPos int64
	start   time.Time
	last    time.Time
	drawn   bool
}

// minProgressBytes is the input size below which no bar is drawn.
const minProgressBytes = 64 << 20

func newProgressBar(w io.Writer, mode string, paths []string) *progressBar {
	if mode == "never" || (mode == "auto" && !isTerminal(w)) {
		return nil
	}
	var total int64
	for _, p := range paths {
		if p == "-" {
			total = 0
			break
		}
		if st, err := os.Stat(p); err == nil {
			total += st.Size()
		}
	}
	if mode == "auto" && total < minProgressBytes {
		return nil
	}
	now := time.Now()
	return &progressBar{w: w, total: total, start: now}
}

func (b *progressBar) update(p observe.Progress) {
	if p.File != b.file {
		b.done_ += b.lastPos
		b.file = p.File
	}
	b.lastPos = p.BytesRead
	now := time.Now()
	if now.Sub(b.last) < 200*time.Millisecond {
		return
	}
	b.last = now
	b.draw(p.Packets, now)
}

func (b *progressBar) draw(packets uint64, now time.Time) {
	secs := max(now.Sub(b.start).Seconds(), 1e-3)
	rate := float64(packets) / secs
	read := b.done_ + b.lastPos
	line := fmt.Sprintf("%s read, %d packets, %s packets/s", mib(read), packets, si(rate))
	if b.total > 0 {
		frac := min(float64(read)/float64(b.total), 1)
		const width = 30
		n := int(frac * width)
		line = fmt.Sprintf("[%s%s] %3.0f%% %s", strings.Repeat("=", n),
			strings.Repeat(" ", width-n), frac*100, line)
	}
	fmt.Fprintf(b.w, "\r%s\x1b[K", line)
	b.drawn = true
}

func (b *progressBar) done(res *observe.Result, took time.Duration) {
	if !b.drawn {
		return
	}
	var pk uint64
	if res != nil {
		pk = res.Stats.Packets
	}
	b.lastPos = 0
	if b.total > 0 {
		b.done_ = b.total
	}
	b.draw(pk, b.start.Add(took))
	fmt.Fprintln(b.w)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func si(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
