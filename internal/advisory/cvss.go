package advisory

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// maxVectorLen bounds a CVSS vector; the longest valid one (v4.0 with
// every metric) is under 300 bytes.
const maxVectorLen = 512

// ParseCVSS scores a CVSS vector of version "2.0", "3.0", "3.1" or
// "4.0". With version "", the version is taken from the vector's prefix
// ("CVSS:3.1/…"), and a vector without one is taken as v2.0. A version
// that disagrees with the vector's prefix is an error.
//
// Base is the base score (for v4.0, CVSS-B: the score of the vector's
// base metrics alone, whatever threat or environmental metrics follow).
// Severity is the qualitative rating of that score: for v3.x and v4.0
// the standard bands (NONE 0, LOW to 3.9, MEDIUM to 6.9, HIGH to 8.9,
// CRITICAL); for v2.0, which has no rating of its own, NVD's bands (LOW
// below 4, MEDIUM below 7, HIGH otherwise).
func ParseCVSS(version, vector string) (Score, error) {
	s := Score{Vector: vector}
	if len(vector) > maxVectorLen {
		return s, fmt.Errorf("parse cvss vector: %d bytes, over the limit of %d",
			len(vector), maxVectorLen)
	}
	v, err := cvssVersion(version, vector)
	if err != nil {
		return s, err
	}
	s.Version = v
	switch v {
	case "2.0":
		s.Base, err = cvss2Base(vector)
	case "3.0":
		s.Base, err = cvss30Base(vector)
	case "3.1":
		s.Base, err = cvss31Base(vector)
	case "4.0":
		s.Base, err = cvss40Base(vector)
	}
	if err != nil {
		return s, fmt.Errorf("parse cvss %s vector %q: %w", v, clip(vector, 80), err)
	}
	s.Severity = severity(v, s.Base)
	return s, nil
}

// errCVSSVersion is the cause of a version ParseCVSS does not know or
// that disagrees with the vector.
var errCVSSVersion = errors.New("unknown cvss version")

// cvssVersion returns the version of vector: the one given, checked
// against the vector's prefix, or the prefix's.
func cvssVersion(version, vector string) (string, error) {
	prefix := ""
	if rest, ok := strings.CutPrefix(vector, "CVSS:"); ok {
		prefix, _, _ = strings.Cut(rest, "/")
	}
	switch version {
	case "":
		version = prefix
		if version == "" {
			version = "2.0"
		}
	case "2":
		version = "2.0"
	case "3", "4":
		version += ".0"
	}
	switch {
	case version != "2.0" && version != "3.0" && version != "3.1" && version != "4.0":
		return "", fmt.Errorf("parse cvss vector %q: %w %q",
			clip(vector, 80), errCVSSVersion, version)
	case prefix != "" && prefix != version:
		return "", fmt.Errorf("parse cvss %s vector %q: the vector is version %q",
			version, clip(vector, 80), prefix)
	}
	return version, nil
}

// cvss2Base scores a v2.0 vector, which has no prefix of its own;
// "CVSS:2.0/" and enclosing parentheses, which some publishers write,
// are accepted.
func cvss2Base(vector string) (float64, error) {
	vector = strings.TrimPrefix(vector, "CVSS:2.0/")
	if strings.HasPrefix(vector, "(") && strings.HasSuffix(vector, ")") {
		vector = vector[1 : len(vector)-1]
	}
	c, err := gocvss20.ParseVector(vector)
	if err != nil {
		return 0, err
	}
	return c.BaseScore(), nil
}

func cvss30Base(vector string) (float64, error) {
	c, err := gocvss30.ParseVector(vector)
	if err != nil {
		return 0, err
	}
	return c.BaseScore(), nil
}

func cvss31Base(vector string) (float64, error) {
	c, err := gocvss31.ParseVector(vector)
	if err != nil {
		return 0, err
	}
	return c.BaseScore(), nil
}

// cvss40Base validates the whole vector, then scores its base metrics:
// the header and the eleven metrics that, in the order the specification
// fixes, come first.
func cvss40Base(vector string) (float64, error) {
	if _, err := gocvss40.ParseVector(vector); err != nil {
		return 0, err
	}
	parts := strings.SplitN(vector, "/", 13)
	if len(parts) > 12 {
		parts = parts[:12]
	}
	c, err := gocvss40.ParseVector(strings.Join(parts, "/"))
	if err != nil {
		return 0, err
	}
	return c.Score(), nil
}

// severity is the rating of a base score of the given version.
func severity(version string, base float64) string {
	if version == "2.0" {
		switch {
		case base < 4:
			return "LOW"
		case base < 7:
			return "MEDIUM"
		}
		return "HIGH"
	}
	switch {
	case base == 0:
		return "NONE"
	case base < 4:
		return "LOW"
	case base < 7:
		return "MEDIUM"
	case base < 9:
		return "HIGH"
	}
	return "CRITICAL"
}

// String returns the score as "9.8 CRITICAL (CVSS:3.1/AV:N/…)".
func (s Score) String() string {
	return strconv.FormatFloat(s.Base, 'f', 1, 64) + " " + s.Severity + " (" + s.Vector + ")"
}
