package decode

import (
	"bufio"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
)

// testFrame is one frame from testdata/frames.txt.
type testFrame struct {
	name string
	lt   LinkType
	data []byte
}

// readFrames loads testdata/frames.txt: one frame a line, "name linktype
// hex"; lines starting with # are comments.
func readFrames(tb testing.TB) []testFrame {
	tb.Helper()
	f, err := os.Open("testdata/frames.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []testFrame
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			tb.Fatalf("frames.txt: bad line %q", line)
		}
		lt, err := strconv.Atoi(fields[1])
		if err != nil {
			tb.Fatalf("frames.txt: %s: link type: %v", fields[0], err)
		}
		data, err := hex.DecodeString(fields[2])
		if err != nil {
			tb.Fatalf("frames.txt: %s: %v", fields[0], err)
		}
		out = append(out, testFrame{fields[0], LinkType(lt), data})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// frameByName returns the named frame of frames, failing the test when it
// is missing.
func frameByName(tb testing.TB, frames []testFrame, name string) testFrame {
	tb.Helper()
	for _, f := range frames {
		if f.name == name {
			return f
		}
	}
	tb.Fatalf("frames.txt: no frame %q", name)
	return testFrame{}
}

// mac parses a colon-separated MAC for test expectations.
func mac(s string) [6]byte {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		panic("bad test MAC " + s)
	}
	return [6]byte(hw)
}

// ip parses an address for test expectations.
func ip(s string) netip.Addr {
	return netip.MustParseAddr(s)
}

// unhex decodes hex test input, ignoring spaces and newlines.
func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// cat joins byte slices into a new one.
func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
