#!/usr/bin/env bash
# Runs Ward and its peers once each over the same capture and prints
# throughput, peak memory and the ratios to Ward:
#
#   scripts/bench/compare.sh [CAPTURE]
#
# CAPTURE defaults to /tmp/ward-bench.pcap (make it with make-capture.sh).
# Peers: tshark -T fields extracting comparable facts, ndpiReader (Debian's
# libndpi-bin), gopacket's header-only DecodingLayerParser
# (scripts/bench/headeronly, a module of its own), and cat to /dev/null for
# the cost of reading the file. Set SKIP_TSHARK=1 to leave tshark out (it
# takes minutes on a large file).
set -euo pipefail
cd "$(dirname "$0")/../.."
cap="${1:-/tmp/ward-bench.pcap}"
[ -f "$cap" ] || { echo "no $cap: run scripts/bench/make-capture.sh first"; exit 1; }
bin=$(mktemp -d)/ward
trap 'rm -rf "$(dirname "$bin")"' EXIT
CGO_ENABLED=0 go build -o "$bin" ./cmd/ward
(cd scripts/bench/headeronly && CGO_ENABLED=0 go build -o "$(dirname "$bin")/headeronly" .)

bytes=$(stat -c %s "$cap")
packets=$(capinfos -c -M "$cap" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
echo "capture: $cap, $((bytes / 1048576)) MiB, $packets packets"
cat "$cap" > /dev/null # warm the page cache

declare -A secs rss
measure() { # name command...
	local name=$1; shift
	local tf; tf=$(mktemp)
	/usr/bin/time -f "%e %M" -o "$tf" "$@" > /dev/null 2>/tmp/ward-bench-$name.err || {
		echo "$name failed:"; tail -5 /tmp/ward-bench-$name.err; }
	read -r s k < "$tf"; rm -f "$tf"
	secs[$name]=$s; rss[$name]=$k
	awk -v n="$name" -v s="$s" -v k="$k" -v b="$bytes" -v p="$packets" 'BEGIN {
		if (s < 0.01) s = 0.01
		printf "%-14s %8.2f s %9.1f MB/s %11.0f packets/s %8.1f MiB peak\n", n, s, b/s/1e6, p/s, k/1024 }'
}

measure cat cat "$cap"
measure ward-1core env GOMAXPROCS=1 "$bin" analyze -progress never -format json "$cap"
measure ward-2core env GOMAXPROCS=2 "$bin" analyze -progress never -format json "$cap"
measure headeronly "$(dirname "$bin")/headeronly" "$cap"
measure ndpiReader ndpiReader -q -i "$cap"
[ -n "${SKIP_TSHARK:-}" ] || measure tshark tshark -n -r "$cap" -T fields -e eth.src -e ip.src -e ipv6.src \
	-e dhcp.option.hostname -e dhcp.option.vendor_class_id -e http.user_agent \
	-e tls.handshake.extensions_server_name -e lldp.tlv.system.name

ratio() { awk -v a="${secs[$1]}" -v b="${secs[$2]}" 'BEGIN { printf "%.2f", a/b }'; }
echo
echo "ward 1 core vs ndpiReader: $(ratio ndpiReader ward-1core)x throughput (target >= 5)"
echo "ward 2 cores vs 1 core:     $(ratio ward-1core ward-2core)x (target >= 1.8)"
[ -n "${SKIP_TSHARK:-}" ] || echo "ward 1 core vs tshark:      $(ratio tshark ward-1core)x"
echo "header-only decoder vs ward 1 core: $(ratio ward-1core headeronly)x faster"
echo "ward peak memory: $(( ${rss[ward-1core]} / 1024 )) MiB (1 core), $(( ${rss[ward-2core]} / 1024 )) MiB (2 cores), target < 256"
