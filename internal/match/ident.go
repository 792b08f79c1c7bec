package match

import (
	"net/url"
	"strings"
)

// cpeFields splits a CPE name into its fields: CPE 2.3 formatted strings
// ("cpe:2.3:o:philips:intellibridge_ec40_firmware:*:…", with "\:" an
// escaped colon) and CPE 2.2 URIs ("cpe:/o:philips:intellibridge:1.0").
// It returns part, vendor, product and version, lower case, or false.
func cpeFields(s string) (part, vendor, prod, version string, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	var rest string
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"):
		rest = s[len("cpe:2.3:"):]
	case strings.HasPrefix(s, "cpe:/"):
		rest = s[len("cpe:/"):]
	default:
		return "", "", "", "", false
	}
	f := splitCPE(rest)
	if len(f) < 3 || f[1] == "" || f[2] == "" || f[1] == "*" || f[2] == "*" {
		return "", "", "", "", false
	}
	if len(f) > 3 {
		version = f[3]
	}
	if version == "*" || version == "-" {
		version = ""
	}
	return f[0], f[1], f[2], version, true
}

// splitCPE splits at colons not escaped by a backslash, unescaping.
func splitCPE(s string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case s[i] == ':':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(out, cur.String())
}

// cpeKey is "vendor:product" of a CPE name, or "".
func cpeKey(s string) string {
	_, v, p, _, ok := cpeFields(s)
	if !ok {
		return ""
	}
	return v + ":" + p
}

// cpeVersion is the version of a CPE name, "" for any.
func cpeVersion(s string) string {
	_, _, _, v, _ := cpeFields(s)
	return v
}

// purlParts splits a package URL ("pkg:type/namespace/name@version?q#p")
// into its name without version (lower case) and its version.
func purlParts(s string) (string, string, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(strings.ToLower(s), "pkg:") {
		return "", "", false
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	name, version := s, ""
	if i := strings.LastIndexByte(s, '@'); i > strings.LastIndexByte(s, '/') {
		name, version = s[:i], s[i+1:]
	}
	if v, err := url.PathUnescape(version); err == nil {
		version = v
	}
	if n, err := url.PathUnescape(name); err == nil {
		name = n
	}
	name = strings.ToLower(strings.TrimRight(name, "/"))
	if strings.Count(name, "/") < 1 {
		return "", "", false
	}
	return name, version, true
}

// purlKeys are the package URLs without their versions.
func purlKeys(us []string) []string {
	var out []string
	for _, u := range us {
		if k, _, ok := purlParts(u); ok {
			out = append(out, k)
		}
	}
	return out
}

// purlVersion is the version of a package URL, "" if it has none.
func purlVersion(u string) string {
	_, v, _ := purlParts(u)
	return v
}
