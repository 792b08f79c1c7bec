package observe

import (
	"encoding/binary"

	"github.com/wardhq/ward/internal/decode"
)

// rawFlowHash reads just enough of a frame to hash its pair of IP
// addresses, so that the reading goroutine can share packets among workers
// without decoding them. Both directions hash alike, and so do all the
// conversations between two hosts: a worker then sees every flow between
// them, which makes its guesses of who is the client the same as one
// worker's would be. Frames it cannot read hash to 0: any worker handles
// them correctly, since only TCP connections need all their packets in
// one place.
func rawFlowHash(lt decode.LinkType, b []byte) uint64 {
	var et uint16
	switch lt {
	case decode.LinkEthernet:
		if len(b) < 14 {
			return 0
		}
		et, b = binary.BigEndian.Uint16(b[12:]), b[14:]
		for (et == 0x8100 || et == 0x88a8 || et == 0x9100) && len(b) >= 4 {
			et, b = binary.BigEndian.Uint16(b[2:]), b[4:]
		}
	case decode.LinkSLL:
		if len(b) < 16 {
			return 0
		}
		et, b = binary.BigEndian.Uint16(b[14:]), b[16:]
	case decode.LinkSLL2:
		if len(b) < 20 {
			return 0
		}
		et, b = binary.BigEndian.Uint16(b[0:]), b[20:]
	case decode.LinkRaw, decode.LinkIPv4, decode.LinkIPv6:
		et = 0x0800
	case decode.LinkNull, decode.LinkLoop:
		if len(b) < 4 {
			return 0
		}
		b, et = b[4:], 0x0800
	default:
		return 0
	}
	if et != 0x0800 && et != 0x86dd {
		return 0
	}
	return ipHash(b)
}

func ipHash(b []byte) uint64 {
	if len(b) < 20 {
		return 0
	}
	var a, c uint64
	switch b[0] >> 4 {
	case 4:
		a = uint64(binary.BigEndian.Uint32(b[12:]))
		c = uint64(binary.BigEndian.Uint32(b[16:]))
	case 6:
		if len(b) < 40 {
			return 0
		}
		a = binary.BigEndian.Uint64(b[8:]) ^ binary.BigEndian.Uint64(b[16:])
		c = binary.BigEndian.Uint64(b[24:]) ^ binary.BigEndian.Uint64(b[32:])
	default:
		return 0
	}
	return mix(a) + mix(c)
}

// mix is the finaliser of SplitMix64: a cheap, well-spread hash of x.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
