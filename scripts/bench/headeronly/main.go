// Command headeronly is the benchmark's baseline: it reads a pcap file with
// gopacket's pcapgo and decodes Ethernet, 802.1Q, IPv4, IPv6, TCP and UDP
// headers with a DecodingLayerParser, and nothing more. Ward's own module
// does not depend on gopacket; this one lives apart for that reason.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: headeronly FILE.pcap")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var (
		eth  layers.Ethernet
		dot1 layers.Dot1Q
		ip4  layers.IPv4
		ip6  layers.IPv6
		tcp  layers.TCP
		udp  layers.UDP
		pl   gopacket.Payload
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet,
		&eth, &dot1, &ip4, &ip6, &tcp, &udp, &pl)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 8)
	var packets, tcps, udps int
	for {
		data, _, err := r.ZeroCopyReadPacketData()
		if err != nil {
			break
		}
		packets++
		parser.DecodeLayers(data, &decoded)
		for _, lt := range decoded {
			switch lt {
			case layers.LayerTypeTCP:
				tcps++
			case layers.LayerTypeUDP:
				udps++
			}
		}
	}
	fmt.Printf("%d packets, %d tcp, %d udp\n", packets, tcps, udps)
}
