package decode

import "strconv"

// String names the link type as pcap's LINKTYPE_ list does, in lower case.
func (lt LinkType) String() string {
	switch lt {
	case LinkNull:
		return "null"
	case LinkEthernet:
		return "ethernet"
	case LinkRaw:
		return "raw"
	case LinkLoop:
		return "loop"
	case LinkSLL:
		return "linux_sll"
	case LinkIPv4:
		return "ipv4"
	case LinkIPv6:
		return "ipv6"
	case LinkSLL2:
		return "linux_sll2"
	}
	return "linktype(" + strconv.Itoa(int(lt)) + ")"
}

// String names the layer: "none", "link", "network" or "transport".
func (l Layer) String() string {
	switch l {
	case LayerNone:
		return "none"
	case LayerLink:
		return "link"
	case LayerNetwork:
		return "network"
	case LayerTransport:
		return "transport"
	}
	return "layer(" + strconv.Itoa(int(l)) + ")"
}
