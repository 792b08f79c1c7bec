#!/bin/sh
# record.sh records the WS-Discovery traffic of Debian's wsdd between two
# network namespaces joined by a veth pair, and writes the UDP payloads and
# the metadata (HTTP GetResponse) body this package's tests read as hex text.
#
# Run as root from anywhere: sh record.sh. Nothing leaves the namespaces: the
# veth pair has no other end, and both namespaces are deleted on exit.
#
#   host namespace   192.0.2.10  wsdd -i HOST (the target: Hello, answers, Bye)
#   client namespace 192.0.2.20  wsdd -D -o  (discovery only: Probe, then
#                                Resolve, as its ProbeMatch has no XAddrs,
#                                then the metadata Get over HTTP)
set -eu

out=$(cd "$(dirname "$0")" && pwd)
uuid=1c0a3e8d-2f4b-5a6c-8d9e-0f1a2b3c4d5e
ns_h=wsdtest-$$-h
ns_c=wsdtest-$$-c
if_h=wsdh$$
if_c=wsdc$$
work=$(mktemp -d)
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	sleep 1
	ip netns del "$ns_h" 2>/dev/null || true
	ip netns del "$ns_c" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# setup joins the two namespaces with a veth pair and fixed, locally
# administered MAC addresses.
setup() {
	ip netns add "$ns_h"
	ip netns add "$ns_c"
	ip link add "$if_h" address 02:00:00:00:00:10 type veth \
		peer name "$if_c" address 02:00:00:00:00:20
	ip link set "$if_h" netns "$ns_h"
	ip link set "$if_c" netns "$ns_c"
	for pair in "$ns_h $if_h 192.0.2.10" "$ns_c $if_c 192.0.2.20"; do
		set -- $pair
		ip -n "$1" link set lo up
		ip -n "$1" addr add "$3/24" dev "$2"
		ip -n "$1" link set "$2" up
		ip -n "$1" route add 224.0.0.0/4 dev "$2"
	done
	sleep 3 # IPv6 duplicate address detection of the link-local addresses
}

# record captures one session: the host starts (Hello), the client probes,
# resolves and fetches the metadata, and the host stops (Bye).
record() {
	ip netns exec "$ns_h" tcpdump -q -U -i "$if_h" -w "$work/wsd.pcap" \
		'udp port 3702 or tcp port 5357' 2>"$work/tcpdump.log" &
	dump=$!
	pids="$pids $dump"
	sleep 2
	ip netns exec "$ns_h" wsdd -i "$if_h" -U "$uuid" -n WARDHOST -w WARDLAB -s \
		2>"$work/host.log" &
	host=$!
	pids="$pids $host"
	sleep 3
	ip netns exec "$ns_c" wsdd -i "$if_c" -D -o -s 2>"$work/client.log" &
	client=$!
	pids="$pids $client"
	sleep 8
	kill -TERM "$host"
	sleep 3
	kill -TERM "$client" "$dump"
	wait "$dump" || true
}

# payload writes the UDP payload of the first frame that matches filter.
payload() {
	name=$1 filter=$2
	frame=$(tshark -r "$work/wsd.pcap" -Y "$filter" -T fields -e frame.number | head -1)
	[ -n "$frame" ] || { echo "record.sh: no frame for $name ($filter)" >&2; exit 1; }
	{
		echo "# wsdd $(wsdd -V 2>&1 | sed 's/.*, //'), record.sh, frame $frame: $filter"
		tshark -r "$work/wsd.pcap" -Y "frame.number==$frame" -T fields -e udp.payload |
			fold -w 96
	} >"$out/$name.hex"
}

# body writes the HTTP body the host sent on the first metadata connection.
body() {
	stream=$(tshark -r "$work/wsd.pcap" -Y 'tcp.srcport==5357 && http.response' \
		-T fields -e tcp.stream | head -1)
	[ -n "$stream" ] || { echo "record.sh: no metadata exchange" >&2; exit 1; }
	{
		echo "# wsdd $(wsdd -V 2>&1 | sed 's/.*, //'), record.sh, body of the http response in tcp.stream $stream"
		tshark -r "$work/wsd.pcap" -q -z "follow,tcp,raw,$stream" |
			awk '/^\t/ { sub(/^\t/, ""); printf "%s", $0 }' |
			python3 -c 'import sys; b = bytes.fromhex(sys.stdin.read()); print(b.split(b"\r\n\r\n", 1)[1].hex())' |
			fold -w 96
	} >"$out/wsdd-getresponse.hex"
}

setup
record
payload wsdd-hello-ipv4 'ip.src==192.0.2.10 && udp.payload contains "/discovery/Hello<"'
payload wsdd-hello-ipv6 'ipv6.src && udp.payload contains "/discovery/Hello<"'
payload wsdd-probe 'ip.src==192.0.2.20 && udp.payload contains "/discovery/Probe<"'
payload wsdd-probematches 'ip.src==192.0.2.10 && udp.payload contains "/discovery/ProbeMatches<"'
payload wsdd-resolve 'ip.src==192.0.2.20 && udp.payload contains "/discovery/Resolve<"'
payload wsdd-resolvematches 'ip.src==192.0.2.10 && udp.payload contains "/discovery/ResolveMatches<"'
payload wsdd-bye 'ip.src==192.0.2.10 && udp.payload contains "/discovery/Bye<"'
body
echo "record.sh: wrote $(ls "$out"/wsdd-*.hex | wc -l) files to $out"
