package store

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/inventory"
)

// Text the store keeps must be valid UTF-8 without NUL bytes: PostgreSQL
// refuses both in text columns, and rather than keep different things on
// the two backends, or bytes the other one could not hold, the store
// refuses them on both, before it writes anything. Everything else (quotes,
// SQL, markup, any Unicode) is kept as written: all values travel as query
// parameters, never in the SQL.

// invalidf returns an ErrInvalid error saying what was wrong.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// badText says what is wrong with s as stored text, or "" if nothing.
func badText(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "holds a NUL byte"
	}
	return ""
}

// checkText returns an ErrInvalid error naming what for the first of
// fields (name, value pairs) that is bad text.
func checkText(what string, fields ...string) error {
	if name, r := badField(fields...); r != "" {
		return invalidf("%s: %s %s", what, name, r)
	}
	return nil
}

// badField returns the name of the first of fields (name, value pairs)
// that is bad text and what is wrong with it, or "", "".
func badField(fields ...string) (name, reason string) {
	for i := 0; i+1 < len(fields); i += 2 {
		if r := badText(fields[i+1]); r != "" {
			return fields[i], r
		}
	}
	return "", ""
}

// badTime says what is wrong with t as a stored time (unix nanoseconds fit
// the years 1678 to 2261), or "" if nothing.
func badTime(ts ...time.Time) string {
	for _, t := range ts {
		if !t.IsZero() && (t.Year() < 1678 || t.Year() > 2261) {
			return fmt.Sprintf("time %s is out of range", t.Format(time.RFC3339))
		}
	}
	return ""
}

// validateInput checks in and f before a merge writes anything.
func validateInput(in *Input, f File) error {
	if !isSHA256(f.SHA256) {
		return invalidf("file sha256 %.80q is not 64 lower-case hex digits", f.SHA256)
	}
	if err := checkText("file", "name", f.Name); err != nil {
		return err
	}
	if in == nil {
		return invalidf("no input")
	}
	ids := make(map[string]bool, len(in.Devices))
	for i, d := range in.Devices {
		if d == nil || d.ID == "" {
			return invalidf("device %d has no id", i)
		}
		if err := validateDevice(d); err != nil {
			return err
		}
		ids[d.ID] = true
	}
	for _, l := range in.Links {
		what := fmt.Sprintf("link %q to %q", l.From, l.To)
		err := checkText(what, "source", l.Source, "key", l.Key, "value", l.Value,
			"from", l.From, "to", l.To)
		if err != nil {
			return err
		}
		if !ids[l.From] {
			return invalidf("%s: from is no device of the input", what)
		}
		if r := badTime(l.FirstSeen, l.LastSeen); r != "" {
			return invalidf("%s: %s", what, r)
		}
	}
	for _, fl := range in.Flows {
		if err := validateFlow(&fl, ids); err != nil {
			return err
		}
	}
	return nil
}

func validateDevice(d *inventory.Device) error {
	what := fmt.Sprintf("device %q", d.ID)
	err := checkText(what, "id", d.ID, "mac", d.MACString, "vendor", d.Vendor, "model", d.Model,
		"category", d.Category, "criticality", d.Criticality, "os", d.OS,
		"software", d.Software)
	if err != nil {
		return err
	}
	if r := badTime(d.FirstSeen, d.LastSeen); r != "" {
		return invalidf("%s: %s", what, r)
	}
	for _, n := range d.Names {
		if err := checkText(what, "name", n); err != nil {
			return err
		}
	}
	if d.OUI != nil {
		if err := checkText(what, "oui", d.OUI.Prefix+d.OUI.Organisation); err != nil {
			return err
		}
	}
	if err := validateIdentification(what, &d.Identification); err != nil {
		return err
	}
	if err := validateAddresses(what, d); err != nil {
		return err
	}
	for i := range d.Attributes {
		if err := validateAttribute(what, &d.Attributes[i]); err != nil {
			return err
		}
	}
	for _, f := range d.Findings {
		if err := checkText(what+" finding", "kind", f.Kind, "protocol", f.Protocol); err != nil {
			return err
		}
	}
	return nil
}

