package syslog

import "bytes"

// months are the month abbreviations of an RFC 3164 TIMESTAMP.
var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"}

// skipTimestamp skips the timestamp at the start of b and the space after
// it. It accepts the RFC 3164 form "Mmm dd hh:mm:ss", with a year after the
// day or a fraction after the seconds as some senders add them, and an
// RFC 3339 timestamp as some senders use in the BSD format.
func skipTimestamp(b []byte) (rest []byte, ok bool) {
	if isISODate(b) {
		i := bytes.IndexByte(b, ' ')
		if i < 0 {
			return nil, false
		}
		return b[i+1:], true
	}
	if len(b) < 16 || !isMonth(b[:3]) || b[3] != ' ' || b[6] != ' ' ||
		!(isDigit(b[4]) || b[4] == ' ') || !isDigit(b[5]) {
		return nil, false
	}
	i := 7
	if len(b) >= 12 && allDigits(b[7:11]) && b[11] == ' ' { // a year
		i = 12
	}
	if len(b) < i+9 || !isClock(b[i:i+8]) {
		return nil, false
	}
	i += 8
	if b[i] == '.' {
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i >= len(b) || b[i] != ' ' {
		return nil, false
	}
	return b[i+1:], true
}

func isMonth(b []byte) bool {
	for _, m := range months {
		if string(b) == m {
			return true
		}
	}
	return false
}

// isClock reports whether b is "hh:mm:ss".
func isClock(b []byte) bool {
	return len(b) == 8 && allDigits(b[0:2]) && b[2] == ':' && allDigits(b[3:5]) &&
		b[5] == ':' && allDigits(b[6:8])
}

// isISODate reports whether b starts with "yyyy-mm-ddT".
func isISODate(b []byte) bool {
	return len(b) >= 11 && allDigits(b[0:4]) && b[4] == '-' && allDigits(b[5:7]) &&
		b[7] == '-' && allDigits(b[8:10]) && b[10] == 'T'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// originSoftware returns "software swVersion" from the RFC 5424 "origin"
// element (section 7.2) of the structured data at the start of sd, or nil.
// Other elements are skipped unread.
func originSoftware(sd []byte) []byte {
	var sw, ver []byte
	for i := 0; i < len(sd) && sd[i] == '['; {
		k := i + 1
		for k < len(sd) && sd[k] != ' ' && sd[k] != ']' {
			k++
		}
		origin := string(sd[i+1:k]) == "origin"
		for k < len(sd) && sd[k] == ' ' {
			name, v, next, ok := sdParam(sd, k+1)
			if !ok {
				return joinSoftware(sw, ver)
			}
			if origin && string(name) == "software" {
				sw = v
			} else if origin && string(name) == "swVersion" {
				ver = v
			}
			k = next
		}
		if k >= len(sd) || sd[k] != ']' {
			break
		}
		i = k + 1
	}
	return joinSoftware(sw, ver)
}

// sdParam reads the SD-PARAM name="value" at sd[i:]; the value is raw,
// with any backslash escapes left in. next is the index after the closing
// quote.
func sdParam(sd []byte, i int) (name, value []byte, next int, ok bool) {
	eq := bytes.IndexByte(sd[i:], '=')
	if eq < 0 || i+eq+1 >= len(sd) || sd[i+eq+1] != '"' {
		return nil, nil, 0, false
	}
	start := i + eq + 2
	j := start
	for j < len(sd) && sd[j] != '"' {
		if sd[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(sd) {
		return nil, nil, 0, false
	}
	return sd[i : i+eq], sd[start:j], j + 1, true
}

func joinSoftware(sw, ver []byte) []byte {
	if len(sw) == 0 {
		return nil
	}
	out := append(make([]byte, 0, len(sw)+1+len(ver)), sw...)
	if len(ver) > 0 {
		out = append(append(out, ' '), ver...)
	}
	if len(out) > maxHostname {
		out = out[:maxHostname]
	}
	return out
}

// ciscoFacility finds a Cisco mnemonic, %FACILITY-SEVERITY-MNEMONIC:, near
// the start of b (after the PRI) and returns its FACILITY. Only the first
// 128 bytes are searched, where IOS puts it after its sequence number and
// timestamp.
func ciscoFacility(b []byte) []byte {
	if len(b) > 128 {
		b = b[:128]
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '%' || (i > 0 && b[i-1] != ' ' && b[i-1] != ':') {
			continue
		}
		if fac, ok := mnemonic(b[i+1:]); ok {
			return fac
		}
	}
	return nil
}

// mnemonic parses FACILITY-SEVERITY-MNEMONIC: at the start of b.
func mnemonic(b []byte) (facility []byte, ok bool) {
	n := upperRun(b)
	if n == 0 || n > 32 || b[0] < 'A' || b[0] > 'Z' {
		return nil, false
	}
	if len(b) < n+4 || b[n] != '-' || b[n+1] < '0' || b[n+1] > '7' || b[n+2] != '-' {
		return nil, false
	}
	m := upperRun(b[n+3:])
	if m == 0 || n+3+m >= len(b) || b[n+3+m] != ':' {
		return nil, false
	}
	return b[:n], true
}

// upperRun counts the leading upper-case letters, digits and underscores.
func upperRun(b []byte) int {
	n := 0
	for n < len(b) && (b[n] >= 'A' && b[n] <= 'Z' || isDigit(b[n]) || b[n] == '_') {
		n++
	}
	return n
}
