#!/usr/bin/env bash
# Records testdata/captures/lab/: a small capture of a hospital ward's clinical
# network segment, made by real third-party implementations (dnsmasq, lldpd,
# busybox udhcpc, dig, dcmtk, node HL7 libraries, wsdd) that run in network
# namespaces this script creates and deletes again. The hosts meet on a bridge
# inside one of those namespaces; nothing is attached to the host's own
# interfaces, and every server refuses to start outside its lab namespace.
# What the capture holds is in testdata/captures/lab/SOURCE.md.
#
#   sudo scripts/lab/record-medical.sh
#
# Needs Debian's iproute2 tcpdump dnsmasq-base lldpd busybox bind9-dnsutils
# ethtool wsdd dcmtk perl tshark, and node 20 or later with npm (it installs
# the missing Debian packages, and the HL7 libraries into $WARD_LAB_NPM).
set -euo pipefail

cd "$(dirname "$0")/../.."
repo=$PWD
lab_dir=$repo/scripts/lab
out=${WARD_LAB_OUT:-$repo/testdata/captures/lab}
# WARD_LAB_CT_MATRIX sets the CT slices' rows and columns: 512 by default,
# as real CT slices are (512 KiB of pixels each), so that the DICOM traffic
# has the shape of a real study's; a smaller matrix makes a lighter capture.
ct_matrix=${WARD_LAB_CT_MATRIX:-512}
[[ $ct_matrix =~ ^[0-9]+$ ]] && [ "$ct_matrix" -ge 16 ] && [ "$ct_matrix" -le 1024 ] ||
	{ echo "WARD_LAB_CT_MATRIX: want a number from 16 to 1024" >&2; exit 2; }
npm_dir=${WARD_LAB_NPM:-/tmp/wardlab-npm} # the HL7 libraries, installed once
# WARD_LAB_KEEP=1 keeps the logs and scratch files of a run.

lab=wardlab-$$
subnet=10.77.7
domain=ward7.nhs.test
engine_device_port=2575
engine_adt_port=6661
mwl_port=4242

# The hosts: short name, MAC (IEEE OUI of the vendor named), address, how the
# address is got, host name. DHCP hosts get their address from a reservation.
hosts=(
	"infra  00:b1:e3:07:00:01 $subnet.1  static ward7-sw01"   # Cisco Systems, Inc
	"pacs   88:b4:36:07:00:10 $subnet.10 static pacs01"       # FUJIFILM Corporation
	"engine c8:f7:50:07:00:40 $subnet.40 static hl7-engine"   # Dell Inc.
	"pas    00:15:5d:07:00:50 $subnet.50 static pas-epr01"    # Microsoft Corporation
	"ct     88:4b:39:07:00:21 $subnet.21 dhcp   CT01-WARD7"   # Siemens AG, Healthcare Sector
	"ws     98:e7:43:07:00:22 $subnet.22 dhcp   WS-RAD01"     # Dell Inc.
	"mon    00:09:5c:07:00:31 $subnet.31 dhcp   PIC-IX-GW01"  # Philips Medical Systems (CM)
	"pump   00:12:21:07:00:32 $subnet.32 dhcp   BBRAUN-OLS01" # B.Braun Melsungen AG
)

say() { printf '==> %s\n' "$*"; }
die() {
	printf 'record-medical: %s\n' "$*" >&2
	exit 1
}

field() { # field HOST N: the Nth column of HOST's row in hosts
	local row
	for row in "${hosts[@]}"; do
		read -r -a f <<<"$row"
		if [[ ${f[0]} == "$1" ]]; then
			echo "${f[$2]}"
			return
		fi
	done
	die "no host $1"
}
ip_of() { field "$1" 2; }
ns() { echo "$lab-$1"; }

# --- preflight ---------------------------------------------------------------

[[ $EUID -eq 0 ]] || die "run as root: sudo $0"

