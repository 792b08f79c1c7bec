package decode

import "testing"

// TestDecodeAllocs checks that Decode allocates nothing, for
// every real frame and every error path.
func TestDecodeAllocs(t *testing.T) {
	frames := readFrames(t)
	var p Packet
	for _, f := range frames {
		allocs := testing.AllocsPerRun(100, func() {
			_ = p.Decode(f.lt, f.data)
			_ = p.Decode(f.lt, f.data[:len(f.data)/2])
		})
		if allocs != 0 {
			t.Errorf("%s: got %v allocations per run, want 0", f.name, allocs)
		}
	}
}

// BenchmarkDecode measures one Ethernet/IPv4/TCP frame (an HTTP request
// segment) and a round-robin mix of every frame in testdata.
func BenchmarkDecode(b *testing.B) {
	frames := readFrames(b)
	b.Run("eth_ipv4_tcp", func(b *testing.B) {
		f := frameByName(b, frames, "eth_ipv4_tcp_http")
		var p Packet
		b.ReportAllocs()
		b.SetBytes(int64(len(f.data)))
		for b.Loop() {
			if err := p.Decode(f.lt, f.data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mix", func(b *testing.B) {
		var p Packet
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			f := &frames[i]
			_ = p.Decode(f.lt, f.data)
			if i++; i == len(frames) {
				i = 0
			}
		}
	})
}
