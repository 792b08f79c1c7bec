package hl7

// Unique device identifiers (UDI), in the human readable and AIDC forms of
// the three issuing agencies that the FDA accredits:
//
//	GS1     "(01)00643169001763(17)160712(21)21A11F4855", or the same element
//	        string after a symbology identifier ("]d2") or FNC1 (GS, 0x1D),
//	        with GS ending each variable-length element; or a bare GTIN-14
//	HIBCC   "+H123PARTNO1234567890120/$$420020216LOT123456789012345/S…/16D20130202C":
//	        a primary structure (LIC, product number, unit of measure) and,
//	        after '/', a secondary one, closed by a modulus 43 check character
//	ICCBBA  "=/A9999XYZ100T0944=,000025=A99971312345600=>014032=}013032&,1000000000000XYZ123":
//	        ISBT 128 data structures, each led by a two- or three-character
//	        data identifier

// Issuing agencies, the values of UDI.Issuer.
const (
	IssuerGS1    = "GS1"
	IssuerHIBCC  = "HIBCC"
	IssuerICCBBA = "ICCBBA"
)

// UDI is a parsed unique device identifier. The device identifier names a
// model; the production identifiers (lot, serial, dates) name one item.
// Dates are kept as encoded (GS1 YYMMDD, HIBCC per its date format code,
// ISBT 128 cYYJJJ), not normalised.
type UDI struct {
	Issuer string // IssuerGS1, IssuerHIBCC or IssuerICCBBA

	// DI is the device identifier. GS1: the GTIN-14; HIBCC: the labeler
	// code, product number and unit of measure; ICCBBA: the processor
	// product identification code, or a blood container's code.
	DI string

	Lot          string
	Serial       string
	Expiry       string
	Manufactured string
}

// DeviceIdentifier returns the device identifier in the issuer's own
// notation, without production identifiers: "(01)00643169001763",
// "+H123PARTNO1234567890120" and its check character, "=/A9999XYZ100T0944".
func (u UDI) DeviceIdentifier() string {
	return string(appendDeviceID(nil, u.Issuer, u.DI))
}

// ParseUDI parses s, a UDI in one of the forms above, and reports whether it
// is one: a GS1 UDI needs AI 01 first and a valid GTIN check digit, a HIBCC
// one a valid check character, an ICCBBA one a device identifier.
func ParseUDI(s string) (UDI, bool) {
	p, ok := parseUDI(s)
	if !ok {
		return UDI{}, false
	}
	return UDI{Issuer: p.issuer, DI: p.di, Lot: p.lot, Serial: p.serial,
		Expiry: p.expiry, Manufactured: p.made}, true
}

// bytestring is what the UDI parser reads: a string for ParseUDI, a byte
// slice for the dissector, which must not allocate.
type bytestring interface{ ~string | ~[]byte }

// udiParts is a parsed UDI whose fields alias the input.
type udiParts[T bytestring] struct {
	issuer                        string
	di, lot, serial, expiry, made T
}

func parseUDI[T bytestring](s T) (udiParts[T], bool) {
	if len(s) == 0 || len(s) > maxUDI {
		return udiParts[T]{}, false
	}
	switch s[0] {
	case '+':
		return parseHIBCC(s)
	case '=', '&':
		return parseICCBBA(s)
	}
	return parseGS1(s)
}

// maxUDI is the longest UDI read, in bytes: the longest of the three
// agencies' formats is under 100 characters.
const maxUDI = 200

// appendDeviceID appends the device identifier di of the issuer in its
// issuer's notation, as UDI.DeviceIdentifier describes.
func appendDeviceID[T bytestring](dst []byte, issuer string, di T) []byte {
	switch issuer {
	case IssuerGS1:
		dst = append(dst, "(01)"...)
		return append(dst, di...)
	case IssuerHIBCC:
		dst = append(dst, '+')
		dst = append(dst, di...)
		return append(dst, mod43Char('+', di))
	case IssuerICCBBA:
		if len(di) == lenBloodDI {
			dst = append(dst, "=)"...)
		} else {
			dst = append(dst, "=/"...)
		}
		return append(dst, di...)
	}
	return dst
}

