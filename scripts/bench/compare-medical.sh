#!/usr/bin/env bash
# Compares Ward's one-core throughput on a capture dominated by DICOM and
# HL7 traffic with its throughput on the mixed benchmark capture:
#
#   scripts/bench/compare-medical.sh [MEDICAL] [MIXED]
#
# MEDICAL defaults to /tmp/ward-medical.pcap, made from the lab captures:
#   ADDRESS_SETS=64 scripts/bench/make-capture.sh /tmp/ward-medical.pcap 1024 \
#       testdata/captures/lab/clinical-ward7.pcap
# (64 address sets: some 500 devices, each coming back with new
# connections). A lab recording with smaller CT slices
# (WARD_LAB_CT_MATRIX=64 WARD_LAB_OUT=DIR scripts/lab/record-medical.sh)
# makes a stress test of many small associations.
# MIXED defaults to /tmp/ward-bench.pcap (scripts/bench/make-capture.sh).
# The target is a ratio of at least 1: the medical dissectors cost no more
# per byte than the mix. Each capture runs RUNS times (default 3) and the
# fastest run counts, the machines being shared.
set -euo pipefail
cd "$(dirname "$0")/../.."
med="${1:-/tmp/ward-medical.pcap}"
mix="${2:-/tmp/ward-bench.pcap}"
runs="${RUNS:-3}"
for f in "$med" "$mix"; do
	[ -f "$f" ] || { echo "no $f: make it with scripts/bench/make-capture.sh (see above)"; exit 1; }
done
bin=$(mktemp -d)/ward
trap 'rm -rf "$(dirname "$bin")"' EXIT
CGO_ENABLED=0 go build -o "$bin" ./cmd/ward

best() { # capture -> "seconds peak_kib" of the fastest run
	local cap=$1 tf s k bs="" bk=""
	cat "$cap" > /dev/null
	for _ in $(seq "$runs"); do
		tf=$(mktemp)
		GOMAXPROCS=1 /usr/bin/time -f "%e %M" -o "$tf" "$bin" analyze -progress never -format json "$cap" > /dev/null
		read -r s k < "$tf"; rm -f "$tf"
		if [ -z "$bs" ] || awk -v a="$s" -v b="$bs" 'BEGIN { exit !(a < b) }'; then bs=$s; bk=$k; fi
	done
	echo "$bs $bk"
}
report() { # name capture seconds kib
	local bytes; bytes=$(stat -c %s "$2")
	awk -v n="$1" -v s="$3" -v k="$4" -v b="$bytes" 'BEGIN {
		if (s < 0.01) s = 0.01
		printf "%-8s %8.2f s %9.1f MB/s %8.1f MiB peak\n", n, s, b/s/1e6, k/1024 }'
}
read -r ms mk < <(best "$med")
read -r xs xk < <(best "$mix")
report medical "$med" "$ms" "$mk"
report mixed "$mix" "$xs" "$xk"
awk -v ms="$ms" -v xs="$xs" -v mb="$(stat -c %s "$med")" -v xb="$(stat -c %s "$mix")" 'BEGIN {
	printf "medical vs mixed throughput: %.2fx (target >= 1)\n", (mb/ms)/(xb/xs) }'