need_packages() {
	local -A pkg=(
		[ip]=iproute2 [tcpdump]=tcpdump [dnsmasq]=dnsmasq-base [lldpd]=lldpd
		[busybox]=busybox [dig]=bind9-dnsutils [ethtool]=ethtool [wsdd]=wsdd
		[dump2dcm]=dcmtk [storescp]=dcmtk [dcmqrscp]=dcmtk [perl]=perl
		[tshark]=tshark
	)
	local cmd absent=()
	for cmd in "${!pkg[@]}"; do
		command -v "$cmd" >/dev/null || absent+=("${pkg[$cmd]}")
	done
	if ((${#absent[@]})); then
		mapfile -t absent < <(printf '%s\n' "${absent[@]}" | sort -u)
		say "installing ${absent[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"${absent[@]}" >/dev/null || die "apt-get install failed (apt-get update first?)"
	fi
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		die "node 20 or later and npm are needed (apt-get install nodejs npm)"
	fi
	local major
	major=$(node -p 'process.versions.node.split(".")[0]')
	((major >= 20)) || die "node $major is too old: node-hl7-server needs 20 or later"
}

need_npm() {
	if cmp -s "$lab_dir/hl7/package.json" "$npm_dir/package.json" &&
		[[ -f $npm_dir/.installed ]]; then
		return
	fi
	say "installing the HL7 libraries into $npm_dir"
	rm -rf "$npm_dir"
	mkdir -p "$npm_dir"
	cp "$lab_dir/hl7/package.json" "$npm_dir/"
	(cd "$npm_dir" && npm install --no-package-lock --no-audit --no-fund --loglevel=error)
	touch "$npm_dir/.installed"
}

need_packages
need_npm

tmp=$(mktemp -d /tmp/wardlab.XXXXXX)
chmod 755 "$tmp"
host_netns=$(readlink /proc/self/ns/net)
created=() # namespaces made by this run
pids=()    # background processes started by this run
made_lldpd_dir=

# --- teardown ----------------------------------------------------------------

cleanup() {
	local rc=$? pid n
	set +e
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	sleep 0.3
	# Whatever is still running in a lab namespace was started by this run.
	for n in "${created[@]}"; do
		for pid in $(ip netns pids "$n" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
	done
	for n in "${created[@]}"; do
		ip netns del "$n" 2>/dev/null
		rm -rf "/etc/netns/$n"
	done
	rmdir /etc/netns 2>/dev/null
	# lldpd makes its chroot itself; remove it if it was not there before.
	[[ -n $made_lldpd_dir ]] && rm -rf /run/lldpd
	if ((rc != 0)); then
		for f in "$tmp"/*.log; do
			[[ -s $f ]] || continue
			printf -- '--- %s\n' "${f##*/}" >&2
			tail -n 15 "$f" >&2
		done
		printf 'record-medical: failed (exit %d); namespaces deleted\n' "$rc" >&2
	fi
	if [[ -n ${WARD_LAB_KEEP:-} ]]; then
		printf 'record-medical: logs kept in %s\n' "$tmp" >&2
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- namespace guard ---------------------------------------------------------

# guard refuses to go on unless namespace $1 was made by this run, is not the
# host's namespace, and holds only the interfaces this script put there.
guard() {
	local n=$1 id links want
	[[ " ${created[*]} " == *" $n "* ]] || die "refusing: $n was not made by this run"
	id=$(netns_id "$n")
	[[ -n $id && $id != "$host_netns" ]] || die "refusing: $n is the host's network namespace"
	links=$(ip -n "$n" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | xargs)
	if [[ $n == "$(ns sw)" ]]; then
		want=$(printf '%s\n' br0 lo "${ports[@]}" | sort | xargs)
	else
		want="eth0 lo"
	fi
	[[ $links == "$want" ]] || die "refusing: $n has links [$links], want [$want]"
}

# guard_sh runs as the first thing inside a lab namespace: it checks, from
# within, that it is in namespace $1 and not the host's ($2), and only then
# execs the command that follows.
# shellcheck disable=SC2016 # expanded by the inner shell, not this one
guard_sh='here=$(readlink /proc/self/ns/net)
if [[ $here != "$1" || $here == "$2" ]]; then
	echo "guard: in $here, want lab namespace $1" >&2
	exit 99
fi
shift 2
exec "$@"'

netns_id() { ip netns exec "$1" readlink /proc/self/ns/net; }

# run runs a command in host $1's namespace, in the foreground.
run() {
	local n
	n=$(ns "$1")
	shift
	guard "$n"
	ip netns exec "$n" /bin/bash -c "$guard_sh" guard "$(netns_id "$n")" "$host_netns" "$@"
}

# start runs a command in host $1's namespace in the background, logging to
# $tmp/$2.log. Its pid (ip execs bash, which execs the command) is kept in
# pids and in pid_of[$2].
declare -A pid_of
start() {
	local n log=$2 id
	n=$(ns "$1")
	shift 2
	guard "$n"
	id=$(netns_id "$n")
	ip netns exec "$n" /bin/bash -c "$guard_sh" guard "$id" "$host_netns" "$@" \
		>"$tmp/$log.log" 2>&1 &
	pids+=($!)
	pid_of[$log]=$!
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds
	local end=$((SECONDS + $1)) what=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		((SECONDS < end)) || die "timed out waiting for $what"
		sleep 0.2
	done
}

stop() { # stop LOG: SIGTERM the process started under LOG and wait for it
	kill -TERM "${pid_of[$1]}" 2>/dev/null || true
	wait "${pid_of[$1]}" 2>/dev/null || true
}

listening() { # listening HOST PORT: a TCP listener on PORT in HOST's namespace
	ip netns exec "$(ns "$1")" ss -Hltn "sport = :$2" | grep -q LISTEN
}

# --- inputs ------------------------------------------------------------------

make_dicom() {
	local d=$tmp/dicom n
	mkdir -p "$d" "$tmp/mwl/PACS_MWL" "$tmp/pacs104" "$tmp/pacsqr" "$tmp/wsrx"
	# An NxN 12-bit slice (a bright disc in a ring) and a 64x48 RGB screen.
	perl -e '$n = $ARGV[0]; $c = $n / 2; for $y (0..$n-1) { for $x (0..$n-1) {
		$r = sqrt(($x - $c) ** 2 + ($y - $c) ** 2) * 64 / $n;
		print pack("v", $r < 26 ? 1064 + ($x * 3 + $y) % 40 : ($r < 29 ? 2024 : 0)) } }' \
		"$ct_matrix" >"$d/ct-pixels.raw"
	perl -e 'for $y (0..47) { for $x (0..63) { print pack("CCC", $x * 4, $y * 5, 128) } }' \
		>"$d/sc-pixels.raw"
	for n in 1 2 3; do
		sed -e "s/@SOPUID@/2.25.20707070707070707070707071$n/" \
			-e "s/@INSTANCE@/$n/" -e "s/@POSITION@/-$((45 + 5 * n)).0/" \
			-e "s/@MATRIX@/$ct_matrix/" \
			"$lab_dir/dicom/ct-image.dump" >"$d/ct$n.dump"
		(cd "$d" && dump2dcm -q +te "ct$n.dump" "ct$n.dcm")
	done
	(cd "$d" && dump2dcm -q +te "$lab_dir/dicom/sc-dose.dump" sc.dcm)
	dump2dcm -q +te "$lab_dir/dicom/worklist.dump" "$tmp/mwl/PACS_MWL/wklist1.wl"
	: >"$tmp/mwl/PACS_MWL/lockfile"
	sed "s#@DB@#$tmp/pacsqr#" "$lab_dir/dicom/dcmqrscp.cfg" >"$tmp/dcmqrscp.cfg"
}

make_configs() {
	cat >"$tmp/udhcpc.script" <<-'EOF'
		#!/bin/sh
		# udhcpc event hook for the lab: configures the namespace's eth0 only
		# (no resolv.conf, no hostname: those belong to the host).
		case "$1" in
		deconfig) ip -4 addr flush dev "$interface" ;;
		bound | renew)
			ip -4 addr flush dev "$interface"
			ip addr add "$ip/${mask:-24}" dev "$interface"
			[ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
			;;
		esac
		exit 0
	EOF
	chmod 755 "$tmp/udhcpc.script"

	cat >"$tmp/lldpd.conf" <<-EOF
		configure system hostname ward7-sw01
		configure system description "Ward 7 clinical access switch (lab, lldpd)"
		configure system platform "Ward lab switch"
		configure system capabilities enabled bridge,router
		configure lldp tx-interval 10
		configure ports eth0 lldp portidsubtype local Gi1/0/7 description "WARD7 clinical devices"
		configure med fast-start enable
		configure med fast-start tx-interval 1
		configure ports eth0 med location address country GB city Testtown building "Tower B" floor 3 room "Ward 7"
		configure ports eth0 med policy application voice vlan 70 priority voice dscp 46
		configure inventory hardware-revision "lab-1"
		configure inventory software-revision "lldpd 1.0.16"
		configure inventory firmware-revision "lab-1"
		configure inventory serial-number "LABSW0001"
		configure inventory manufacturer "Ward lab"
		configure inventory model "ward7-access"
		configure inventory asset "WARD7-SW01"
	EOF

	cat >"$tmp/lldpd-ct.conf" <<-EOF
		configure system hostname CT01-WARD7
		configure system description "SOMATOM go.Up (ward lab)"
		configure system platform "SOMATOM go.Up"
		configure system capabilities enabled station
		configure lldp tx-interval 10
		configure inventory hardware-revision "lab"
		configure inventory software-revision "syngo CT VA40A"
		configure inventory firmware-revision "lab"
		configure inventory serial-number "LAB00042"
		configure inventory manufacturer "Siemens Healthineers"
		configure inventory model "SOMATOM go.Up"
		configure inventory asset "CT01-WARD7"
	EOF
}

# --- network -----------------------------------------------------------------

ports=()

make_netns() { # make_netns NAME: a fresh namespace with IPv6 off
	local n=$1
	[[ ! -e /run/netns/$n ]] || die "namespace $n already exists"
	ip netns add "$n"
	created+=("$n")
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	mkdir -p "/etc/netns/$n"
	# Anything in the namespace that resolves names asks the lab's dnsmasq.
	printf 'search %s\nnameserver %s\n' "$domain" "$(ip_of infra)" >"/etc/netns/$n/resolv.conf"
}

no_offload() { # no_offload NS DEV: MTU-sized frames with real checksums
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1
}

make_network() {
	local sw row
	sw=$(ns sw)
	make_netns "$sw"
	ip -n "$sw" link add br0 type bridge stp_state 0 mcast_snooping 0
	# Forward LLDP (01:80:c2:00:00:0e) like a hub rather than swallow it.
	ip netns exec "$sw" sh -c 'echo 16384 >/sys/class/net/br0/bridge/group_fwd_mask'
	for row in "${hosts[@]}"; do
		read -r -a f <<<"$row"
		local h=${f[0]} mac=${f[1]} n
		n=$(ns "$h")
		make_netns "$n"
		ip link add eth0 netns "$n" address "$mac" type veth peer name "p-$h" netns "$sw"
		ports+=("p-$h")
		no_offload "$n" eth0
		no_offload "$sw" "p-$h"
		ip -n "$sw" link set "p-$h" master br0 up
		ip -n "$n" link set lo up
	done
	ip -n "$sw" link set br0 up
	# Links come up before the capture starts and before any address is set,
	# so that the bridge is forwarding on every port when the first frame
	# comes (carrier changes reach the bridge a moment late).
	for row in "${hosts[@]}"; do
		read -r -a f <<<"$row"
		ip -n "$(ns "${f[0]}")" link set eth0 up
	done
	guard "$sw"
	wait_for 10 "the bridge to forward on every port" all_forwarding
}

all_forwarding() {
	local n
	n=$(ip netns exec "$(ns sw)" bridge link show | grep -c 'state forwarding')
	((n == ${#hosts[@]}))
}

up_static() { # up_static HOST: the address is configured by hand, as on a server
	local h=$1 n
	n=$(ns "$h")
	guard "$n"
	ip -n "$n" addr add "$(ip_of "$h")/24" dev eth0
	[[ $h == infra ]] || ip -n "$n" route add default via "$(ip_of infra)"
	# Announce the address with a gratuitous ARP, as most stacks do.
	run "$h" busybox arping -q -U -c 1 -w 1 -I eth0 "$(ip_of "$h")" || true
}

up_dhcp() { # up_dhcp HOST [UDHCPC_OPTION...]: busybox udhcpc, releasing on exit
	local h=$1
	shift
	start "$h" "udhcpc-$h" busybox udhcpc -f -R -i eth0 -s "$tmp/udhcpc.script" \
		-x "hostname:$(field "$h" 4)" -t 5 -T 1 -A 2 -O ntpsrv -O domain "$@"
}

has_lease() { ip -n "$(ns "$1")" -4 addr show dev eth0 | grep -q "inet $(ip_of "$1")/"; }

# --- the lab -----------------------------------------------------------------

start_capture() {
	start sw tcpdump tcpdump -i br0 -s 0 -n -U -Z root -w "$tmp/capture.pcap"
	wait_for 10 "tcpdump" grep -q 'listening on br0' "$tmp/tcpdump.log"
}

start_infra() {
	local row dhcp_hosts=() records=()
	up_static infra
	[[ -d /run/lldpd ]] || made_lldpd_dir=1
	# -l and -ccccc: send both LLDP and CDPv2, with or without neighbours.
	start infra lldpd lldpd -d -M 4 -l -ccccc -m "$(ip_of infra)" -I eth0 \
		-u "$tmp/lldpd.socket" -O "$tmp/lldpd.conf"
	for row in "${hosts[@]}"; do
		read -r -a f <<<"$row"
		local name=${f[4],,}
		if [[ ${f[3]} == dhcp ]]; then
			dhcp_hosts+=("--dhcp-host=${f[1]},${f[2]},$name")
		else
			records+=("--host-record=$name.$domain,$name,${f[2]}")
		fi
	done
	start infra dnsmasq dnsmasq --keep-in-foreground --conf-file=/dev/null --user=root \
		--no-resolv --no-hosts --no-poll --interface=eth0 --bind-interfaces \
		--pid-file="$tmp/dnsmasq.pid" --dhcp-leasefile="$tmp/dnsmasq.leases" \
		--domain="$domain" --local="/$domain/" --dhcp-fqdn \
		--dhcp-range="$subnet.100,$subnet.199,255.255.255.0,1h" --dhcp-authoritative \
		--dhcp-option=option:router,"$(ip_of infra)" \
		--dhcp-option=option:dns-server,"$(ip_of infra)" \
		--dhcp-option=option:ntp-server,"$(ip_of infra)" \
		"${dhcp_hosts[@]}" "${records[@]}" \
		--cname="pacs.$domain,pacs01.$domain" \
		--log-dhcp --log-queries --log-facility=-
	wait_for 10 "dnsmasq" grep -q 'DHCP, IP range' "$tmp/dnsmasq.log"
}

start_servers() {
	local h
	for h in pacs engine pas; do up_static "$h"; done
	start pacs storescp storescp -aet PACS_MAIN -od "$tmp/pacs104" 104
	start pacs dcmqrscp dcmqrscp -c "$tmp/dcmqrscp.cfg"
	start pacs wlmscpfs wlmscpfs -dfp "$tmp/mwl" "$mwl_port"
	start engine engine env NODE_PATH="$npm_dir/node_modules" \
		node "$lab_dir/hl7/engine.js" "$(ip_of engine)" "$engine_device_port" "$engine_adt_port"
	local port
	for port in 104 11112 "$mwl_port"; do
		wait_for 10 "the PACS on port $port" listening pacs "$port"
	done
	for port in "$engine_device_port" "$engine_adt_port"; do
		wait_for 10 "the HL7 engine on port $port" listening engine "$port"
	done
}

start_clients() {
	# The devices send udhcpc's own vendor class ("udhcp 1.35.0"), as embedded
	# Linux devices do; the workstation sends Windows' and checks the offered
	# address with an ARP probe first.
	up_dhcp ct
	up_dhcp ws -V "MSFT 5.0" -a500
	up_dhcp mon
	up_dhcp pump
	local h
	for h in ct ws mon pump; do wait_for 20 "a DHCP lease on $h" has_lease "$h"; done
	# The CT announces itself over LLDP-MED as a class I endpoint.
	start ct lldpd-ct lldpd -d -M 1 -m "$(ip_of ct)" -I eth0 \
		-u "$tmp/lldpd-ct.socket" -O "$tmp/lldpd-ct.conf"
}

lookups() {
	local dns
	dns=$(ip_of infra)
	q() { run "$1" dig +tries=1 +time=2 "@$dns" "${@:2}" >>"$tmp/dig.log"; }
	q ct pacs01.$domain A
	q ws pacs.$domain A
	q ws -x "$(ip_of pacs)"
	q ws wpad.$domain A
	q mon hl7-engine.$domain A
	q pump hl7-engine.$domain A
	q pas hl7-engine.$domain A
	q pas ct01-ward7.$domain A
}

dicom() {
	local pacs d=$tmp/dicom
	pacs=$(ip_of pacs)
	say "DICOM: CT01_WARD7 echo, worklist, store"
	run ct echoscu -aet CT01_WARD7 -aec PACS_MAIN "$pacs" 104
	run ct findscu -W -aet CT01_WARD7 -aec PACS_MWL \
		-k "ScheduledProcedureStepSequence[0].Modality=CT" \
		-k "ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT01_WARD7" \
		-k "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20250301" \
		-k "ScheduledProcedureStepSequence[0].ScheduledProcedureStepDescription" \
		-k PatientName -k PatientID -k PatientBirthDate -k PatientSex -k PatientAddress \
		-k AccessionNumber -k StudyInstanceUID -k RequestedProcedureDescription \
		-k AdmissionID -k MedicalAlerts \
		"$pacs" "$mwl_port" >"$tmp/findscu-mwl.log" 2>&1
	grep -q 'WARDTEST^PLANTED' "$tmp/findscu-mwl.log" || die "worklist query found no entry"
	run ct storescu -aet CT01_WARD7 -aec PACS_MAIN "$pacs" 104 \
		"$d/ct1.dcm" "$d/ct2.dcm" "$d/ct3.dcm" "$d/sc.dcm"
	run ct storescu -aet CT01_WARD7 -aec PACS_QR "$pacs" 11112 \
		"$d/ct1.dcm" "$d/ct2.dcm" "$d/ct3.dcm" "$d/sc.dcm"

	say "DICOM: WS_RAD01 echo, study query, move"
	run ws echoscu -aet WS_RAD01 -aec PACS_QR "$pacs" 11112
	run ws findscu -S -aet WS_RAD01 -aec PACS_QR -k QueryRetrieveLevel=STUDY \
		-k PatientID=9434765919 -k PatientName -k PatientBirthDate -k StudyDate \
		-k StudyInstanceUID -k AccessionNumber -k StudyDescription \
		"$pacs" 11112 >"$tmp/findscu-study.log" 2>&1
	grep -q 'PLANTEDACC7781' "$tmp/findscu-study.log" || die "study query found no study"
	run ws movescu -S -aet WS_RAD01 -aec PACS_QR -aem WS_RAD01 --port 11112 \
		-od "$tmp/wsrx" -k QueryRetrieveLevel=STUDY \
		-k StudyInstanceUID=2.25.207070707070707070707070701 "$pacs" 11112
	local got
	got=$(find "$tmp/wsrx" -type f | wc -l)
	((got == 4)) || die "C-MOVE delivered $got objects, want 4"
}

hl7() {
	local engine
	engine=$(ip_of engine)
	say "HL7: monitor gateway and pump server ORU^R01, PAS ADT"
	send() { run "$1" env NODE_PATH="$npm_dir/node_modules" node "$lab_dir/hl7/send.js" "${@:2}"; }
	send mon monitor "$engine" "$engine_device_port" &
	local mon=$!
	sleep 0.3
	send pump pump "$engine" "$engine_device_port"
	wait "$mon"
	send pas pas "$engine" "$engine_adt_port"
}

# write_outputs writes the captures into $tmp/out; check_outputs checks them
# there, and main moves them into testdata only when the checks pass.
write_outputs() {
	local o=$tmp/out
	mkdir -p "$o"
	cp "$tmp/capture.pcap" "$o/clinical-ward7.pcap"
	tcpdump -r "$o/clinical-ward7.pcap" -w "$o/lab-dicom.pcap" \
		"tcp port 104 or tcp port 11112 or tcp port $mwl_port" 2>/dev/null
	tcpdump -r "$o/clinical-ward7.pcap" -w "$o/lab-hl7.pcap" \
		"tcp port $engine_device_port or tcp port $engine_adt_port" 2>/dev/null
}

check_outputs() {
	local pcap=$tmp/out/clinical-ward7.pcap value missing=0
	while IFS= read -r value; do
		[[ -z $value || $value == '#'* ]] && continue
		if ! grep -qaF -- "$value" "$pcap"; then
			printf 'record-medical: planted value %q not in the capture\n' "$value" >&2
			missing=1
		fi
	done <"$repo/testdata/captures/lab/planted.txt"
	((missing == 0)) || die "planted values missing"
	local stray
	stray=$(tshark -r "$pcap" -T fields -e ip.src -e ip.dst \
		-e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 2>/dev/null |
		tr '\t,' '\n' | sort -u | grep -v -E -e "^$subnet\.[0-9]+$" -e '^$' \
		-e '^0\.0\.0\.0$' -e '^255\.255\.255\.255$' -e '^(22[4-9]|23[0-9])\.' || true)
	[[ -z $stray ]] || die "addresses outside $subnet.0/24 in the capture: $stray"
}

main() {
	make_dicom
	make_configs
	say "namespaces $lab-*"
	make_network
	start_capture
	say "infra: dnsmasq (DHCP, DNS), lldpd (LLDP-MED, CDP)"
	start_infra
	say "servers: PACS (storescp, dcmqrscp, wlmscpfs), HL7 engine"
	start_servers
	say "DHCP clients: CT, workstation, monitor gateway, pump server"
	start_clients
	say "WS-Discovery: wsdd on the workstation and the PAS"
	start ws wsdd-ws wsdd -4 -i eth0 -n WS-RAD01 -w WARD7 -p -s \
		-U 4f3d2a1e-7c6b-4d5a-9e8f-077700000022
	sleep 1
	start pas wsdd-pas wsdd -4 -i eth0 -n PAS-EPR01 -w WARD7 -p -s -D \
		-U 4f3d2a1e-7c6b-4d5a-9e8f-077700000050
	lookups
	dicom
	hl7
	sleep 3
	say "stopping: wsdd Bye, DHCP release"
	stop wsdd-pas
	stop wsdd-ws
	sleep 1.5 # let the IGMP leaves go out while the addresses are still there
	local h
	for h in ct ws mon pump; do stop "udhcpc-$h"; done
	sleep 1
	stop tcpdump
	write_outputs
	check_outputs
	mkdir -p "$out"
	mv "$tmp"/out/*.pcap "$out/"
	chown --reference="$out" "$out"/*.pcap
	say "wrote clinical-ward7.pcap, lab-dicom.pcap and lab-hl7.pcap in $out"
	tshark -r "$out/clinical-ward7.pcap" -q -z io,phs \
		-d tcp.port==104,dicom -d tcp.port==11112,dicom -d "tcp.port==$mwl_port,dicom" \
		-d "tcp.port==$engine_device_port,hl7" -d "tcp.port==$engine_adt_port,hl7" \
		2>/dev/null | sed -n '/^eth/,/^=/p' | head -40
}

main "$@"
