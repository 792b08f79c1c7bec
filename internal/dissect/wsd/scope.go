package wsd

import (
	"bytes"
	"net/netip"
	"strings"

	"github.com/wardhq/ward/internal/dissect"
)

// roleSDCDevice is the dissect.KeyClinicalRole of an SDC medical device.
const roleSDCDevice = "sdc-medical-device"

// pkpProvider is the participant key purpose of an SDC service provider
// (IEEE 11073-20701, section 9.3): a device that conforms to SDC.
const pkpProvider = "1.2.840.10004.20701.1.1"

// mdcSystem is the coding system of IEEE 11073-10101, the default of a
// BICEPS coded value.
const mdcSystem = "urn:oid:1.2.840.10004.1.1.1.0.0.1"

// mdcRoles maps the device types of IEEE 11073-10101 that this package
// recognises to a clinical role: the context-free code (partition 1,
// object infrastructure, so 65536 + term code) and the reference id, which
// some providers send as the code. The numbers were checked against
// published uses: IHE PCD messages of Philips, GE and Smiths Medical
// devices (69965, 69985) and the SDC reference implementation's test MDIB
// (70001). Any other code is reported as it is, without a role.
var mdcRoles = map[string]string{
	"69965":                              "patient-monitor", // MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS
	"69985":                              "infusion-pump",   // MDC_DEV_PUMP_INFUS_MDS
	"70001":                              "ventilator",      // MDC_DEV_SYS_PT_VENT_MDS
	"MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS": "patient-monitor",
	"MDC_DEV_PUMP_INFUS_MDS":             "infusion-pump",
	"MDC_DEV_SYS_PT_VENT_MDS":            "ventilator",
	"MDC_DEV_ANALY_SAT_O2_MDS":           "pulse-oximeter",
}

// locationKeys are the query keys of a location scope, in the order of
// the extension of its fallback instance identifier (20701, 9.4.1.1).
var locationKeys = [...]string{"fac", "bldng", "flr", "poc", "rm", "bed"}

// scope reads one scope of a target.
func (d *dissector) scope(raw []byte) {
	switch {
	case hasScheme(raw, "sdc.ctxt.pat"):
		d.emit(KeyPatientContext, "advertised", dissect.High)
		return
	case hasScheme(raw, "sdc.ctxt.wfl"):
		d.emit(KeyWithheldContext, "workflow", dissect.High)
		return
	case hasScheme(raw, "sdc.ctxt.opr"):
		d.emit(KeyWithheldContext, "operator", dissect.High)
		return
	}
	d.emit(KeyScope, value(raw), dissect.High)
	if len(raw) > 4 && bytes.EqualFold(raw[:4], []byte("sdc.")) {
		d.emit(dissect.KeyService, "sdc", dissect.High)
	}
	switch {
	case hasScheme(raw, "sdc.mds.pkp"):
		if string(raw[len("sdc.mds.pkp:"):]) == pkpProvider {
			d.emit(dissect.KeyClinicalRole, roleSDCDevice, dissect.High)
		}
	case hasScheme(raw, "sdc.ctxt.loc"):
		d.location(raw[len("sdc.ctxt.loc:"):])
	case hasScheme(raw, "sdc.cdc.type"):
		d.cdcType(raw[len("sdc.cdc.type:"):])
	default:
		d.onvif(raw)
	}
}

// hasScheme reports whether the URI u has the scheme, in any case.
func hasScheme(u []byte, scheme string) bool {
	return len(u) > len(scheme) && u[len(scheme)] == ':' &&
		bytes.EqualFold(u[:len(scheme)], []byte(scheme))
}

// location reads the part of a location scope after its scheme:
// "/sdc.ctxt.loc.detail/EXTENSION?fac=…&bldng=…&…". The query names the
// parts; without one, the extension of the location detail root holds
// them in order, separated by '/'.
func (d *dissector) location(rest []byte) {
	rest, _, _ = bytes.Cut(rest, []byte("#"))
	path, query, ok := bytes.Cut(rest, []byte("?"))
	var parts [len(locationKeys)][]byte
	if ok {
		locationQuery(&parts, query)
	} else if ext, ok := bytes.CutPrefix(path, []byte("/sdc.ctxt.loc.detail/")); ok {
		items := bytes.Split(unescape(ext, false), []byte("/"))
		if len(items) == len(parts) {
			copy(parts[:], items)
		}
	}
	for i, p := range parts {
		if v := value(p); v != "" {
			d.emit(KeyLocation, cut(locationKeys[i]+"="+v), dissect.High)
		}
	}
}