// hasPrefix reports whether s starts with p, without converting s.
func hasPrefix[T bytestring](s T, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := range len(p) {
		if s[i] != p[i] {
			return false
		}
	}
	return true
}

func allDigits[T bytestring](s T) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isUpperAlnum(c byte) bool {
	return ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
}

func allUpperAlnum[T bytestring](s T) bool {
	for i := range len(s) {
		if !isUpperAlnum(s[i]) {
			return false
		}
	}
	return true
}

// --- GS1 ---

const gs = 0x1d // ASCII group separator: FNC1 inside a GS1 element string

// gtinValid reports whether s is 14 digits whose last is the GS1 check
// digit of the others: weights 3 and 1 alternate from the left, the check
// digit brings the sum to a multiple of 10.
func gtinValid[T bytestring](s T) bool {
	if len(s) != 14 || !allDigits(s) {
		return false
	}
	sum := 0
	for i := range 13 {
		d := int(s[i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10-sum%10)%10 == int(s[13]-'0')
}

// aiSpec says how an application identifier is laid out: how many digits
// the AI has, and its data length, fixed (predefined, no FNC1 after it) or
// at most max.
type aiSpec struct {
	digits int
	fixed  int // data length of a predefined-length AI; 0 for variable
	max    int // longest variable-length data
}

// aiSpecs is keyed by the first two digits of an AI (GS1 General
// Specifications, section 3 and the predefined-length table of 7.8.5).
// AIs whose prefix is missing are not read: a string holding one is not
// taken for a UDI.
var aiSpecs = map[string]aiSpec{
	"00": {2, 18, 0}, "01": {2, 14, 0}, "02": {2, 14, 0}, "03": {2, 14, 0},
	"10": {2, 0, 20}, "11": {2, 6, 0}, "12": {2, 6, 0}, "13": {2, 6, 0},
	"15": {2, 6, 0}, "16": {2, 6, 0}, "17": {2, 6, 0}, "20": {2, 2, 0},
	"21": {2, 0, 20}, "22": {2, 0, 20}, "23": {3, 0, 28}, "24": {3, 0, 30},
	"25": {3, 0, 30}, "30": {2, 0, 8}, "31": {4, 6, 0}, "32": {4, 6, 0},
	"33": {4, 6, 0}, "34": {4, 6, 0}, "35": {4, 6, 0}, "36": {4, 6, 0},
	"37": {2, 0, 8}, "39": {4, 0, 18}, "40": {3, 0, 30}, "41": {3, 13, 0},
	"42": {3, 0, 30}, "70": {4, 0, 30}, "71": {3, 0, 20}, "72": {4, 0, 30},
	"80": {4, 0, 30}, "81": {4, 0, 70}, "82": {4, 0, 70}, "90": {2, 0, 30},
	"91": {2, 0, 90}, "92": {2, 0, 90}, "93": {2, 0, 90}, "94": {2, 0, 90},
	"95": {2, 0, 90}, "96": {2, 0, 90}, "97": {2, 0, 90}, "98": {2, 0, 90},
	"99": {2, 0, 90},
}

// lookupAI returns the layout of the AI that starts s.
func lookupAI[T bytestring](s T) (aiSpec, bool) {
	if len(s) < 2 || !allDigits(s[:2]) {
		return aiSpec{}, false
	}
	var key [2]byte
	key[0], key[1] = s[0], s[1]
	spec, ok := aiSpecs[string(key[:])]
	return spec, ok
}

// cset82 reports whether c may appear in GS1 data: GS1 character set 82.
func cset82(c byte) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '"', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
		':', ';', '<', '=', '>', '?', '_':
		return true
	}
	return false
}

// symbologyIDs are the AIDC prefixes a scanner puts before GS1 data.
var symbologyIDs = []string{"]C1", "]d2", "]e0", "]Q3", "]J1"}

