package dns

import (
	"bytes"
	"net/netip"

	"github.com/wardhq/ward/internal/dissect"
)

// maxQueries bounds the mdns_query facts taken from one message.
const maxQueries = 16

// maxLabels bounds the labels splitService looks at; DNS-SD names have
// at most five (instance, subtype, "_sub", service, protocol) plus "local".
const maxLabels = 8

// txtKeys maps the lowercase TXT keys that carry identity to the shared
// key they feed. An empty value means the pair is kept only raw, as
// mdns_txt. Keys not listed here are never emitted.
var txtKeys = map[string]string{
	"md":           dissect.KeyModel, // Google Cast
	"model":        dissect.KeyModel, // _device-info, AirPlay
	"usb_mdl":      dissect.KeyModel, // printers (IPP, LPD, PDL)
	"ty":           dissect.KeyModel, // printers: make and model
	"product":      dissect.KeyModel, // printers: "(HP LaserJet 400)"
	"am":           dissect.KeyModel, // AirPlay: "AppleTV3,2"
	"rpmd":         dissect.KeyModel, // Apple companion link
	"usb_mfg":      dissect.KeyManufacturer,
	"mfg":          dissect.KeyManufacturer,
	"manufacturer": dissect.KeyManufacturer,
	"vendor":       dissect.KeyManufacturer,
	"serialnumber": dissect.KeySerial,
	"sn":           dissect.KeySerial,
	"fv":           dissect.KeyFirmware, // AirPlay firmware
	"vers":         dissect.KeyFirmware,
	"srcvers":      dissect.KeySoftware, // AirPlay source version
	"osxvers":      dissect.KeyOS,       // Darwin major version
	"deviceid":     "",                  // AirPlay: a MAC address
	"note":         "",                  // printers: location text
}

// mdns carries what one mDNS message is being dissected with.
type mdns struct {
	ctx    *dissect.Context
	src    netip.Addr // ctx.Src.IP, unmapped
	start  int        // first fact of this message in out
	owner  nameBuf
	target nameBuf
}

// DissectMDNS dissects a multicast DNS message (UDP port 5353), including
// DNS-SD service announcements. Facts describe the sender, ctx.Src.
func DissectMDNS(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	var r Reader
	if err := r.Reset(payload); err != nil {
		return out, err
	}
	if r.Header.Opcode() != 0 {
		return out, nil
	}
	m := mdns{ctx: ctx, src: ctx.Src.IP.Unmap(), start: len(out)}
	var err error
	if !r.Header.Response() {
		out, err = m.queries(&r, out)
		if err != nil {
			return out, err
		}
	}
	for {
		rec, ok, err := r.Record()
		if !ok {
			return out, err
		}
		// In a query, answers are the querier's cached knowledge of others;
		// only a probe's authority section is about the sender itself.
		if !r.Header.Response() && rec.Section != SectionAuthority {
			continue
		}
		if rec.Class&ClassMask != ClassIN {
			continue
		}
		if out, err = m.record(rec, out); err != nil {
			return out, err
		}
	}
}

// queries emits mdns_query facts for the service types asked about.
func (m *mdns) queries(r *Reader, out []dissect.Fact) ([]dissect.Fact, error) {
	n := 0
	for {
		q, ok, err := r.Question()
		if !ok {
			return out, err
		}
		if q.Type != TypePTR && q.Type != TypeANY {
			continue
		}
		svc, err := splitService(q.Name)
		if err != nil {
			return out, err
		}
		if !svc.ok || n >= maxQueries {
			continue
		}
		l := len(out)
		out = appendUnique(out, m.start,
			fact(m.ctx.Src, "mdns", KeyMDNSQuery, svc.serviceType(), dissect.Low))
		if len(out) > l {
			n++
		}
	}
}

// record learns from one resource record about the sender.
func (m *mdns) record(rec Record, out []dissect.Fact) ([]dissect.Fact, error) {
	switch rec.Type {
	case TypeA, TypeAAAA:
		addr, ok := rec.Addr()
		if !ok {
			return out, nil
		}
		if err := m.owner.set(rec.Name, false); err != nil {
			return out, err
		}
		return m.bindHost(addr, &m.owner, out), nil
	case TypePTR:
		return m.ptr(rec, out)
	case TypeSRV:
		return m.srv(rec, out)
	case TypeTXT:
		return m.txt(rec, out)
	case TypeHINFO:
		return m.hinfo(rec, out)
	}
	return out, nil
}

// bindHost binds a host name to an address: the sender's own names for its
// own address, a dns_name fact for any other address.
func (m *mdns) bindHost(addr netip.Addr, name *nameBuf, out []dissect.Fact) []dissect.Fact {
	addr = addr.Unmap()
	if name.n == 0 || !usable(addr) {
		return out
	}
	if addr != m.src {
		lower := *name
		lowerASCII(lower.b[:lower.n])
		lower.str = ""
		f := fact(dissect.Endpoint{IP: addr}, "mdns", dissect.KeyDNSName, lower.value(),
			dissect.Medium)
		return appendUnique(out, m.start, f)
	}
	fqdn := name.value()
	host := fqdn
	if hasSuffixFold(name.bytes(), ".local") {
		host = fqdn[:len(fqdn)-len(".local")]
	}
	if host == "" {
		return out
	}
	out = appendUnique(out, m.start,
		fact(m.ctx.Src, "mdns", dissect.KeyHostname, host, dissect.High))
	return appendUnique(out, m.start, fact(m.ctx.Src, "mdns", dissect.KeyFQDN, fqdn, dissect.High))
}

