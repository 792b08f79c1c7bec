#!/usr/bin/env bash
# Extracts, with tshark (an independent reader), the facts each golden
# capture must yield, as "who<TAB>key<TAB>value" rows in
# testdata/captures/golden/NAME.tshark.tsv. cmd/ward's TestAgainstTshark
# checks that `ward analyze` reports every one of them. It also lists, in
# NAME.secrets.txt, the passwords and community strings the capture
# carries, which TestNoSecrets checks never reach the output.
#
#   scripts/tshark-reference.sh        # needs Debian's tshark (4.0)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=testdata/captures/golden

# Ports the lab captures (testdata/captures/lab) carry DICOM and HL7 on,
# which tshark decodes only when told.
decode=(-d tcp.port==104,dicom -d tcp.port==11112,dicom -d tcp.port==4242,dicom
	-d tcp.port==2575,hl7 -d tcp.port==6661,hl7)

# field extraction: filter, who-field, value-field, ward key
extract() {
	local f=$1 filter=$2 who=$3 field=$4 key=$5
	tshark -n "${decode[@]}" -r "$f" -Y "$filter" -T fields -E occurrence=f -e "$who" -e "$field" 2>/dev/null |
		awk -F'\t' -v k="$key" '$1 != "" && $2 != "" { printf "%s\t%s\t%s\n", $1, k, $2 }'
}

for f in "$dir"/*.pcap "$dir"/*.pcapng testdata/captures/demo.pcapng testdata/captures/lab/*.pcap; do
	[ -f "$f" ] || continue
	out="${f%.*}.tshark.tsv"
	{
		extract "$f" 'dhcp.option.dhcp == 1 || dhcp.option.dhcp == 3' dhcp.hw.mac_addr dhcp.option.hostname hostname
		extract "$f" 'dhcp.option.dhcp == 1 || dhcp.option.dhcp == 3' dhcp.hw.mac_addr dhcp.option.vendor_class_id vendor_class
		extract "$f" lldp eth.src lldp.tlv.system.name hostname
		extract "$f" cdp eth.src cdp.deviceid hostname
		extract "$f" cdp eth.src cdp.platform model
		extract "$f" 'http.request' ip.src http.user_agent http_user_agent
		extract "$f" 'http.response && !ssdp' ip.src http.server http_server
		extract "$f" 'ssdp' ip.src http.server ssdp_server
		extract "$f" 'tls.handshake.type == 1' ip.dst tls.handshake.extensions_server_name tls_sni
		extract "$f" 'tls.handshake.type == 1' ip.src tls.handshake.ja3 ja3
		extract "$f" 'ssh.protocol && tcp.srcport == 22' ip.src ssh.protocol ssh_banner
		# tshark shows an empty NTLM string as NULL.
		extract "$f" 'ntlmssp.auth.hostname' ip.src ntlmssp.auth.hostname hostname | grep -v $'\tNULL$' || true
		extract "$f" 'ftp.response.code == 220' ip.src ftp.response.arg ftp_banner
		extract "$f" 'smb2.cmd == 0 && smb2.flags.response == 1' ip.src smb2.dialect smb_dialect |
			awk -F'\t' -v OFS='\t' '{ sub(/^0x0/, "", $3); $3 = substr($3, 1, 1) "." substr($3, 2, 1) (substr($3, 3) == "0" ? "" : "." substr($3, 3)); print }'
		extract "$f" 'nbns.flags.opcode == 5' ip.src nbns.name hostname |
			awk -F'\t' -v OFS='\t' '$3 ~ /<00>$/ { sub(/<00>$/, "", $3); print }'
		# Names DNS gives an address are kept only for addresses that sent
		# packets: Ward lists devices seen on the wire, not every answer.
		extract "$f" 'dns.flags.response == 1 && udp.srcport == 53 && dns.a' dns.a dns.qry.name dns_name |
			awk -F'\t' 'NR == FNR { sent[$1] = 1; next } sent[$1]' \
				<(tshark -n -r "$f" -T fields -e ip.src 2>/dev/null | sort -u) -
		extract "$f" 'llmnr && dns.flags.response == 1' ip.src dns.qry.name hostname
		extract "$f" 'snmp.data == 2 && snmp.name == 1.3.6.1.2.1.1.5.0' ip.src snmp.value.octets hostname |
			perl -F'\t' -lane 'print join("\t", @F[0,1], $F[2] =~ /^([0-9a-f]{2})+$/ ? pack("H*", $F[2]) : $F[2])' 
		# DICOM associations: the AE titles of both ends, the requestor's
		# implementation class UID and version name.
		extract "$f" 'dicom.pdu.type == 1' ip.src dicom.assoc.ae.calling dicom_ae_title | sed "s/ *$//"
		extract "$f" 'dicom.pdu.type == 1' ip.dst dicom.assoc.ae.called dicom_ae_title | sed "s/ *$//"
		extract "$f" 'dicom.pdu.type == 1' ip.src dicom.userinfo.uid dicom_implementation_class_uid
		extract "$f" 'dicom.pdu.type == 1' ip.src dicom.userinfo.version dicom_implementation_version
		# HL7 v2: the type of each message its sender sent, "ORU^R01" (tshark
		# gives the code and the trigger event apart; an ACK may have none).
		tshark -n "${decode[@]}" -r "$f" -Y hl7 -T fields -E occurrence=f \
			-e ip.src -e hl7.message.type -e hl7.event.type 2>/dev/null |
			awk -F'\t' -v OFS='\t' '$2 != "" { print $1, "hl7_message_type", $2 ($3 != "" ? "^" $3 : "") }'
	} | sort -u > "$out"
	echo "$(wc -l < "$out") facts in $out"
	# Secrets the capture carries, which no output may contain.
	sec="${f%.*}.secrets.txt"
	{
		tshark -n -r "$f" -Y snmp -T fields -e snmp.community
		tshark -n -r "$f" -Y 'ftp.request.command == "PASS"' -T fields -e ftp.request.arg
		tshark -n -r "$f" -Y http.authbasic -T fields -e http.authbasic | sed 's/^[^:]*://'
	} 2>/dev/null | awk 'length($0) > 0' | sort -u > "$sec"
	[ -s "$sec" ] || rm -f "$sec"
done
