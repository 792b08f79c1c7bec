package decode

import "testing"

// TestFlowHashSymmetric checks that both directions of a real TCP
// connection hash alike, and that other conversations differ.
func TestFlowHashSymmetric(t *testing.T) {
	frames := readFrames(t)
	hash := func(name string) uint64 {
		f := frameByName(t, frames, name)
		var p Packet
		if err := p.Decode(f.lt, f.data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return p.FlowHash()
	}
	syn, synack, http := hash("eth_ipv4_tcp_syn"), hash("eth_ipv4_tcp_synack"), hash("eth_ipv4_tcp_http")
	if syn != synack || syn != http {
		t.Errorf("one connection: got hashes %#x, %#x, %#x, want all equal", syn, synack, http)
	}
	if other := hash("eth_vlan1"); other == syn {
		t.Errorf("two connections: got the same hash %#x", other)
	}
}

// TestFlowHashSwapped checks symmetry on swapped copies of every real
// frame: addresses, ports and MACs exchanged.
func TestFlowHashSwapped(t *testing.T) {
	for _, f := range readFrames(t) {
		var p Packet
		_ = p.Decode(f.lt, f.data)
		q := p
		q.SrcIP, q.DstIP = p.DstIP, p.SrcIP
		q.SrcPort, q.DstPort = p.DstPort, p.SrcPort
		q.SrcMAC, q.DstMAC = p.DstMAC, p.SrcMAC
		if got, want := q.FlowHash(), p.FlowHash(); got != want {
			t.Errorf("%s: got %#x swapped, want %#x", f.name, got, want)
		}
	}
}

// TestFlowHashDistinguishes checks that changing one element of the tuple
// changes the hash.
func TestFlowHashDistinguishes(t *testing.T) {
	var base Packet
	base.IPVersion, base.SrcIP, base.DstIP = 4, ip("192.0.2.1"), ip("192.0.2.2")
	base.Proto, base.SrcPort, base.DstPort = ProtoTCP, 1234, 80
	tests := []struct {
		name   string
		change func(p *Packet)
	}{
		{"source port", func(p *Packet) { p.SrcPort = 1235 }},
		{"ports swapped on one side", func(p *Packet) { p.SrcPort, p.DstPort = 80, 1234 }},
		{"protocol", func(p *Packet) { p.Proto = ProtoUDP }},
		{"address", func(p *Packet) { p.DstIP = ip("192.0.2.3") }},
		{"ipv6", func(p *Packet) { p.IPVersion, p.SrcIP = 6, ip("2001:db8::1") }},
		{"fragment ignores ports", func(p *Packet) { p.Fragment = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			tt.change(&p)
			if p.FlowHash() == base.FlowHash() {
				t.Errorf("got the same hash %#x after the change", p.FlowHash())
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{LinkEthernet.String(), "ethernet"},
		{LinkSLL2.String(), "linux_sll2"},
		{LinkType(147).String(), "linktype(147)"},
		{LayerTransport.String(), "transport"},
		{Layer(9).String(), "layer(9)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
