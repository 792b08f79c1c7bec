package fingerprint

import "strings"

// vendorAlias maps organisation names that start with prefix (compared
// case-insensitively, ASCII only, and ending at a word boundary) to a short
// vendor name. When several prefixes match, the longest wins, so a specific
// entry ("siemens healthcare") beats a general one ("siemens"). The same
// table normalises manufacturers that devices state about themselves.
var vendorAlias = []struct{ prefix, vendor string }{
	// Medical.
	{"philips", "Philips"},
	{"koninklijke philips", "Philips"},
	{"n.v. philips", "Philips"},
	{"ge healthcare", "GE Healthcare"},
	{"ge medical", "GE Healthcare"},
	{"general electric", "GE"},
	{"datex", "GE Healthcare"},
	{"ohmeda", "GE Healthcare"},
	{"siemens", "Siemens"},
	{"siemens healthcare", "Siemens Healthineers"},
	{"siemens healthineers", "Siemens Healthineers"},
	{"siemens ag, healthcare", "Siemens Healthineers"},
	{"nokia siemens", "Nokia Siemens Networks"},
	{"draeger", "Draeger"},
	{"dräger", "Draeger"},
	{"drägerwerk", "Draeger"},
	{"b.braun", "B. Braun"},
	{"b. braun", "B. Braun"},
	{"baxter", "Baxter"},
	{"becton", "BD"},
	{"bd", "BD"},
	{"carefusion", "BD"},
	{"alaris medical", "BD"},
	{"mindray", "Mindray"},
	{"shenzhen mindray", "Mindray"},
	{"nihon kohden", "Nihon Kohden"},
	{"spacelabs", "Spacelabs"},
	{"masimo", "Masimo"},
	{"medtronic", "Medtronic"},
	{"fresenius", "Fresenius"},
	{"icu medical", "ICU Medical"},
	{"hospira", "ICU Medical"},
	{"smiths medical", "Smiths Medical"},
	{"hill-rom", "Hillrom"},
	{"hillrom", "Hillrom"},
	{"welch allyn", "Welch Allyn"},
	{"stryker", "Stryker"},
	{"canon medical", "Canon Medical"},
	{"toshiba medical", "Canon Medical"},
	{"fujifilm", "Fujifilm"},
	{"carestream", "Carestream"},
	{"agfa", "Agfa"},
	{"elekta", "Elekta"},
	{"varian", "Varian"},
	{"olympus", "Olympus"},
	{"getinge", "Getinge"},
	{"maquet", "Getinge"},
	{"zoll", "Zoll"},
	{"nonin", "Nonin"},
	{"natus", "Natus"},
	{"criticare", "Criticare"},

	// IT, networking, printing, building systems.
	{"cisco", "Cisco"},
	{"cisco-linksys", "Linksys"},
	{"hewlett packard", "HP"},
	{"hewlett-packard", "HP"},
	{"hp inc", "HP"},
	{"hewlett packard enterprise", "HPE"},
	{"aruba", "Aruba"},
	{"dell", "Dell"},
	{"dell'orto", "Dell'Orto"},
	{"lenovo", "Lenovo"},
	{"apple", "Apple"},
	{"samsung", "Samsung"},
	{"intel corporate", "Intel"},
	{"intel corporation", "Intel"},
	{"intel wireless", "Intel"},
	{"microsoft", "Microsoft"},
	{"vmware", "VMware"},
	{"raspberry pi", "Raspberry Pi"},
	{"zebra technologies", "Zebra"},
	{"honeywell", "Honeywell"},
	{"axis communications", "Axis"},
	{"hangzhou hikvision", "Hikvision"},
	{"zhejiang dahua", "Dahua"},
	{"ubiquiti", "Ubiquiti"},
	{"juniper networks", "Juniper"},
	{"arista", "Arista"},
	{"extreme networks", "Extreme Networks"},
	{"fortinet", "Fortinet"},
	{"palo alto networks", "Palo Alto Networks"},
	{"routerboard", "MikroTik"},
	{"mikrotik", "MikroTik"},
	{"netgear", "Netgear"},
	{"tp-link", "TP-Link"},
	{"d-link", "D-Link"},
	{"huawei", "Huawei"},
	{"brother industries", "Brother"},
	{"canon", "Canon"},
	{"lexmark", "Lexmark"},
	{"xerox", "Xerox"},
	{"fuji xerox", "Fujifilm"},
	{"ricoh", "Ricoh"},
	{"kyocera", "Kyocera"},
	{"konica minolta", "Konica Minolta"},
	{"seiko epson", "Epson"},
	{"toshiba", "Toshiba"},
	{"polycom", "Polycom"},
	{"yealink", "Yealink"},
	{"avaya", "Avaya"},
	{"mitel", "Mitel"},
	{"super micro", "Supermicro"},
	{"synology", "Synology"},
	{"qnap", "QNAP"},
	{"google", "Google"},
	{"amazon", "Amazon"},
	{"sony", "Sony"},
	{"lg electronics", "LG"},
	{"american power conversion", "APC"},
	{"apc", "APC"},
	{"schneider electric", "Schneider Electric"},
	{"johnson controls", "Johnson Controls"},
	{"espressif", "Espressif"},
	{"ibm", "IBM"},
	{"oracle", "Oracle"},
	{"nvidia", "NVIDIA"},
	{"fujitsu", "Fujitsu"},
}

// normaliseVendor returns the short vendor name for an organisation or a
// stated manufacturer, or name itself when no alias applies.
func normaliseVendor(name string) string {
	best, bestLen := name, 0
	for _, a := range vendorAlias {
		if len(a.prefix) > bestLen && hasWordPrefixFold(name, a.prefix) {
			best, bestLen = a.vendor, len(a.prefix)
		}
	}
	return best
}

// hasWordPrefixFold reports whether s starts with the lower-case prefix,
// ignoring ASCII case, and the prefix ends a word in s.
func hasWordPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) || !equalFoldASCII(s[:len(prefix)], prefix) {
		return false
	}
	if len(s) == len(prefix) {
		return true
	}
	return !isAlnum(s[len(prefix)])
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII compares a and b ignoring ASCII case; other bytes must be
// equal.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// indexFoldASCII returns the index of the lower-case needle in s, ignoring
// ASCII case, or -1.
func indexFoldASCII(s, needle string) int {
	n := len(needle)
	if n == 0 {
		return 0
	}
	first := needle[0]
	for i := 0; i+n <= len(s); i++ {
		if lowerASCII(s[i]) == first && equalFoldASCII(s[i:i+n], needle) {
			return i
		}
	}
	return -1
}

// skipVendor reports whether a registry organisation names no real vendor:
// private registrations and the IEEE's own parent blocks.
func skipVendor(org string) bool {
	return org == "" || strings.EqualFold(org, "Private") ||
		strings.EqualFold(org, "IEEE Registration Authority")
}
