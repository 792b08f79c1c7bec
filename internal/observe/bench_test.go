package observe

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/wardhq/ward/internal/capture"
)

// BenchmarkPipeline runs the demo capture, or the file named by
// WARD_BENCH_CAPTURE, through the whole pipeline with one worker (and, in
// the -2 variant, two). The capture is read from memory so that the disk
// is not measured.
func BenchmarkPipeline(b *testing.B) {
	path := demo
	if p := os.Getenv("WARD_BENCH_CAPTURE"); p != "" {
		path = p
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "workers=1", 2: "workers=2"}[workers], func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				rd, err := capture.NewReader(bytes.NewReader(data), path)
				if err != nil {
					b.Fatal(err)
				}
				pl := New(Config{Workers: workers})
				if err := pl.Read(context.Background(), Source{Name: path, Reader: rd}); err != nil {
					b.Fatal(err)
				}
				if _, err := pl.Finish(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
