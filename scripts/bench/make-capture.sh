#!/usr/bin/env bash
# Builds the benchmark capture from the real captures in ../shared/corpus:
# every Ethernet capture merged into one base file, then copies of it
# appended, each shifted later in time and with its IP addresses and the
# host bytes of its MACs rewritten (tcprewrite keeps the 3 vendor bytes),
# so that every copy brings new hosts and new flows.
#
#   scripts/bench/make-capture.sh [OUT] [MIN_MB]
#
# Needs Debian's tshark (editcap, mergecap, capinfos) and tcpreplay
# (tcprewrite). OUT defaults to /tmp/ward-bench.pcap, MIN_MB to 1536.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-/tmp/ward-bench.pcap}"
min_mb="${2:-1536}"
corpus="${WARD_CORPUS:-../shared/corpus}/pcaps"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for t in editcap mergecap capinfos tcprewrite; do
	command -v "$t" >/dev/null || { echo "need $t (apt-get install tshark tcpreplay)"; exit 1; }
done

# The base: each Ethernet capture converted to pcap, merged in time order.
n=0
while IFS= read -r -d '' f; do
	enc=$(capinfos -E -T -r "$f" 2>/dev/null | cut -f2 || true)
	[ "$enc" = "ether" ] || continue
	editcap -F pcap "$f" "$work/part-$n.pcap" 2>/dev/null || continue
	n=$((n+1))
done < <(find "$corpus" -path '*/malformed' -prune -o \( -name '*.pcap' -o -name '*.pcapng' \) -type f -print0 | sort -z)
echo "base: $n Ethernet captures"
# Merge in batches to stay under the open-file limit.
ls "$work"/part-*.pcap | xargs -n 200 sh -c 'mergecap -F pcap -w "$0.$$.$(date +%s%N).pcap" "$@"' "$work/batch"
mergecap -F pcap -w "$work/base.pcap" "$work"/batch.*.pcap
rm -f "$work"/part-*.pcap "$work"/batch.*.pcap
base_bytes=$(stat -c %s "$work/base.pcap")
echo "base: $((base_bytes / 1048576)) MiB"

# Copies: shifted a day apart, addresses rewritten with a seed per copy.
copies=$(( (min_mb * 1048576 + base_bytes - 1) / base_bytes ))
parts=("$work/base.pcap")
for i in $(seq 1 $((copies - 1))); do
	editcap -F pcap -t $((i * 86400)) "$work/base.pcap" "$work/shift.pcap"
	tcprewrite --seed="$i" --enet-mac-seed="$i" --enet-mac-seed-keep-bytes=3 \
		--fixcsum -i "$work/shift.pcap" -o "$work/copy-$i.pcap"
	parts+=("$work/copy-$i.pcap")
done
mergecap -F pcap -a -w "$out" "${parts[@]}"
capinfos -c -s "$out"
