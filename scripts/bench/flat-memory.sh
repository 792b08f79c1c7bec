#!/usr/bin/env bash
# Shows that Ward's memory follows distinct devices and flows, not packets:
# the same real traffic repeated (shifted in time, addresses unchanged) to
# about 100 MB and to about 1.5 GB must peak at about the same memory.
#
#   scripts/bench/flat-memory.sh [BASE_CAPTURE]
#
# BASE_CAPTURE defaults to the demo capture. Needs editcap and mergecap.
set -euo pipefail
cd "$(dirname "$0")/../.."
base="${1:-testdata/captures/demo.pcapng}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/ward" ./cmd/ward
editcap -F pcap "$base" "$work/base.pcap"
# One 10 MB block of repeats, then files of 100 MB and 1.5 GB built from it.
bb=$(stat -c %s "$work/base.pcap")
reps=$(( 10485760 / bb + 1 ))
parts=()
for i in $(seq 0 $((reps - 1))); do
	editcap -F pcap -t $((i * 3600)) "$work/base.pcap" "$work/r$i.pcap"
	parts+=("$work/r$i.pcap")
done
mergecap -F pcap -a -w "$work/block.pcap" "${parts[@]}"
rm -f "${parts[@]}"
for target in 100 1500; do
	n=$(( target * 1048576 / $(stat -c %s "$work/block.pcap") + 1 ))
	files=()
	for i in $(seq 1 "$n"); do files+=("$work/block.pcap"); done
	mergecap -F pcap -a -w "$work/rep-$target.pcap" "${files[@]}"
	size=$(( $(stat -c %s "$work/rep-$target.pcap") / 1048576 ))
	/usr/bin/time -f "%e %M" -o "$work/t" "$work/ward" analyze -progress never -format json \
		"$work/rep-$target.pcap" > /dev/null
	read -r s k < "$work/t"
	echo "repeated flows, $size MiB: $s s, peak $((k / 1024)) MiB"
	rm -f "$work/rep-$target.pcap"
done
