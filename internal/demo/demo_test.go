package demo

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/capture"
	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/hl7"
	"github.com/wardhq/ward/internal/fingerprint"
)

// write returns the capture for o, failing the test on an error.
func write(t testing.TB, o Options) ([]byte, []Device) {
	t.Helper()
	var buf bytes.Buffer
	plan, err := Write(&buf, o)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes(), plan
}

// addrs compares addresses, whose fields go-cmp cannot see.
var addrs = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func TestDeterministic(t *testing.T) {
	a, planA := write(t, Options{Seed: 7})
	b, planB := write(t, Options{Seed: 7})
	if !bytes.Equal(a, b) {
		t.Errorf("two captures of seed 7 differ (%d and %d bytes)", len(a), len(b))
	}
	if diff := cmp.Diff(planA, planB, addrs); diff != "" {
		t.Errorf("plans of seed 7 differ (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(Plan(Options{Seed: 7}), planA, addrs); diff != "" {
		t.Errorf("Plan and Write disagree (-Plan +Write):\n%s", diff)
	}
	if cmp.Equal(Plan(Options{Seed: 7}), Plan(Options{Seed: 8}), addrs) {
		t.Error("seeds 7 and 8 give the same plan")
	}
	c, _ := write(t, Options{Seed: 8})
	if bytes.Equal(a, c) {
		t.Error("seeds 7 and 8 give the same capture")
	}
}

func TestPlan(t *testing.T) {
	plan := Plan(Options{Seed: 1})
	if n := len(plan); n < 250 || n > 350 {
		t.Errorf("got %d devices, want about 300", n)
	}
	pack, err := fingerprint.Rules()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range pack.Categories() {
		known[string(c)] = true
	}
	macs, ips := map[[6]byte]string{}, map[netip.Addr]string{}
	for _, d := range plan {
		if !known[d.Kind] {
			t.Errorf("%s: kind %q is no category of the rule pack", d.Name, d.Kind)
		}
		if o, ok := fingerprint.LookupMAC(dissect.MAC(d.MAC)); !ok {
			t.Errorf("%s: MAC %x is in no registry block", d.Name, d.MAC)
		} else if o.Bits != 24 {
			t.Errorf("%s: MAC %x is in a %d-bit block, want an MA-L", d.Name, d.MAC, o.Bits)
		}
		if other, dup := macs[d.MAC]; dup {
			t.Errorf("%s and %s share MAC %x", d.Name, other, d.MAC)
		}
		if other, dup := ips[d.IP]; dup {
			t.Errorf("%s and %s share address %s", d.Name, other, d.IP)
		}
		macs[d.MAC], ips[d.IP] = d.Name, d.Name
		if d.Name == "" || d.Site == "" || d.Ward == "" || d.Model == "" || d.Serial == "" {
			t.Errorf("device %+v lacks a field", d)
		}
		if !netip.MustParsePrefix("10.0.0.0/8").Contains(d.IP) {
			t.Errorf("%s: address %s is not in 10.0.0.0/8", d.Name, d.IP)
		}
	}
}

func TestUDI(t *testing.T) {
	tr := newTrust(1)
	n := 0
	for _, h := range tr.hosts {
		if h.gtin == "" {
			continue
		}
		n++
		u, ok := hl7.ParseUDI(udi(h))
		if !ok {
			t.Fatalf("%s: %q is not a valid UDI", h.Name, udi(h))
		}
		if u.Issuer != hl7.IssuerGS1 || u.DI != h.gtin || u.Serial != h.Serial {
			t.Errorf("%s: UDI %q parses as %+v", h.Name, udi(h), u)
		}
		if h.gtin[1:4] != "952" {
			t.Errorf("%s: GTIN %s is outside GS1's 952 prefix for examples", h.Name, h.gtin)
		}
	}
	if n == 0 {
		t.Error("no device has a UDI")
	}
}

func TestGS1Check(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"400638133393", "1"},  // the GTIN-13 4006381333931, a common worked example
		{"0064316900176", "3"}, // the UDI (01)00643169001763 of Ward's HL7 tests
		{"0952000000000", "4"}, // 3*(0+5+0...)+(9+2) = 26
		{"9999999999999", "7"}, // 3*63+54 = 243
	} {
		if got := gs1Check(tc.body); got != tc.want {
			t.Errorf("gs1Check(%s) = %s, want %s", tc.body, got, tc.want)
		}
	}
}