func parseGS1[T bytestring](s T) (udiParts[T], bool) {
	switch {
	case s[0] == '(':
		return parseGS1Elements(s, true)
	case s[0] == gs:
		return parseGS1Elements(s[1:], false)
	case s[0] == ']':
		for _, id := range symbologyIDs {
			if hasPrefix(s, id) {
				s = s[len(id):]
				if len(s) > 0 && s[0] == gs {
					s = s[1:]
				}
				return parseGS1Elements(s, false)
			}
		}
		return udiParts[T]{}, false
	case len(s) == 14:
		// A DI alone, as PRT-16 carries it.
		if !gtinValid(s) {
			return udiParts[T]{}, false
		}
		return udiParts[T]{issuer: IssuerGS1, di: s}, true
	case len(s) >= 16 && hasPrefix(s, "01"):
		return parseGS1Elements(s, false)
	}
	return udiParts[T]{}, false
}

// parseGS1Elements reads GS1 element strings: "(AI)data…" when paren is
// set, else AI and data run together with GS after variable-length data.
// The first AI must be 01.
func parseGS1Elements[T bytestring](s T, paren bool) (udiParts[T], bool) {
	u := udiParts[T]{issuer: IssuerGS1}
	for first := true; len(s) > 0; first = false {
		ai, data, rest, ok := nextElement(s, paren)
		if !ok || (first && !hasPrefix(ai, "01")) {
			return udiParts[T]{}, false
		}
		if !elementValid(ai, data) {
			return udiParts[T]{}, false
		}
		switch {
		case hasPrefix(ai, "01"):
			u.di = data
		case hasPrefix(ai, "10"):
			u.lot = data
		case hasPrefix(ai, "11"):
			u.made = data
		case hasPrefix(ai, "17"):
			u.expiry = data
		case hasPrefix(ai, "21"):
			u.serial = data
		}
		s = rest
	}
	return u, len(u.di) > 0
}

// nextElement splits the first element string off s.
func nextElement[T bytestring](s T, paren bool) (ai, data, rest T, ok bool) {
	if paren {
		if s[0] != '(' {
			return ai, data, rest, false
		}
		s = s[1:]
	}
	spec, ok := lookupAI(s)
	if !ok || len(s) < spec.digits || !allDigits(s[:spec.digits]) {
		return ai, data, rest, false
	}
	ai, s = s[:spec.digits], s[spec.digits:]
	if paren {
		if len(s) == 0 || s[0] != ')' {
			return ai, data, rest, false
		}
		s = s[1:]
	}
	var end int
	if spec.fixed > 0 {
		end = spec.fixed
		if len(s) < end {
			return ai, data, rest, false
		}
	} else {
		end = elementEnd(s, paren)
		if end > spec.max {
			return ai, data, rest, false
		}
	}
	data, rest = s[:end], s[end:]
	if paren && len(rest) > 0 && rest[0] != '(' {
		return ai, data, rest, false
	}
	if !paren && len(rest) > 0 && rest[0] == gs {
		rest = rest[1:]
	}
	return ai, data, rest, true
}

// elementEnd returns the length of variable-length data at the start of s:
// up to GS, or in the parenthesised form up to the next "(AI)".
func elementEnd[T bytestring](s T, paren bool) int {
	for i := range len(s) {
		if !paren && s[i] == gs {
			return i
		}
		if paren && s[i] == '(' && isAIOpen(s[i+1:]) {
			return i
		}
	}
	return len(s)
}