func validateIdentification(what string, id *inventory.Identification) error {
	for _, d := range []*inventory.Derivation{id.Vendor, id.Model, id.Category, id.OS,
		id.Software, id.Criticality} {
		if d == nil {
			continue
		}
		if err := checkText(what+" identification", "value", d.Value, "rule", d.Rule); err != nil {
			return err
		}
		for _, b := range d.Because {
			if err := checkText(what+" identification", "reason", b); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateAddresses(what string, d *inventory.Device) error {
	for _, a := range d.Addresses {
		if err := checkText(what, "address", a.IP); err != nil {
			return err
		}
		for _, s := range a.SeenBy {
			if err := checkText(what, "seen by", s); err != nil {
				return err
			}
		}
		if r := badTime(a.FirstSeen, a.LastSeen); r != "" {
			return invalidf("%s: address %s: %s", what, a.IP, r)
		}
	}
	for _, ip := range d.IPs {
		if err := checkText(what, "ip", ip); err != nil {
			return err
		}
	}
	return nil
}

func validateAttribute(what string, a *inventory.Attribute) error {
	if a.Source == SourceUser {
		return invalidf("%s: attribute %q: source %q is kept for what people set", what, a.Key,
			SourceUser)
	}
	if a.Source == "" || a.Key == "" {
		return invalidf("%s: attribute with no source or key", what)
	}
	name, r := badField("source", a.Source, "key", a.Key, "value", a.Value, "peer", a.Peer)
	if r != "" {
		return invalidf("%s attribute: %s %s", what, name, r)
	}
	if r := badTime(a.FirstSeen, a.LastSeen); r != "" {
		return invalidf("%s: attribute %s: %s", what, a.Key, r)
	}
	return nil
}

func validateFlow(f *Flow, ids map[string]bool) error {
	what := fmt.Sprintf("flow %q to %q", f.Src, f.Dst)
	err := checkText(what, "src", f.Src, "dst", f.Dst, "app", f.App, "src mac", f.SrcMAC,
		"dst mac", f.DstMAC, "src device", f.SrcDevice, "dst device", f.DstDevice)
	if err != nil {
		return err
	}
	for _, d := range []string{f.SrcDevice, f.DstDevice} {
		if d != "" && !ids[d] {
			return invalidf("%s: device %q is not in the input", what, d)
		}
	}
	if r := badTime(f.FirstSeen, f.LastSeen); r != "" {
		return invalidf("%s: %s", what, r)
	}
	if r := badHours(f); r != "" {
		return invalidf("%s: %s", what, r)
	}
	return nil
}

// badHours says what is wrong with a flow's hourly counts, or "" if
// nothing: each must be the start of a UTC hour, after the one before, and
// within the flow's first and last seen when they are known.
func badHours(f *Flow) string {
	for i, h := range f.Hours {
		at := h.Hour.UTC().Format(time.RFC3339Nano)
		switch {
		case badTime(h.Hour) != "" || h.Hour.IsZero():
			return fmt.Sprintf("hour %s is out of range", at)
		case h.Hour.Unix()%3600 != 0 || h.Hour.Nanosecond() != 0:
			return fmt.Sprintf("hour %s is not the start of an hour", at)
		case i > 0 && !f.Hours[i-1].Hour.Before(h.Hour):
			return fmt.Sprintf("hour %s is not after the hour before it", at)
		case !f.FirstSeen.IsZero() && !h.Hour.After(f.FirstSeen.Add(-time.Hour)):
			return fmt.Sprintf("hour %s ends before the flow's first packet", at)
		case !f.LastSeen.IsZero() && h.Hour.After(f.LastSeen):
			return fmt.Sprintf("hour %s starts after the flow's last packet", at)
		}
	}
	return ""
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