func TestCaptureReadable(t *testing.T) {
	data, _ := write(t, Options{Seed: 3, Duration: 10 * time.Minute})
	r, err := capture.NewReader(bytes.NewReader(data), "demo")
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	defer r.Close()
	if got := r.Format(); got != "pcap" {
		t.Errorf("format %q, want pcap", got)
	}
	var p capture.Packet
	var last time.Time
	n := 0
	for {
		err := r.Next(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("packet %d: %v", n, err)
		}
		if p.Time.Before(last) {
			t.Fatalf("packet %d at %v is before the one before it (%v)", n, p.Time, last)
		}
		if p.Time.Before(DefaultStart) || !p.Time.Before(DefaultStart.Add(10*time.Minute)) {
			t.Fatalf("packet %d at %v is outside the capture", n, p.Time)
		}
		if len(p.Data) < 60 || p.OrigLen != len(p.Data) {
			t.Fatalf("packet %d: %d bytes captured of %d", n, len(p.Data), p.OrigLen)
		}
		last = p.Time
		n++
	}
	if n < 1000 {
		t.Errorf("got %d packets in ten minutes, want more than 1000", n)
	}
}

// TestChecksums checks the IPv4, UDP and TCP checksums of every frame:
// summed with their headers they must fold to 0xffff.
func TestChecksums(t *testing.T) {
	data, _ := write(t, Options{Seed: 4, Duration: 5 * time.Minute})
	r, err := capture.NewReader(bytes.NewReader(data), "demo")
	if err != nil {
		t.Fatal(err)
	}
	var p capture.Packet
	for n := 0; r.Next(&p) == nil; n++ {
		b := p.Data[12:]
		if b[0] == 0x81 && b[1] == 0 {
			b = b[4:] // 802.1Q
		}
		if b[0] != 0x08 || b[1] != 0 {
			continue
		}
		ip := b[2:]
		if got := fold(sum(0, ip[:20])); got != 0xffff {
			t.Fatalf("frame %d: IPv4 header sums to %#04x", n, got)
		}
		total := int(ip[2])<<8 | int(ip[3])
		seg := ip[20:total]
		src, _ := netip.AddrFromSlice(ip[12:16])
		dst, _ := netip.AddrFromSlice(ip[16:20])
		if got := fold(sum(pseudoSum(src, dst, ip[9], len(seg)), seg)); got != 0xffff {
			t.Fatalf("frame %d: protocol %d checksum sums to %#04x", n, ip[9], got)
		}
	}
}

// pidSegment is the only patient identification segment the capture may
// carry.
var pidSegment = regexp.MustCompile(`^PID\|1\|\|DEMO\d{6}\^\^\^WVT\^MR\|\|DEMO\^PATIENT$`)

// TestNoPatientData checks that every HL7 PID segment in the capture names
// the demo patient, and nothing else.
func TestNoPatientData(t *testing.T) {
	data, _ := write(t, Options{Seed: 5, Duration: 20 * time.Minute})
	n := 0
	for _, seg := range regexp.MustCompile(`PID\|[^\r]*`).FindAll(data, -1) {
		n++
		if !pidSegment.Match(seg) {
			t.Errorf("patient segment %q", seg)
		}
	}
	if n == 0 {
		t.Error("no PID segment in the capture")
	}
}

// TestCDPChecksum checks that a PDU summed with its checksum, the way
// Cisco sums it, cancels out, for even and odd lengths; tshark accepts the
// checksums of the capture (see SOURCE.md).
func TestCDPChecksum(t *testing.T) {
	for _, tc := range []struct {
		name string
		pdu  []byte
	}{
		{"even", []byte{2, 180, 0, 0, 0, 1, 0, 6, 'A', 'B'}},
		{"odd, low byte", []byte{2, 180, 0, 0, 0, 1, 0, 5, 'A'}},
		{"odd, high byte", []byte{2, 180, 0, 0, 0, 1, 0, 5, 0x9a}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte(nil), tc.pdu...)
			c := cdpChecksum(b)
			b[2], b[3] = byte(c>>8), byte(c)
			if got := cdpChecksum(b); got != 0 {
				t.Errorf("checksum of the finished PDU is %#04x, want 0", got)
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	b.ReportAllocs()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if _, err := Write(&buf, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
}
