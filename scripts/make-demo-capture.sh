#!/usr/bin/env bash
# Rebuilds testdata/captures/demo.pcapng from public captures in the shared
# corpus (see testdata/captures/SOURCE.md). Needs mergecap (Debian: tshark).
set -euo pipefail
cd "$(dirname "$0")/.."
c="${WARD_CORPUS:-../shared/corpus}/pcaps"
mergecap -F pcapng -w testdata/captures/demo.pcapng \
	"$c/suricata/output-eve-ftp-data_input.pcap" \
	"$c/tcpdump/tests_LLDP_and_CDP.pcap" \
	"$c/suricata/tls_tls-cert-issuer_tls.pcap" \
	"$c/suricata/snmp-v2c-get_SNMPv2c_get_requests.pcap" \
	"$c/tcpdump/tests_dhcp-mud.pcap"
