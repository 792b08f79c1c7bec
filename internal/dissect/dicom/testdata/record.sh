#!/bin/sh
# record.sh records the DICOM test connections with DCMTK and writes their
# heads as testdata/*.txt (see SOURCE.md). It runs as root in a network
# namespace of its own, so that the servers it starts listen on a loopback
# nothing else can reach. It needs the Debian packages dcmtk, tcpdump,
# tshark (and util-linux's unshare, iproute2's ip). Every patient attribute
# is invented: PatientName WARDTEST^PLANTED, PatientID 9434765919.
set -eu

if [ "${RECORD_NETNS:-}" != 1 ]; then
	RECORD_NETNS=1 exec unshare --net sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi

here=$(cd "$(dirname "$0")" && pwd)
heads=$here/../../dissecttest/heads.py
work=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
cd "$work"

port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start runs a server in the background and remembers its pid.
start() {
	"$@" >"$work/server.log" 2>&1 &
	pids="$pids $!"
	sleep 1
}

# stop ends the servers started since the last stop.
stop() {
	for p in $pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	pids=""
}

# capture NAME PORT COMMAND...: records COMMAND's traffic on PORT to NAME.pcap.
capture() {
	name=$1 p=$2
	shift 2
	tcpdump -i lo -U -w "$name.pcap" "tcp port $p" >/dev/null 2>&1 &
	tcpdump=$!
	sleep 1
	"$@" || true
	sleep 1
	kill -INT "$tcpdump"
	wait "$tcpdump" || true
}

# save NAME STREAM: writes one connection of NAME.pcap as testdata/NAME.txt.
save() {
	python3 "$heads" "$1.pcap" "${2:-0}" "$here/$1.txt"
}

# An 8x8 CT image with invented patient attributes.
cat >ct.dump <<'DUMP'
(0008,0008) CS [ORIGINAL\PRIMARY\AXIAL]
(0008,0016) UI =CTImageStorage
(0008,0018) UI [2.25.302398476121209845934826739150123410001]
(0008,0020) DA [20240102]
(0008,0060) CS [CT]
(0008,0070) LO [WARD TEST MODALITY]
(0010,0010) PN [WARDTEST^PLANTED]
(0010,0020) LO [9434765919]
(0010,0030) DA [19700101]
(0020,000d) UI [2.25.302398476121209845934826739150123410002]
(0020,000e) UI [2.25.302398476121209845934826739150123410003]
(0020,0013) IS [1]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 8
(0028,0011) US 8
(0028,0100) US 16
(0028,0101) US 12
(0028,0102) US 11
(0028,0103) US 0
(7fe0,0010) OW 0000\0001\0002\0003\0004\0005\0006\0007\0008\0009\000a\000b\000c\000d\000e\000f\0010\0011\0012\0013\0014\0015\0016\0017\0018\0019\001a\001b\001c\001d\001e\001f\0020\0021\0022\0023\0024\0025\0026\0027\0028\0029\002a\002b\002c\002d\002e\002f\0030\0031\0032\0033\0034\0035\0036\0037\0038\0039\003a\003b\003c\003d\003e\003f
DUMP
dump2dcm ct.dump ct.dcm

# A worklist entry for the same invented patient.
mkdir -p wl/WARD_MWL
: >wl/WARD_MWL/lockfile
cat >wl.dump <<'DUMP'
(0008,0005) CS [ISO_IR 100]
(0008,0050) SH [ACC0001]
(0010,0010) PN [WARDTEST^PLANTED]
(0010,0020) LO [9434765919]
(0010,0030) DA [19700101]
(0010,0040) CS [O]
(0010,2000) LO
(0010,2110) LO
(0020,000d) UI [2.25.302398476121209845934826739150123410002]
(0032,1032) PN
(0032,1060) LO [WARD TEST EXAM]
(0040,0100) SQ
(fffe,e000) -
(0008,0060) CS [CT]
(0032,1070) LO
(0040,0001) AE [WARD_CT]
(0040,0002) DA [20240102]
(0040,0003) TM [090000]
(0040,0006) PN
(0040,0007) LO [WARD TEST STEP]
(0040,0009) SH [SPS0001]
(0040,0010) SH [WARDCT1]
(0040,0011) SH [ROOM1]
(0040,0012) LO
(0040,0400) LT
(fffe,e00d) -
(fffe,e0dd) -
(0040,1001) SH [RP0001]
(0040,1003) SH [LOW]
DUMP
dump2dcm wl.dump wl/WARD_MWL/entry.wl

mkdir -p store
p=$(port)
start storescp -aet WARD_PACS -od store "$p"
capture echo "$p" echoscu -aet WARD_CT -aec WARD_PACS 127.0.0.1 "$p"
capture store "$p" storescu -aet WARD_CT -aec WARD_PACS 127.0.0.1 "$p" ct.dcm
capture abort "$p" echoscu --abort -aet WARD_CT -aec WARD_PACS 127.0.0.1 "$p"
stop

p=$(port)
start storescp --refuse -aet WARD_PACS -od store "$p"
capture reject "$p" echoscu -aet WARD_CT -aec WARD_PACS 127.0.0.1 "$p"
stop

p=$(port)
start wlmscpfs -dfp wl "$p"
capture worklist "$p" findscu -W -aet WARD_CT -aec WARD_MWL \
	-k "(0010,0010)" -k "(0010,0020)" -k "(0040,0100)[0].Modality=CT" 127.0.0.1 "$p"
stop

# A query/retrieve SCP holding the CT image, asked by a workstation.
p=$(port)
mkdir -p qr
cat >qr.cfg <<CFG
NetworkTCPPort = $p
MaxPDUSize = 16384
MaxAssociations = 4
HostTable BEGIN
ward_ws = (WARD_WS, 127.0.0.1, 1)
HostTable END
VendorTable BEGIN
VendorTable END
AETable BEGIN
WARD_QR $work/qr RW (10, 1024mb) ANY
AETable END
CFG
start dcmqrscp -c qr.cfg
storescu -aet WARD_CT -aec WARD_QR 127.0.0.1 "$p" ct.dcm
capture find "$p" findscu -S -aet WARD_WS -aec WARD_QR \
	-k QueryRetrieveLevel=STUDY -k StudyInstanceUID 127.0.0.1 "$p"
capture get "$p" getscu -S -aet WARD_WS -aec WARD_QR -od store \
	-k QueryRetrieveLevel=STUDY \
	-k StudyInstanceUID=2.25.302398476121209845934826739150123410002 127.0.0.1 "$p"
stop

for name in echo store abort reject worklist find get; do
	save "$name"
done
