package demo

import (
	"encoding/binary"
	"math/rand/v2"
)

// TLS record types and versions (RFC 8446).
const (
	recChangeCipher = 20
	recHandshake    = 22
	recAppData      = 23
	tls12           = 0x0303
	tls13           = 0x0304
)

// tlsRecord appends one record.
func tlsRecord(b []byte, typ byte, body []byte) []byte {
	b = append(b, typ, 3, 3)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

// handshake wraps a handshake message body with its type and length.
func handshake(typ byte, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

func vec16(b, v []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

func ext(b []byte, typ uint16, data []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, typ)
	return vec16(b, data)
}

func u16s(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

// clientCiphers are the cipher suites a current Windows browser offers.
var clientCiphers = u16s(0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
	0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035)

// clientHello is a TLS 1.3 ClientHello for sni, in one record.
func clientHello(rng *rand.Rand, sni string) []byte {
	body := u16s(tls12)
	body = append(body, randBytes(rng, 32)...)
	body = append(body, 32)
	body = append(body, randBytes(rng, 32)...)
	body = vec16(body, clientCiphers)
	body = append(body, 1, 0) // null compression only

	var e []byte
	name := append([]byte{0}, vec16(nil, []byte(sni))...)
	e = ext(e, 0x0000, vec16(nil, name))                         // server_name
	e = ext(e, 0x0017, nil)                                      // extended_master_secret
	e = ext(e, 0xff01, []byte{0})                                // renegotiation_info
	e = ext(e, 0x000a, vec16(nil, u16s(0x001d, 0x0017, 0x0018))) // supported_groups
	e = ext(e, 0x000b, []byte{1, 0})                             // ec_point_formats
	e = ext(e, 0x0023, nil)                                      // session_ticket
	alpn := vec16(nil, append([]byte{2, 'h', '2', 8}, "http/1.1"...))
	e = ext(e, 0x0010, alpn)
	e = ext(e, 0x0005, []byte{1, 0, 0, 0, 0}) // status_request
	e = ext(e, 0x000d, vec16(nil, u16s(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501,
		0x0806, 0x0601))) // signature_algorithms
	share := append(u16s(0x001d), vec16(nil, randBytes(rng, 32))...)
	e = ext(e, 0x0033, vec16(nil, share))                        // key_share
	e = ext(e, 0x002d, []byte{1, 1})                             // psk_key_exchange_modes
	e = ext(e, 0x002b, append([]byte{4}, u16s(tls13, tls12)...)) // supported_versions
	body = vec16(body, e)
	return tlsRecord(nil, recHandshake, handshake(1, body))
}

// serverHello is a TLS 1.3 ServerHello answering a ClientHello, then the
// change_cipher_spec record of middlebox compatibility and n bytes of
// encrypted handshake.
func serverHello(rng *rand.Rand, n int) []byte {
	body := u16s(tls12)
	body = append(body, randBytes(rng, 32)...)
	body = append(body, 32)
	body = append(body, randBytes(rng, 32)...)
	body = append(body, u16s(0x1301)...)
	body = append(body, 0)
	var e []byte
	e = ext(e, 0x002b, u16s(tls13))
	e = ext(e, 0x0033, append(u16s(0x001d), vec16(nil, randBytes(rng, 32))...))
	body = vec16(body, e)
	b := tlsRecord(nil, recHandshake, handshake(2, body))
	b = tlsRecord(b, recChangeCipher, []byte{1})
	return tlsRecord(b, recAppData, randBytes(rng, n))
}

// appData is n bytes of encrypted application data, in records of at most
// 16 KiB.
func appData(rng *rand.Rand, n int) []byte {
	var b []byte
	for n > 0 {
		k := min(n, 16384)
		b = tlsRecord(b, recAppData, randBytes(rng, k))
		n -= k
	}
	return b
}

// randBytes returns n random bytes: encrypted data, keys and nonces.
func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}
