#!/usr/bin/env bash
# Builds the benchmark capture from the real captures in ../shared/corpus:
# every Ethernet capture merged into one base file, then copies of it
# appended, each shifted later in time and with its IP addresses and the
# host bytes of its MACs rewritten (tcprewrite keeps the 3 vendor bytes),
# so that every copy brings new hosts and new flows.
#
#   scripts/bench/make-capture.sh [OUT] [MIN_MB] [CAPTURE...]
#
# Needs Debian's tshark (editcap, mergecap, capinfos) and tcpreplay
# (tcprewrite). OUT defaults to /tmp/ward-bench.pcap, MIN_MB to 1536. With
# CAPTURE arguments, those files make the base instead of the corpus: the
# capture dominated by DICOM and HL7 of the medical benchmark is
#
#   ADDRESS_SETS=64 scripts/bench/make-capture.sh /tmp/ward-medical.pcap 1024 \
#       testdata/captures/lab/clinical-ward7.pcap
#
# ADDRESS_SETS caps how many copies get addresses of their own: past it,
# copies are only shifted in time, so that the same devices come back with
# new connections (a ward's few hundred devices doing their work all day)
# instead of every copy adding devices. By default there is no cap.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-/tmp/ward-bench.pcap}"
min_mb="${2:-1536}"
shift $(( $# < 2 ? $# : 2 ))
inputs=("$@")
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
done < <(if [ ${#inputs[@]} -gt 0 ]; then printf '%s\0' "${inputs[@]}"; else
	find "$corpus" -path '*/malformed' -prune -o \( -name '*.pcap' -o -name '*.pcapng' \) -type f -print0 | sort -z; fi)
echo "base: $n Ethernet captures"
# Merge in batches to stay under the open-file limit.
ls "$work"/part-*.pcap | xargs -n 200 sh -c 'mergecap -F pcap -w "$0.$$.$(date +%s%N).pcap" "$@"' "$work/batch"
mergecap -F pcap -w "$work/base.pcap" "$work"/batch.*.pcap
rm -f "$work"/part-*.pcap "$work"/batch.*.pcap
base_bytes=$(stat -c %s "$work/base.pcap")
echo "base: $((base_bytes / 1048576)) MiB"

# A small base (the lab captures are a few MB) is first doubled up to
# 32 MiB, each half with new addresses and later in time, so that the
# copies below stay few enough to merge at once.
sets_cap="${ADDRESS_SETS:-0}"
sets=1 # address sets in the base
capped() { [ "$sets_cap" -gt 0 ] && [ "$sets" -ge "$sets_cap" ]; }
rewrite() { # seed in out: new addresses, or a plain copy once the cap is reached
	if capped; then cp "$2" "$3"; return; fi
	tcprewrite --seed="$1" --enet-mac-seed="$1" --enet-mac-seed-keep-bytes=3 \
		--fixcsum -i "$2" -o "$3"
}
k=0
while [ "$base_bytes" -lt $((32 << 20)) ]; do
	k=$((k+1))
	span=$(capinfos -u -T -r "$work/base.pcap" | cut -f2 | cut -d. -f1)
	editcap -F pcap -t $((span + 1)) "$work/base.pcap" "$work/shift.pcap"
	rewrite $((1000 + k)) "$work/shift.pcap" "$work/double.pcap"
	capped || sets=$((sets * 2))
	mergecap -F pcap -a -w "$work/next.pcap" "$work/base.pcap" "$work/double.pcap"
	mv "$work/next.pcap" "$work/base.pcap"
	base_bytes=$(stat -c %s "$work/base.pcap")
done
[ "$k" -eq 0 ] || echo "base: doubled $k times to $((base_bytes / 1048576)) MiB, $sets address sets"

# Copies: shifted a day apart, addresses rewritten with a seed per copy.
copies=$(( (min_mb * 1048576 + base_bytes - 1) / base_bytes ))
base_sets=$sets
parts=("$work/base.pcap")
for i in $(seq 1 $((copies - 1))); do
	editcap -F pcap -t $((i * 86400)) "$work/base.pcap" "$work/shift.pcap"
	if capped; then
		mv "$work/shift.pcap" "$work/copy-$i.pcap"
	else
		rewrite "$i" "$work/shift.pcap" "$work/copy-$i.pcap"
		sets=$((sets + base_sets))
	fi
	parts+=("$work/copy-$i.pcap")
done
mergecap -F pcap -a -w "$out" "${parts[@]}"
echo "address sets: $sets"
capinfos -c -s "$out"