// isAIOpen reports whether s starts with 2 to 4 digits and ')'.
func isAIOpen[T bytestring](s T) bool {
	for i := range min(len(s), 5) {
		if s[i] == ')' {
			return i >= 2
		}
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return false
}

// elementValid checks the data of the AIs that a UDI uses.
func elementValid[T bytestring](ai, data T) bool {
	if len(data) == 0 {
		return false
	}
	switch {
	case hasPrefix(ai, "01"):
		return gtinValid(data)
	case hasPrefix(ai, "11"), hasPrefix(ai, "17"):
		return allDigits(data)
	}
	for i := range len(data) {
		if !cset82(data[i]) {
			return false
		}
	}
	return true
}

// --- HIBCC ---

// mod43Chars is the HIBCC check character set; a character's value is its
// index.
const mod43Chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"

func mod43Value(c byte) int {
	for i := range len(mod43Chars) {
		if mod43Chars[i] == c {
			return i
		}
	}
	return -1
}

// mod43Char returns the check character of lead followed by s; lead is 0
// for none. Characters outside the set count as 0: callers check them.
func mod43Char[T bytestring](lead byte, s T) byte {
	sum := 0
	if lead != 0 {
		sum = mod43Value(lead)
	}
	for i := range len(s) {
		sum += max(mod43Value(s[i]), 0)
	}
	return mod43Chars[sum%43]
}

// parseHIBCC reads a HIBC LIC primary structure, alone or concatenated with
// a secondary one: "+LICpcnU" then "/secondary", then the check character
// over everything before it.
func parseHIBCC[T bytestring](s T) (udiParts[T], bool) {
	if len(s) < 8 {
		return udiParts[T]{}, false
	}
	body, check := s[:len(s)-1], s[len(s)-1]
	for i := range len(body) {
		if mod43Value(body[i]) < 0 {
			return udiParts[T]{}, false
		}
	}
	if mod43Char(0, body) != check {
		return udiParts[T]{}, false
	}
	primary, secondary := body[1:], body[:0]
	for i := range len(primary) {
		if primary[i] == '/' {
			primary, secondary = body[1:i+1], body[i+2:]
			break
		}
	}
	// Labeler code: a letter and 3 alphanumerics; product number 1 to 18
	// alphanumerics; unit of measure: a digit.
	n := len(primary)
	if n < 6 || n > 23 || !allUpperAlnum(primary) || primary[0] < 'A' || primary[0] > 'Z' ||
		primary[n-1] < '0' || primary[n-1] > '9' {
		return udiParts[T]{}, false
	}
	u := udiParts[T]{issuer: IssuerHIBCC, di: primary}
	if len(secondary) > 0 && !hibccSecondary(&u, secondary) {
		return udiParts[T]{}, false
	}
	return u, true
}

// hibccSecondary reads the secondary structure of a concatenated HIBC
// string: the quantity, date and lot or serial part, then supplemental
// parts after '/' ("S" serial, "16D" manufacture date, "14D" expiry date).
func hibccSecondary[T bytestring](u *udiParts[T], s T) bool {
	first, rest := cutByte(s, '/')
	if !hibccMain(u, first) {
		return false
	}
	for len(rest) > 0 {
		var part T
		part, rest = cutByte(rest, '/')
		switch {
		case hasPrefix(part, "S"):
			u.serial = part[1:]
		case hasPrefix(part, "16D") && len(part) == 11 && allDigits(part[3:]):
			u.made = part[3:]
		case hasPrefix(part, "14D") && len(part) == 11 && allDigits(part[3:]):
			u.expiry = part[3:]
		}
	}
	return true
}

// hibccMain reads "$lot", "$+serial", "$$[+]" with a date format code,
// date and lot (or serial), or a 5-digit Julian date and lot.
func hibccMain[T bytestring](u *udiParts[T], s T) bool {
	switch {
	case len(s) == 0:
		return true
	case hasPrefix(s, "$$+"):
		date, serial, ok := hibccDate(s[3:])
		u.expiry, u.serial = date, serial
		return ok
	case hasPrefix(s, "$$"):
		date, lot, ok := hibccDate(s[2:])
		u.expiry, u.lot = date, lot
		return ok
	case hasPrefix(s, "$+"):
		u.serial = s[2:]
		return true
	case hasPrefix(s, "$"):
		u.lot = s[1:]
		return true
	case len(s) >= 5 && allDigits(s[:5]):
		u.expiry, u.lot = s[:5], s[5:]
		return true
	}
	return false
}

// hibccDate splits what follows "$$" (or "$$+"): an optional quantity (code
// 8: two digits, 9: five), then a date whose format the next character
// gives, then the lot or serial number.
func hibccDate[T bytestring](s T) (date, rest T, ok bool) {
	if len(s) == 0 {
		return date, rest, false
	}
	switch s[0] {
	case '8', '9':
		n := 2
		if s[0] == '9' {
			n = 5
		}
		if len(s) < 1+n+1 || !allDigits(s[1:1+n]) {
			return date, rest, false
		}
		s = s[1+n:]
	}
	var skip, n int
	switch s[0] {
	case '0', '1':
		skip, n = 0, 4 // MMYY, the code is the month's first digit
	case '2', '3':
		skip, n = 1, 6 // MMDDYY, YYMMDD
	case '4':
		skip, n = 1, 8 // YYMMDDHH
	case '5':
		skip, n = 1, 5 // YYJJJ
	case '6':
		skip, n = 1, 7 // YYJJJHH
	case '7':
		return s[:0], s[1:], true // no date
	default:
		return date, rest, false
	}
	if len(s) < skip+n || !allDigits(s[skip:skip+n]) {
		return date, rest, false
	}
	return s[skip : skip+n], s[skip+n:], true
}

// cutByte splits s at its first c.
func cutByte[T bytestring](s T, c byte) (before, after T) {
	for i := range len(s) {
		if s[i] == c {
			return s[:i], s[i+1:]
		}
	}
	return s, s[len(s):]
}

// --- ICCBBA ---

const (
	lenPPIC    = 16 // processor product identification code, data structure 034
	lenBloodDI = 10 // blood container manufacturer and catalogue code
)

// iccbbaStructs are the ISBT 128 data structures a medical device UDI uses:
// data identifier, data length, and where the data goes (0 for nowhere).
var iccbbaStructs = []struct {
	id    string
	n     int
	field byte // 'd' device identifier, 'l' lot, 's' serial, 'e' expiry, 'm' manufactured
}{
	{"=/", lenPPIC, 'd'},    // processor product identification code
	{"=)", lenBloodDI, 'd'}, // blood container code
	{"&)", 10, 'l'},         // blood container lot
	{"=,", 6, 's'},          // product divisions (serial)
	{"=>", 6, 'e'},          // expiration date, cYYJJJ
	{"&>", 10, 'e'},         // expiration date and time
	{"=}", 6, 'm'},          // production date, cYYJJJ
	{"&}", 10, 'm'},         // production date and time
	{"&,1", 18, 'l'},        // MPHO lot number
	{"=+", 5, 0},            // compound message header
}

// parseICCBBA reads ISBT 128 data structures one after another. The
// donation identification number ("=" and an alphanumeric) is skipped, never
// kept: it names a donation, and so a donor.
func parseICCBBA[T bytestring](s T) (udiParts[T], bool) {
	u := udiParts[T]{issuer: IssuerICCBBA}
	for len(s) > 0 {
		n, ok := iccbbaStruct(&u, s)
		if !ok {
			return udiParts[T]{}, false
		}
		s = s[n:]
	}
	return u, len(u.di) > 0
}

// iccbbaStruct reads the data structure at the start of s into u and
// returns its length.
func iccbbaStruct[T bytestring](u *udiParts[T], s T) (int, bool) {
	for _, ds := range iccbbaStructs {
		if !hasPrefix(s, ds.id) {
			continue
		}
		end := len(ds.id) + ds.n
		if len(s) < end || !allUpperAlnum(s[len(ds.id):end]) {
			return 0, false
		}
		data := s[len(ds.id):end]
		switch ds.field {
		case 'd':
			u.di = data
		case 'l':
			u.lot = data
		case 's':
			u.serial = data
		case 'e':
			u.expiry = data
		case 'm':
			u.made = data
		}
		return end, true
	}
	const lenDIN = 15 // "=", then the donation identification number and its flags
	if len(s) >= 1+lenDIN && s[0] == '=' && allUpperAlnum(s[1:1+lenDIN]) {
		return 1 + lenDIN, true
	}
	return 0, false
}
