package fingerprint

import (
	_ "embed"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/fingerprint/internal/ouidata"
)

//go:generate go run ./internal/ouigen -out oui.dat

// ouiData is the IEEE registry (MA-L, MA-M, MA-S and IAB, the Debian
// ieee-data snapshot of 2022-08-27) encoded by ouidata and gzipped.
//
//go:embed oui.dat
var ouiData []byte

// OUI is one block of the IEEE MAC address registry.
type OUI struct {
	Prefix string // lower-case hex, colon separated: "00:1b:63" or "70:b3:d5:12:3"
	Bits   int    // prefix length: 24 (MA-L), 28 (MA-M) or 36 (MA-S, IAB)
	Org    string // the organisation as registered, whitespace trimmed
	Vendor string // a short normalised name ("Cisco"), Org when no alias applies
}

// registry is the decoded table; each of its three tables is sorted by key.
type registry struct {
	tables [3]ouiTable
	err    error
}

// ouiTable holds the blocks of one prefix length. prefixes holds their
// formatted prefixes end to end, width bytes each.
type ouiTable struct {
	bits     int
	width    int
	keys     []uint64
	orgs     []uint32
	prefixes string
	names    []string // organisation names, shared by the three tables
	vendors  *vendorCache
}

// vendorCache holds the normalised vendor of each organisation name,
// worked out the first time a lookup needs it rather than for all 30,000
// names at start-up. Safe for concurrent use: two goroutines may work out
// the same name, and both store the same value.
type vendorCache struct {
	names []string
	norm  []atomic.Pointer[string]
}

func (c *vendorCache) vendor(org uint32) string {
	if v := c.norm[org].Load(); v != nil {
		return *v
	}
	v := normaliseVendor(c.names[org])
	c.norm[org].Store(&v)
	return v
}

var loadRegistry = sync.OnceValue(func() *registry {
	r := &registry{}
	raw, err := ouidata.Decompress(ouiData)
	if err != nil {
		r.err = err
		return r
	}
	t, err := ouidata.Decode(raw)
	if err != nil {
		r.err = err
		return r
	}
	vendors := &vendorCache{names: t.Names, norm: make([]atomic.Pointer[string], len(t.Names))}
	for i, bits := range ouidata.Lengths {
		r.tables[i] = newTable(bits, t.Keys[i], t.Orgs[i], t.Names, vendors)
	}
	return r
})

func newTable(bits int, keys []uint64, orgs []uint32, names []string,
	vendors *vendorCache) ouiTable {
	t := ouiTable{bits: bits, keys: keys, orgs: orgs, names: names, vendors: vendors}
	digits := bits / 4
	t.width = digits + (digits-1)/2 // a colon after every pair of digits
	buf := make([]byte, 0, t.width*len(keys))
	for _, k := range keys {
		buf = appendPrefix(buf, k, digits)
	}
	t.prefixes = string(buf)
	return t
}

func appendPrefix(b []byte, key uint64, digits int) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < digits; i++ {
		if i > 0 && i%2 == 0 {
			b = append(b, ':')
		}
		shift := uint(4 * (digits - 1 - i))
		b = append(b, hex[(key>>shift)&0xf])
	}
	return b
}

// lookup finds the block whose prefix is the leading bits of mac.
func (t *ouiTable) lookup(mac uint64) (OUI, bool) {
	key := mac >> (48 - t.bits)
	i, ok := slices.BinarySearch(t.keys, key)
	if !ok {
		return OUI{}, false
	}
	org := t.orgs[i]
	return OUI{
		Prefix: t.prefixes[i*t.width : (i+1)*t.width],
		Bits:   t.bits,
		Org:    t.names[org],
		Vendor: t.vendors.vendor(org),
	}, true
}

// LookupMAC returns the registry entry with the longest prefix matching mac.
// It reports false for the zero MAC and for addresses in no registered block
// (locally administered and multicast addresses among them). It does not
// allocate; the first call decodes the embedded registry.
func LookupMAC(mac dissect.MAC) (OUI, bool) {
	if mac.IsZero() {
		return OUI{}, false
	}
	r := loadRegistry()
	v := macValue(mac)
	for i := len(r.tables) - 1; i >= 0; i-- {
		if o, ok := r.tables[i].lookup(v); ok {
			return o, true
		}
	}
	return OUI{}, false
}

// registryErr reports why the embedded registry could not be decoded.
func registryErr() error { return loadRegistry().err }

func macValue(m dissect.MAC) uint64 {
	return uint64(m[0])<<40 | uint64(m[1])<<32 | uint64(m[2])<<24 |
		uint64(m[3])<<16 | uint64(m[4])<<8 | uint64(m[5])
}

// LocallyAdministered reports whether the U/L bit (0x02 of the first octet)
// of mac is set: the address is not from the registry. On phones and
// laptops it is usually a randomised (private) address; on virtual machines
// and containers, one their host made up.
func LocallyAdministered(mac dissect.MAC) bool { return mac[0]&0x02 != 0 }

// Multicast reports whether the I/G bit (0x01 of the first octet) of mac is
// set: the address names a group (broadcast included), never one device.
func Multicast(mac dissect.MAC) bool { return mac[0]&0x01 != 0 }