// ptr handles the three kinds of PTR record: reverse lookups, the service
// type enumeration, and service type to instance.
func (m *mdns) ptr(rec Record, out []dissect.Fact) ([]dissect.Fact, error) {
	if err := m.owner.set(rec.Name, false); err != nil {
		return out, err
	}
	target, err := rec.Target()
	if err != nil {
		return out, err
	}
	if addr, ok := reverseAddr(m.owner.bytes()); ok {
		if err := m.target.set(target, false); err != nil {
			return out, err
		}
		return m.bindHost(addr, &m.target, out), nil
	}
	// Both "_services._dns-sd._udp.local → _ipp._tcp.local" and
	// "_ipp._tcp.local → Name._ipp._tcp.local" name the service in the target.
	svc, err := splitService(target)
	if err != nil || !svc.ok {
		return out, err
	}
	return m.service(svc, out), nil
}

// srv handles an SRV record: its owner names the instance and its type.
func (m *mdns) srv(rec Record, out []dissect.Fact) ([]dissect.Fact, error) {
	if _, _, err := rec.SRV(); err != nil {
		return out, err
	}
	svc, err := splitService(rec.Name)
	if err != nil || !svc.ok {
		return out, err
	}
	return m.service(svc, out), nil
}

// service emits the service type and, when there is one, the instance.
func (m *mdns) service(svc service, out []dissect.Fact) []dissect.Fact {
	out = appendUnique(out, m.start,
		fact(m.ctx.Src, "mdns", dissect.KeyService, svc.serviceType(), dissect.High))
	if len(svc.instance) == 0 {
		return out
	}
	inst := dissect.Text(svc.instance)
	if inst == "" {
		return out
	}
	return appendUnique(out, m.start, fact(m.ctx.Src, "mdns", KeyMDNSInstance, inst, dissect.High))
}

// txt emits the identity pairs of a TXT record.
func (m *mdns) txt(rec Record, out []dissect.Fact) ([]dissect.Fact, error) {
	for off := 0; off < len(rec.Data); {
		s, next, ok := CharString(rec.Data, off)
		if !ok {
			return out, dissect.Errorf("dns", rec.dataOff+off, "txt string overruns record data")
		}
		off = next
		out = m.txtPair(s, out)
	}
	return out, nil
}

// txtPair emits the facts of one "key=value" TXT string, if its key is in
// txtKeys.
func (m *mdns) txtPair(s []byte, out []dissect.Fact) []dissect.Fact {
	eq := bytes.IndexByte(s, '=')
	if eq <= 0 || eq > 16 {
		return out
	}
	var kb [16]byte
	k := kb[:copy(kb[:], s[:eq])]
	lowerASCII(k)
	shared, known := txtKeys[string(k)]
	if !known {
		return out
	}
	val := txtValue(string(k), s[eq+1:])
	if val == "" {
		return out
	}
	if shared != "" {
		out = appendUnique(out, m.start, fact(m.ctx.Src, "mdns", shared, val, dissect.High))
	}
	return appendUnique(out, m.start,
		fact(m.ctx.Src, "mdns", KeyMDNSTXT, dissect.Text(s), dissect.High))
}

// txtValue cleans a TXT value for the key k: printer product names lose
// their parentheses, and a Darwin major version is named as such.
func txtValue(k string, v []byte) string {
	v = bytes.TrimSpace(v)
	if k == "product" && len(v) >= 2 && v[0] == '(' && v[len(v)-1] == ')' {
		v = v[1 : len(v)-1]
	}
	s := dissect.Text(v)
	if k == "osxvers" && s != "" {
		s = "Darwin " + s
	}
	return s
}

// hinfo emits "CPU/OS" from an HINFO record.
func (m *mdns) hinfo(rec Record, out []dissect.Fact) ([]dissect.Fact, error) {
	cpu, os, err := rec.HINFO()
	if err != nil {
		return out, err
	}
	v := dissect.Text(cpu) + "/" + dissect.Text(os)
	if v == "/" {
		return out, nil
	}
	return appendUnique(out, m.start, fact(m.ctx.Src, "mdns", KeyHINFO, v, dissect.Medium)), nil
}

// service is a DNS-SD name split into its parts; the byte slices alias
// the message.
type service struct {
	ok       bool
	instance []byte // empty for a bare service type or a subtype
	name     []byte // "_ipp"
	proto    []byte // "_tcp" or "_udp"
}

// serviceType formats the type, lowercase: "_ipp._tcp".
func (s service) serviceType() string {
	b := make([]byte, 0, 2*63+1) // two labels and a dot: on the stack
	b = append(b, s.name...)
	b = append(b, '.')
	b = append(b, s.proto...)
	lowerASCII(b)
	return dissect.Text(b)
}

// splitService splits "[instance.]_service._proto.local" and the subtype
// form "_sub1._sub._service._proto.local". It reports ok=false for other
// names.
func splitService(name Name) (service, error) {
	var labels [maxLabels][]byte
	n := 0
	err := name.Labels(func(l []byte) bool {
		if n == len(labels) {
			n++ // too many: not a DNS-SD name
			return false
		}
		labels[n] = l
		n++
		return true
	})
	if err != nil || n < 3 || n > len(labels) {
		return service{}, err
	}
	if !bytes.EqualFold(labels[n-1], []byte("local")) {
		return service{}, nil
	}
	proto, svc := labels[n-2], labels[n-3]
	if !(bytes.EqualFold(proto, []byte("_tcp")) || bytes.EqualFold(proto, []byte("_udp"))) ||
		len(svc) < 2 || svc[0] != '_' {
		return service{}, nil
	}
	s := service{ok: true, name: svc, proto: proto}
	if n >= 4 && len(labels[0]) > 0 && labels[0][0] != '_' {
		s.instance = labels[0]
	}
	return s, nil
}