// locationQuery sets the parts of a location that its query names; the
// first value of a key counts.
func locationQuery(parts *[len(locationKeys)][]byte, query []byte) {
	for len(query) > 0 {
		var pair []byte
		pair, query, _ = bytes.Cut(query, []byte("&"))
		k, v, _ := bytes.Cut(pair, []byte("="))
		for i, key := range locationKeys {
			if string(k) == key && parts[i] == nil {
				parts[i] = unescape(v, true)
			}
		}
	}
}

// cdcType reads the part of an sdc.cdc.type scope after its scheme:
// "/CODINGSYSTEM/VERSION/CODE", each percent-encoded, the coding system
// empty for the default (20701, 9.4).
func (d *dissector) cdcType(rest []byte) {
	rest, ok := bytes.CutPrefix(rest, []byte("/"))
	items := bytes.SplitN(rest, []byte("/"), 3)
	if !ok || len(items) != 3 {
		d.problem("sdc.cdc.type scope is not /system/version/code")
		return
	}
	code := value(unescape(items[2], false))
	if code == "" {
		return
	}
	system := value(unescape(items[0], false))
	if system == "" || system == mdcSystem {
		system = "mdc"
	}
	d.emit(KeyCDCType, cut(system+":"+code), dissect.High)
	if r, ok := mdcRoles[code]; ok && system == "mdc" {
		d.emit(dissect.KeyClinicalRole, r, dissect.High)
	}
}

// onvif reads the ONVIF scopes that name a device (ONVIF Core
// Specification, 7.3.2.2): its hardware, which is its model, and its name.
func (d *dissector) onvif(raw []byte) {
	const prefix = "onvif://www.onvif.org/"
	if len(raw) <= len(prefix) || !bytes.EqualFold(raw[:len(prefix)], []byte(prefix)) {
		return
	}
	rest := raw[len(prefix):]
	if v, ok := bytes.CutPrefix(rest, []byte("hardware/")); ok {
		d.emit(dissect.KeyModel, value(unescape(v, false)), dissect.Medium)
	} else if v, ok := bytes.CutPrefix(rest, []byte("name/")); ok {
		d.emit(KeyFriendlyName, value(unescape(v, false)), dissect.Medium)
	}
}

// xaddr reads one transport address of a target.
func (d *dissector) xaddr(raw []byte) {
	u := value(cleanURL(raw))
	d.emit(KeyXAddr, u, dissect.High)
	d.mgmtAddress(u)
}

// mgmtAddress gives dissect.KeyMgmtAddress when the host of the URL u is
// an IP address the device can be reached at.
func (d *dissector) mgmtAddress(u string) {
	if ip, ok := hostIP(u); ok {
		who := dissect.Endpoint{MAC: d.who.MAC, IP: ip}
		d.emitWho(who, dissect.KeyMgmtAddress, ip.String(), dissect.High)
	}
}

// cleanURL drops the user information, query and fragment of a URL,
// which could carry credentials or tokens.
func cleanURL(u []byte) []byte {
	if i := bytes.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	scheme, rest, ok := bytes.Cut(u, []byte("://"))
	if !ok {
		return u
	}
	host, path := rest, []byte(nil)
	if i := bytes.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	i := bytes.LastIndexByte(host, '@')
	if i < 0 {
		return u
	}
	out := make([]byte, 0, len(u))
	out = append(append(out, scheme...), "://"...)
	return append(append(out, host[i+1:]...), path...)
}

// hostIP returns the host of a URL when it is an IP literal: "192.0.2.7",
// or "[fe80::1]" with or without a zone, which is dropped.
func hostIP(u string) (netip.Addr, bool) {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return netip.Addr{}, false
	}
	host, _, _ := strings.Cut(rest, "/")
	if strings.HasPrefix(host, "[") {
		host, _, ok = strings.Cut(host[1:], "]")
		if !ok {
			return netip.Addr{}, false
		}
		host, _, _ = strings.Cut(host, "%")
	} else {
		host, _, _ = strings.Cut(host, ":")
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.IsUnspecified() || ip.IsLoopback() || ip.IsMulticast() {
		return netip.Addr{}, false
	}
	return ip, true
}

// unescape decodes the percent-encoding of a URI part, and '+' as a space
// in a query. A malformed escape is kept as written.
func unescape(b []byte, query bool) []byte {
	if bytes.IndexByte(b, '%') < 0 && (!query || bytes.IndexByte(b, '+') < 0) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '+' && query:
			c = ' '
		case c == '%' && i+2 < len(b) && digitValue(b[i+1]) >= 0 && digitValue(b[i+2]) >= 0:
			c = byte(digitValue(b[i+1])<<4 | digitValue(b[i+2]))
			i += 2
		}
		out = append(out, c)
	}
	return out
}
