#!/bin/sh
# Records the HL7 test captures on loopback and extracts their stream heads
# into the testdata directory above. Needs node (20 or later), npm, tcpdump,
# tshark and python3; run as root (tcpdump on lo). The captures stay in
# $HL7LAB (default /tmp/hl7lab); only the heads are kept in the repository.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
lab=${HL7LAB:-/tmp/hl7lab}
heads=$here/../../../dissecttest/heads.py

mkdir -p "$lab"
cp "$here/package.json" "$here/lab.mjs" "$lab/"
(cd "$lab" && npm install --no-audit --no-fund --no-package-lock)

record() { # scenario port name
	tcpdump -i lo -U -w "$lab/$3.pcap" "tcp port $2" >/dev/null 2>&1 &
	pid=$!
	trap 'kill "$pid" 2>/dev/null' EXIT
	sleep 1
	node "$lab/lab.mjs" "$1"
	sleep 1
	kill "$pid"
	wait "$pid" || true
	trap - EXIT
	python3 "$heads" "$lab/$3.pcap" 0 "$here/../$3.txt"
}

record adtAndDeviceData 2575 medplum-to-nodehl7
record batchFile 2576 nodehl7-batch-to-medplum
record segmented 2577 segmented-to-simplehl7
record serverSends 2578 server-sends-latin1
