package fingerprint

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
)

// identifyCase is a device's MAC and facts and what Identify should make of
// them, each attribute as "value|confidence|rule". Values marked "corpus"
// were read from real captures with tshark (testdata/SOURCE.md).
type identifyCase struct {
	name  string
	mac   dissect.MAC
	attrs []Attr
	want  map[string]string
}

func a(source, key, value string) Attr {
	return Attr{Source: source, Key: key, Value: value, Confidence: dissect.High}
}

var (
	macVMware   = mac(0x00, 0x0c, 0x29, 0x03, 0xdf, 0xad)
	macApple    = mac(0x28, 0xcf, 0xda, 0xdc, 0x8d, 0x76)
	macCisco    = mac(0x00, 0x23, 0xeb, 0x10, 0x2c, 0x29)
	macSynology = mac(0x00, 0x11, 0x32, 0x17, 0x49, 0xf0)
	macIntel    = mac(0x00, 0x04, 0x23, 0x57, 0xa5, 0x7a)
	macRandom   = mac(0x92, 0xdd, 0xa4, 0x8d, 0x5f, 0xde)
	macPrivate  = mac(0x42, 0xb4, 0x44, 0xb4, 0xf0, 0xee)
	macPhilips  = mac(0x00, 0x09, 0xfb, 0x01, 0x02, 0x03)
	macRPi      = mac(0xb8, 0x27, 0xeb, 0x01, 0x02, 0x03)
	macAxis     = mac(0xac, 0xcc, 0x8e, 0x01, 0x02, 0x03)
)

var dhcpCases = []identifyCase{
	{"windows 10 vendor class and option 55 (corpus)", macVMware, []Attr{
		a("dhcp", "vendor_class", "MSFT 5.0"),
		a("dhcp", "dhcp_fingerprint", "1,3,6,15,31,33,43,44,46,47,121,249,252"),
		a("dhcp", "hostname", "DESKTOP-2AEFM7G"),
	}, map[string]string{"os": "Windows|65|dhcpfp-windows-10", "vendor": "VMware|60|oui"}},
	{"windows 10/11 option 55", dissect.MAC{}, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,3,6,15,31,33,43,44,46,47,119,121,249,252"),
	}, map[string]string{"os": "Windows|65|dhcpfp-windows-10"}},
	{"windows 7 on an Apple MAC (corpus)", macApple, []Attr{
		a("dhcp", "vendor_class", "MSFT 5.0"),
		a("dhcp", "dhcp_fingerprint", "1,15,3,6,44,46,47,31,33,121,249,43"),
	}, map[string]string{"os": "Windows|65|dhcpfp-windows-7", "vendor": "Apple|60|oui"}},
	{"windows xp (corpus)", macIntel, []Attr{
		a("dhcp", "vendor_class", "MSFT 5.0"),
		a("dhcp", "dhcp_fingerprint", "1,15,3,6,44,46,47,31,33,249,43"),
	}, map[string]string{"os": "Windows XP|65|dhcpfp-windows-xp", "vendor": "Intel|60|oui"}},
	{"windows 2000 era (corpus)", dissect.MAC{}, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,15,3,6,44,46,47,31,33,43"),
	}, map[string]string{"os": "Windows|55|dhcpfp-windows-2000"}},
	{"windows vendor class alone", dissect.MAC{}, []Attr{a("dhcp", "vendor_class", "MSFT 5.0")},
		map[string]string{"os": "Windows|60|dhcp-msft"}},
	{"windows 98", dissect.MAC{}, []Attr{a("dhcp", "vendor_class", "MSFT 98")},
		map[string]string{"os": "Windows 98/ME|65|dhcp-msft-98"}},
	{"busybox udhcp on a random MAC (corpus)", macRandom, []Attr{
		a("dhcp", "vendor_class", "udhcp 1.36.1"),
		a("dhcp", "dhcp_fingerprint", "1,3,6,12,15,28,42,54,66,67,119"),
	}, map[string]string{"os": "Linux|65|dhcp-udhcp", "software": "BusyBox udhcp 1.36.1|65|dhcp-udhcp",
		"randomised": "true"}},
	{"raspberry pi dhcpcd on a Cisco MAC (corpus)", macCisco, []Attr{
		a("dhcp", "vendor_class", "dhcpcd-6.11.5:Linux-4.1.18-v7+:armv7l:BCM2709"),
		a("dhcp", "hostname", "raspberrypi"),
	}, map[string]string{"os": "Linux|70|dhcp-dhcpcd", "software": "dhcpcd 6.11.5|70|dhcp-dhcpcd",
		"vendor": "Cisco|60|oui", "category": "iot|55|dhcp-dhcpcd-raspberry-pi"}},
	{"raspberry pi dhcpcd, no MAC", dissect.MAC{}, []Attr{
		a("dhcp", "vendor_class", "dhcpcd-6.11.5:Linux-4.1.18-v7+:armv7l:BCM2709"),
	}, map[string]string{"os": "Linux|70|dhcp-dhcpcd", "software": "dhcpcd 6.11.5|70|dhcp-dhcpcd",
		"vendor": "Raspberry Pi|55|dhcp-dhcpcd-raspberry-pi", "category": "iot|55|dhcp-dhcpcd-raspberry-pi"}},
	{"android vendor class", macRandom, []Attr{
		a("dhcp", "vendor_class", "android-dhcp-11"),
		a("dhcp", "dhcp_fingerprint", "1,3,6,15,26,28,51,58,59,43"),
	}, map[string]string{"os": "Android 11|75|dhcp-android", "category": "mobile|75|dhcp-android",
		"randomised": "true"}},
	{"android option 55 alone", dissect.MAC{}, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,3,6,15,26,28,51,58,59,43,114"),
	}, map[string]string{"os": "Android|60|dhcpfp-android", "category": "mobile|60|dhcpfp-android"}},
	{"macbook with private address (corpus)", macPrivate, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,121,3,6,15,108,114,119,252,95,44,46"),
		a("dhcp", "hostname", "MacBookPro"),
	}, map[string]string{"os": "macOS|65|dhcpfp-macos", "vendor": "Apple|65|dhcpfp-macos", "randomised": "true"}},
	{"iphone option 55", macPrivate, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,121,3,6,15,119,252"),
	}, map[string]string{"os": "iOS|60|dhcpfp-ios", "vendor": "Apple|60|dhcpfp-ios",
		"category": "mobile|60|dhcpfp-ios", "randomised": "true"}},
	{"synology dhclient (corpus)", macSynology, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,28,2,3,15,6,12"),
		a("dhcp", "hostname", "nas1"),
	}, map[string]string{"os": "Linux|50|dhcpfp-dhclient", "vendor": "Synology|60|oui", "category": "nas|50|oui-nas-vendor"}},
	{"pop-os dhclient (corpus)", dissect.MAC{}, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,28,2,3,15,6,119,12,44,47,26,121,42,4,5,249,33,252"),
	}, map[string]string{"os": "Linux|50|dhcpfp-dhclient"}},
	{"systemd-networkd", dissect.MAC{}, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,3,6,12,15,28,42,51,54,58,59,119,121"),
	}, map[string]string{"os": "Linux|50|dhcpfp-systemd-networkd"}},
	{"aruba access point (corpus)", macVMware, []Attr{a("dhcp", "vendor_class", "ArubaAP")},
		map[string]string{"vendor": "Aruba|85|dhcp-aruba-ap", "category": "wireless-ap|85|dhcp-aruba-ap"}},
	{"cisco access point", dissect.MAC{}, []Attr{a("dhcp", "vendor_class", "Cisco AP c3700")},
		map[string]string{"vendor": "Cisco|85|dhcp-cisco-ap", "category": "wireless-ap|85|dhcp-cisco-ap"}},
	{"arista switch (corpus)", dissect.MAC{}, []Attr{a("dhcp", "vendor_class", "Arista")},
		map[string]string{"vendor": "Arista|70|dhcp-arista", "category": "switch|70|dhcp-arista"}},
	{"cisco phone vendor class", dissect.MAC{}, []Attr{
		a("dhcp", "vendor_class", "Cisco Systems, Inc. IP Phone CP-7965G"),
	}, map[string]string{"vendor": "Cisco|85|dhcp-cisco-phone", "category": "ip-phone|85|dhcp-cisco-phone",
		"model": "CP-7965G|85|dhcp-cisco-phone"}},
	{"polycom phone", dissect.MAC{}, []Attr{a("dhcp", "vendor_class", "Polycom-VVX411")},
		map[string]string{"vendor": "Polycom|80|dhcp-polycom", "category": "ip-phone|80|dhcp-polycom"}},
	{"vendor class from another source is ignored", dissect.MAC{}, []Attr{a("http", "vendor_class", "MSFT 5.0")},
		map[string]string{}},
}

var l2Cases = []identifyCase{
	{"cisco 3560 over CDP (corpus)", macCisco, []Attr{
		a("cdp", "model", "cisco WS-C3560G-24PS"),
		a("cdp", "software", "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(25)SEB4, RELEASE SOFTWARE (fc1)"),
		a("cdp", "capability", "switch"),
		a("cdp", "capability", "igmp"),
	}, map[string]string{"vendor": "Cisco|80|cisco-ios", "model": "WS-C3560G-24PS|80|cdp-platform",
		"category": "switch|70|lldp-bridge", "os": "Cisco IOS|80|cisco-ios",
		"software": "Cisco IOS 12.2(25)SEB4|80|cisco-ios"}},
	{"cisco over LLDP: bridge and router (corpus)", dissect.MAC{}, []Attr{
		a("lldp", "description", "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(44)SE, RELEASE SOFTWARE (fc1)\nCopyright (c) 1986-2008 by Cisco Systems, Inc.\nCompiled Sat 05-Jan-08 00:15 by weiliu"),
		a("lldp", "capability", "router"),
		a("lldp", "capability", "bridge"),
	}, map[string]string{"vendor": "Cisco|80|cisco-ios", "category": "switch|70|lldp-bridge",
		"os": "Cisco IOS|80|cisco-ios", "software": "Cisco IOS 12.2(44)SE|80|cisco-ios"}},
	{"ios xe", dissect.MAC{}, []Attr{
		a("snmp", "description", "Cisco IOS Software [Amsterdam], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.3.4, RELEASE SOFTWARE (fc3) Cisco IOS-XE Software, Version 17.3.4"),
	}, map[string]string{"vendor": "Cisco|85|cisco-ios-xe", "os": "Cisco IOS XE|85|cisco-ios-xe",
		"software": "Cisco IOS XE 17.3.4|85|cisco-ios-xe"}},
	{"ios xe software line", dissect.MAC{}, []Attr{
		a("snmp", "description", "Cisco IOS XE Software, Version 16.09.04"),
	}, map[string]string{"vendor": "Cisco|85|cisco-ios-xe", "os": "Cisco IOS XE|85|cisco-ios-xe",
		"software": "Cisco IOS XE 16.09.04|85|cisco-ios-xe"}},
	{"old ios", dissect.MAC{}, []Attr{
		a("snmp", "description", "Cisco Internetwork Operating System Software IOS (tm) C2950 Software (C2950-I6Q4L2-M), Version 12.1(22)EA14, RELEASE SOFTWARE (fc1)"),
	}, map[string]string{"vendor": "Cisco|80|cisco-ios-old", "os": "Cisco IOS|80|cisco-ios-old",
		"software": "Cisco IOS 12.1(22)EA14|80|cisco-ios-old"}},
	{"ip phone: telephone beats bridge", macPhilips, []Attr{
		a("lldp", "capability", "bridge"),
		a("lldp", "capability", "telephone"),
	}, map[string]string{"category": "ip-phone|85|lldp-telephone", "vendor": "Philips|60|oui"}},
	{"lldp-med class iii", dissect.MAC{}, []Attr{
		a("lldp", "med_device_type", "Endpoint Class III"),
		a("lldp", "manufacturer", "Koninklijke Philips N.V."),
		a("lldp", "model", "IntelliVue MX800"),
	}, map[string]string{"category": "ip-phone|85|lldp-med-phone", "vendor": "Philips|80|stated-manufacturer",
		"model": "IntelliVue MX800|75|stated-model"}},
	{"stated manufacturer beats the registry", macVMware, []Attr{
		a("mdns", "manufacturer", "  GE Healthcare "),
	}, map[string]string{"vendor": "GE Healthcare|80|stated-manufacturer"}},
	{"wireless access point", dissect.MAC{}, []Attr{
		a("lldp", "capability", "bridge"), a("lldp", "capability", "wlan-ap"),
	}, map[string]string{"category": "wireless-ap|80|lldp-wlan-ap"}},
	{"router only", dissect.MAC{}, []Attr{a("cdp", "capability", "router")},
		map[string]string{"category": "router|70|lldp-router", "vendor": "Cisco|55|cdp-speaker"}},
	{"repeater", dissect.MAC{}, []Attr{a("lldp", "capability", "repeater")},
		map[string]string{"category": "network-infrastructure|50|lldp-repeater"}},
	{"routes", dissect.MAC{}, []Attr{a("icmpv6", "router", "yes")},
		map[string]string{"category": "router|55|routes"}},
	{"cisco ip phone platform", dissect.MAC{}, []Attr{a("cdp", "model", "Cisco IP Phone 7965")},
		map[string]string{"category": "ip-phone|85|cisco-ip-phone-platform", "vendor": "Cisco|85|cisco-ip-phone-platform",
			"model": "IP Phone 7965|80|cdp-platform"}},
	{"stated software and os", dissect.MAC{}, []Attr{
		a("ssdp", "software", "Philips IntelliBridge 1.2"), a("lldp", "os", "VxWorks"),
	}, map[string]string{"software": "Philips IntelliBridge 1.2|70|stated-software", "os": "VxWorks|70|stated-os"}},
	{"nx-os", dissect.MAC{}, []Attr{
		a("snmp", "description", "Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 9.3(8), RELEASE SOFTWARE"),
	}, map[string]string{"os": "Cisco NX-OS|85|cisco-nx-os", "software": "Cisco NX-OS 9.3(8)|85|cisco-nx-os",
		"vendor": "Cisco|85|cisco-nx-os", "category": "switch|85|cisco-nx-os"}},
	{"asa", dissect.MAC{}, []Attr{
		a("snmp", "description", "Cisco Adaptive Security Appliance Version 9.8(4)"),
	}, map[string]string{"os": "Cisco ASA|85|cisco-asa", "software": "Cisco ASA 9.8(4)|85|cisco-asa",
		"vendor": "Cisco|85|cisco-asa", "category": "firewall|85|cisco-asa"}},
	{"junos", dissect.MAC{}, []Attr{
		a("snmp", "description", "Juniper Networks, Inc. ex2300-24p Ethernet Switch, kernel JUNOS 18.2R3-S2.9, Build date: 2020-01-08"),
	}, map[string]string{"os": "Junos|85|junos", "software": "Junos 18.2R3-S2.9|85|junos", "vendor": "Juniper|85|junos"}},
	{"fortigate", dissect.MAC{}, []Attr{a("snmp", "description", "FortiGate-60F")},
		map[string]string{"os": "FortiOS|80|fortigate", "vendor": "Fortinet|80|fortigate", "category": "firewall|80|fortigate"}},
	{"procurve", dissect.MAC{}, []Attr{
		a("snmp", "description", "HP J9773A 2530-24G-PoEP Switch, revision YA.16.02.0012"),
	}, map[string]string{"category": "switch|75|procurve-switch"}},
	{"aruba switch", dissect.MAC{}, []Attr{
		a("snmp", "description", "Aruba JL258A 2930F-8G-PoE+-2SFP+ Switch, revision WC.16.10.0009"),
	}, map[string]string{"category": "switch|75|procurve-switch"}},
	{"esxi", dissect.MAC{}, []Attr{
		a("snmp", "description", "VMware ESXi 7.0.3 build-19193900 VMware, Inc. x86_64"),
	}, map[string]string{"os": "VMware ESXi|85|esxi", "software": "VMware ESXi 7.0.3|85|esxi",
		"vendor": "VMware|85|esxi", "category": "hypervisor|85|esxi"}},
	{"synology from sysDescr", dissect.MAC{}, []Attr{a("upnp", "model", "DiskStation DS920+")},
		map[string]string{"vendor": "Synology|75|synology-nas", "category": "nas|75|synology-nas",
			"model": "DiskStation DS920+|75|stated-model"}},
}

var snmpCases = []identifyCase{
	{"ubuntu net-snmp (corpus)", dissect.MAC{}, []Attr{
		a("snmp", "description", "Linux ubuntu-512mb-sfo2-01 4.4.0-31-generic #50~14.04.1-Ubuntu SMP Wed Jul 13 01:07:32 UTC 2016 x86_64"),
	}, map[string]string{"os": "Linux (Ubuntu)|80|sysdescr-linux-ubuntu", "software": "Linux 4.4.0-31-generic|75|sysdescr-linux"}},
	{"plain linux", dissect.MAC{}, []Attr{a("snmp", "description", "Linux gw 5.10.0-21-amd64 #1 SMP Debian")},
		map[string]string{"os": "Linux|75|sysdescr-linux", "software": "Linux 5.10.0-21-amd64|75|sysdescr-linux"}},
	{"windows sysDescr", dissect.MAC{}, []Attr{
		a("snmp", "description", "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)"),
	}, map[string]string{"os": "Windows|75|sysdescr-windows"}},
	{"jetdirect", dissect.MAC{}, []Attr{
		a("snmp", "description", "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI24090012,CIDATE 09/18/2020"),
	}, map[string]string{"category": "printer|85|sysdescr-jetdirect", "vendor": "HP|85|sysdescr-jetdirect"}},
	{"ricoh", dissect.MAC{}, []Attr{a("snmp", "description", "RICOH IM C3000 1.00 / RICOH Network Printer C model")},
		map[string]string{"category": "printer|80|sysdescr-printer-vendors", "vendor": "Ricoh|80|sysdescr-printer-vendors"}},
	{"generic printer", dissect.MAC{}, []Attr{a("snmp", "description", "Zebra ZT410 label printer")},
		map[string]string{"category": "printer|55|sysdescr-printer"}},
	{"apc ups", dissect.MAC{}, []Attr{
		a("snmp", "description", "APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.7.2 PN:apc_hw05_aos_672.bin AF1:v6.7.2 AN1:apc_hw05_sumx_672.bin MN:AP9631 HR:05 SN: ZA1234567890 MD:01/01/2019)"),
	}, map[string]string{"category": "ups|85|apc-ups", "vendor": "APC|85|apc-ups"}},
}

var bannerCases = []identifyCase{
	{"openssh on ubuntu (corpus)", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_5.8p1 Debian-1ubuntu3")},
		map[string]string{"software": "OpenSSH 5.8p1|80|ssh-openssh", "os": "Linux (Ubuntu)|70|ssh-ubuntu"}},
	{"openssh 1.99 ubuntu", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-1.99-OpenSSH_6.6.1p1 Ubuntu-2ubuntu2")},
		map[string]string{"software": "OpenSSH 6.6.1p1|80|ssh-openssh", "os": "Linux (Ubuntu)|70|ssh-ubuntu"}},
	{"openssh plain (corpus)", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_5.9")},
		map[string]string{"software": "OpenSSH 5.9|80|ssh-openssh"}},
	{"openssh hpn (corpus)", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_6.6p1-hpn14v4")},
		map[string]string{"software": "OpenSSH 6.6p1-hpn14v4|80|ssh-openssh"}},
	{"openssh debian", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2")},
		map[string]string{"software": "OpenSSH 7.9p1|80|ssh-openssh", "os": "Linux (Debian)|70|ssh-debian"}},
	{"openssh raspbian", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_7.9p1 Raspbian-10+deb10u2")},
		map[string]string{"software": "OpenSSH 7.9p1|80|ssh-openssh", "os": "Linux (Raspbian)|70|ssh-raspbian"}},
	{"openssh freebsd", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_7.8 FreeBSD-20180909")},
		map[string]string{"software": "OpenSSH 7.8|80|ssh-openssh", "os": "FreeBSD|70|ssh-freebsd"}},
	{"openssh for windows", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_for_Windows_8.1")},
		map[string]string{"software": "OpenSSH for Windows 8.1|85|ssh-openssh-windows", "os": "Windows|85|ssh-openssh-windows"}},
	{"dropbear", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-dropbear_2019.78")},
		map[string]string{"software": "Dropbear SSH 2019.78|60|ssh-dropbear", "os": "Linux|60|ssh-dropbear"}},
	{"cisco ssh", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-Cisco-1.25")},
		map[string]string{"vendor": "Cisco|65|ssh-cisco", "os": "Cisco IOS|65|ssh-cisco"}},
	{"mikrotik", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-ROSSSH")},
		map[string]string{"vendor": "MikroTik|75|ssh-mikrotik", "os": "RouterOS|75|ssh-mikrotik", "category": "router|75|ssh-mikrotik"}},
	{"apache without version (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "Apache")},
		map[string]string{"software": "Apache httpd|70|http-apache"}},
	{"apache on fedora (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "Apache/2.4.6 (Fedora)")},
		map[string]string{"software": "Apache httpd 2.4.6|70|http-apache", "os": "Linux (Fedora)|60|http-server-distro"}},
	{"apache on ubuntu with module (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "Apache/2.2.8 (Ubuntu) DAV/2")},
		map[string]string{"software": "Apache httpd 2.2.8|70|http-apache", "os": "Linux (Ubuntu)|60|http-server-distro"}},
	{"apache on windows", dissect.MAC{}, []Attr{a("http", "http_server", "Apache/2.4.41 (Win64) OpenSSL/1.1.1c")},
		map[string]string{"software": "Apache httpd 2.4.41|70|http-apache", "os": "Windows|60|http-apache-windows"}},
	{"nginx (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "nginx/1.23.3")},
		map[string]string{"software": "nginx 1.23.3|70|http-nginx"}},
	{"nginx on ubuntu (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "nginx/1.18.0 (Ubuntu)")},
		map[string]string{"software": "nginx 1.18.0|70|http-nginx", "os": "Linux (Ubuntu)|60|http-server-distro"}},
	{"iis 7.5 (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "Microsoft-IIS/7.5")},
		map[string]string{"software": "Microsoft IIS 7.5|75|http-iis", "os": "Windows Server 2008 R2 / 7|78|http-iis-7-5"}},
	{"iis 6 (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "Microsoft-IIS/6.0")},
		map[string]string{"software": "Microsoft IIS 6.0|75|http-iis", "os": "Windows Server 2003|78|http-iis-6"}},
	{"iis 5.1", dissect.MAC{}, []Attr{a("http", "http_server", "Microsoft-IIS/5.1")},
		map[string]string{"software": "Microsoft IIS 5.1|75|http-iis", "os": "Windows 2000/XP|78|http-iis-5"}},
	{"iis 7.0", dissect.MAC{}, []Attr{a("http", "http_server", "Microsoft-IIS/7.0")},
		map[string]string{"software": "Microsoft IIS 7.0|75|http-iis", "os": "Windows Server 2008|78|http-iis-7"}},
	{"iis 8.5", dissect.MAC{}, []Attr{a("http", "http_server", "Microsoft-IIS/8.5")},
		map[string]string{"software": "Microsoft IIS 8.5|75|http-iis", "os": "Windows Server 2012 R2 / 8.1|78|http-iis-8-5"}},
	{"iis 10", dissect.MAC{}, []Attr{a("http", "http_server", "Microsoft-IIS/10.0")},
		map[string]string{"software": "Microsoft IIS 10.0|75|http-iis", "os": "Windows|75|http-iis"}},
	{"httpapi (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "Microsoft-HTTPAPI/2.0")},
		map[string]string{"os": "Windows|65|http-httpapi"}},
	{"lighttpd", dissect.MAC{}, []Attr{a("http", "http_server", "lighttpd/1.4.59")},
		map[string]string{"software": "lighttpd 1.4.59|70|http-lighttpd"}},
	{"goahead", dissect.MAC{}, []Attr{a("http", "http_server", "GoAhead-Webs")},
		map[string]string{"software": "GoAhead|45|http-goahead", "category": "iot|45|http-goahead"}},
	{"rompager", dissect.MAC{}, []Attr{a("http", "http_server", "Allegro-Software-RomPager/4.07 UPnP/1.0")},
		map[string]string{"software": "Allegro-Software-RomPager|40|http-embedded", "category": "iot|40|http-embedded"}},
	{"hp printer web server", dissect.MAC{}, []Attr{
		a("http", "http_server", "HP HTTP Server; HP LaserJet Pro M404dn - W1A53A; Serial Number: PHBBB00000; Built: Tue Jan 01, 2019"),
	}, map[string]string{"vendor": "HP|80|http-hp-printer", "category": "printer|80|http-hp-printer",
		"model": "HP LaserJet Pro M404dn|80|http-hp-printer"}},
	{"cisco-ios web server", dissect.MAC{}, []Attr{a("http", "http_server", "cisco-IOS")},
		map[string]string{"vendor": "Cisco|70|http-cisco-ios", "os": "Cisco IOS|70|http-cisco-ios"}},
}

var clientCases = []identifyCase{
	{"xp browser (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent",
		"Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.2.13) Gecko/20101203 Firefox/3.6.13 ( .NET CLR 3.5.30729; .NET4.0C) Creative ZENcast v1.02.10")},
		map[string]string{"os": "Windows XP|50|ua-windows-xp"}},
	{"windows 7 upnp agent (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Microsoft-Windows/6.1 UPnP/1.0")},
		map[string]string{"os": "Windows 7|50|ua-windows-7"}},
	{"windows delivery optimisation (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Microsoft-Delivery-Optimization/10.0")},
		map[string]string{"os": "Windows 10/11|55|ua-windows-delivery"}},
	{"windows 10 browser", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:62.0) Gecko/20100101 Firefox/62.0")},
		map[string]string{"os": "Windows 10/11|50|ua-windows-10"}},
	{"linux browser (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Mozilla/5.0 (X11; Linux i686; rv:24.0) Gecko/20100101 Firefox/24.0")},
		map[string]string{"os": "Linux|45|ua-linux"}},
	{"wget on darwin (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Wget/1.14 (darwin12.2.0)")},
		map[string]string{"os": "macOS|45|ua-macos"}},
	{"iphone safari", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15")},
		map[string]string{"os": "iOS 16|50|ua-iphone", "vendor": "Apple|50|ua-iphone", "category": "mobile|50|ua-iphone"}},
	{"ipad safari", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Mozilla/5.0 (iPad; CPU OS 15_2 like Mac OS X)")},
		map[string]string{"os": "iPadOS 15|50|ua-ipad", "vendor": "Apple|50|ua-ipad", "category": "tablet|50|ua-ipad"}},
	{"android chrome", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36")},
		map[string]string{"os": "Android 13|50|ua-android", "category": "mobile|50|ua-android"}},
	// Windows' UPnP host names itself so, but so do home and SOHO routers
	// (this one is a Cisco gateway in the demo capture): no OS from it.
	{"upnp device host (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "UPnP/1.0 UPnP/1.0 UPnP/1.0 UPnP-Device-Host/1.0")},
		map[string]string{}},
	{"ssdp windows", dissect.MAC{}, []Attr{a("ssdp", "ssdp_server", "Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0")},
		map[string]string{"os": "Windows|60|ssdp-windows"}},
	{"ssdp linux", dissect.MAC{}, []Attr{a("ssdp", "ssdp_server", "Linux/3.14.0 UPnP/1.0 IpBridge/1.26.0")},
		map[string]string{"os": "Linux|55|ssdp-linux"}},
	{"media renderer", dissect.MAC{}, []Attr{a("ssdp", "service", "urn:schemas-upnp-org:device:MediaRenderer:1")},
		map[string]string{"category": "tv/media|55|upnp-media"}},
	{"googlecast (corpus)", dissect.MAC{}, []Attr{a("mdns", "service", "_googlecast._tcp.local")},
		map[string]string{"category": "tv/media|55|upnp-media"}},
	{"gateway", dissect.MAC{}, []Attr{a("ssdp", "service", "urn:schemas-upnp-org:device:InternetGatewayDevice:1")},
		map[string]string{"category": "router|60|upnp-gateway"}},
	{"upnp printer", dissect.MAC{}, []Attr{a("ssdp", "service", "urn:schemas-upnp-org:device:Printer:1")},
		map[string]string{"category": "printer|60|upnp-printer"}},
	{"upnp camera", dissect.MAC{}, []Attr{a("ssdp", "service", "urn:schemas-upnp-org:device:DigitalSecurityCamera:1")},
		map[string]string{"category": "camera|60|upnp-camera"}},
}

var mdnsCases = []identifyCase{
	{"mac sharing a printer (corpus)", dissect.MAC{}, []Attr{
		a("mdns", "service", "_ipp._tcp.local"),
		a("mdns", "service", "_smb._tcp.local"),
		a("mdns", "mdns_txt", "model=MacBookAir10,1"),
	}, map[string]string{"category": "laptop|85|mdns-macbook", "vendor": "Apple|85|mdns-macbook",
		"os": "macOS|85|mdns-macbook", "model": "MacBookAir10,1|85|mdns-macbook"}},
	{"printer by service", dissect.MAC{}, []Attr{a("mdns", "service", "_pdl-datastream._tcp")},
		map[string]string{"category": "printer|60|mdns-printer"}},
	{"printer TXT record", dissect.MAC{}, []Attr{
		a("mdns", "service", "_ipp._tcp"),
		a("mdns", "mdns_txt", "txtvers=1;ty=HP LaserJet MFP M428fdw;usb_MFG=HP;product=(HP LaserJet MFP M428fdw)"),
	}, map[string]string{"category": "printer|75|mdns-txt-printer-model", "model": "HP LaserJet MFP M428fdw|75|mdns-txt-printer-model",
		"vendor": "HP|75|mdns-txt-manufacturer"}},
	{"imac", dissect.MAC{}, []Attr{a("mdns", "mdns_txt", "model=iMac21,1")},
		map[string]string{"category": "workstation|80|mdns-mac-desktop", "vendor": "Apple|80|mdns-mac-desktop",
			"os": "macOS|80|mdns-mac-desktop", "model": "iMac21,1|80|mdns-mac-desktop"}},
	{"iphone", macPrivate, []Attr{a("mdns", "mdns_txt", "rpMd=iPhone14,2")},
		map[string]string{"category": "mobile|85|mdns-iphone", "vendor": "Apple|85|mdns-iphone",
			"os": "iOS|85|mdns-iphone", "model": "iPhone14,2|85|mdns-iphone", "randomised": "true"}},
	{"ipad", dissect.MAC{}, []Attr{a("mdns", "mdns_txt", "model=iPad8,1")},
		map[string]string{"category": "tablet|85|mdns-ipad", "vendor": "Apple|85|mdns-ipad",
			"os": "iPadOS|85|mdns-ipad", "model": "iPad8,1|85|mdns-ipad"}},
	{"apple tv", dissect.MAC{}, []Attr{a("mdns", "mdns_txt", "model=AppleTV6,2")},
		map[string]string{"category": "tv/media|85|mdns-appletv", "vendor": "Apple|85|mdns-appletv",
			"os": "tvOS|85|mdns-appletv", "model": "AppleTV6,2|85|mdns-appletv"}},
	{"ipad by name (corpus)", dissect.MAC{}, []Attr{a("mdns", "hostname", "Art-Teachers-iPad.local")},
		map[string]string{"category": "tablet|40|mdns-hostname-apple", "vendor": "Apple|40|mdns-hostname-apple"}},
	{"homekit", dissect.MAC{}, []Attr{a("mdns", "service", "_hap._tcp.local")},
		map[string]string{"category": "iot|50|mdns-homekit"}},
	{"airplay", dissect.MAC{}, []Attr{a("mdns", "service", "_airplay._tcp.local")},
		map[string]string{"category": "tv/media|40|mdns-airplay"}},
}

var ntlmCases = []identifyCase{
	{"windows 10 19041 (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0.19041")},
		map[string]string{"os": "Windows 10 / Server 2016+|78|ntlm-windows-10"}},
	{"windows 10 build format", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0 (build 17763)")},
		map[string]string{"os": "Windows 10 / Server 2016+|78|ntlm-windows-10"}},
	{"server 2022 (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0.20348")},
		map[string]string{"os": "Windows Server 2022|80|ntlm-windows-server-2022"}},
	{"windows 11", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0.22621")},
		map[string]string{"os": "Windows 11|80|ntlm-windows-11"}},
	{"windows 11 first build", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0.22000")},
		map[string]string{"os": "Windows 11|80|ntlm-windows-11"}},
	{"windows 10 last build", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0.21999")},
		map[string]string{"os": "Windows 10 / Server 2016+|78|ntlm-windows-10"}},
	{"windows 11 24h2", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0.26100")},
		map[string]string{"os": "Windows 11 / Server 2025|80|ntlm-windows-11-2025"}},
	{"windows 8.1 (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "6.3.9600")},
		map[string]string{"os": "Windows 8.1 / Server 2012 R2|80|ntlm-windows-8-1"}},
	{"windows 8", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "6.2.9200")},
		map[string]string{"os": "Windows 8 / Server 2012|80|ntlm-windows-8"}},
	{"windows 7 (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "6.1.7601")},
		map[string]string{"os": "Windows 7 / Server 2008 R2|80|ntlm-windows-7"}},
	{"vista (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "6.0.6001")},
		map[string]string{"os": "Windows Vista / Server 2008|80|ntlm-windows-vista"}},
	{"windows xp (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "5.1.2600")},
		map[string]string{"os": "Windows XP|80|ntlm-windows-xp"}},
	{"server 2003", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "5.2.3790")},
		map[string]string{"os": "Windows XP x64 / Server 2003|80|ntlm-windows-xp-x64"}},
	{"windows 2000", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "5.0.2195")},
		map[string]string{"os": "Windows 2000|80|ntlm-windows-2000"}},
	{"not a version", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "61.0.1")},
		map[string]string{}},
	{"ntlm beats dhcp", macVMware, []Attr{
		a("dhcp", "vendor_class", "MSFT 5.0"),
		a("smb", "ntlm_os_version", "10.0.22631"),
	}, map[string]string{"os": "Windows 11|80|ntlm-windows-11", "vendor": "VMware|60|oui"}},
}

var ouiCases = []identifyCase{
	{"registry only", macPhilips, nil, map[string]string{"vendor": "Philips|60|oui"}},
	{"raspberry pi", macRPi, nil, map[string]string{"vendor": "Raspberry Pi|60|oui",
		"category": "iot|40|oui-raspberry-pi", "os": "Linux|40|oui-raspberry-pi"}},
	{"axis camera", macAxis, nil, map[string]string{"vendor": "Axis|60|oui", "category": "camera|50|oui-camera-vendor"}},
	{"printer vendor", mac(0x00, 0x80, 0x77, 1, 2, 3), nil,
		map[string]string{"vendor": "Brother|60|oui", "category": "printer|45|oui-printer-vendor"}},
	{"phone vendor", mac(0x00, 0x04, 0xf2, 1, 2, 3), nil,
		map[string]string{"vendor": "Polycom|60|oui", "category": "ip-phone|45|oui-phone-vendor"}},
	{"ap vendor", mac(0x00, 0x0b, 0x86, 1, 2, 3), nil,
		map[string]string{"vendor": "Aruba|60|oui", "category": "wireless-ap|35|oui-ap-vendor"}},
	{"apc", mac(0x00, 0xc0, 0xb7, 1, 2, 3), nil,
		map[string]string{"vendor": "APC|60|oui", "category": "ups|45|oui-apc"}},
	{"building automation", mac(0x00, 0xc0, 0xe4, 1, 2, 3), nil,
		map[string]string{"vendor": "Siemens|60|oui", "category": "building-automation|45|oui-building"}},
	{"private registration gives no vendor", mac(0x00, 0x00, 0x6c, 0x82, 0xdc, 0x4e), nil, map[string]string{}},
	{"randomised", macRandom, nil, map[string]string{"randomised": "true"}},
	{"nothing known", dissect.MAC{}, nil, map[string]string{}},
}

func allCases() [][]identifyCase {
	return [][]identifyCase{dhcpCases, l2Cases, snmpCases, bannerCases, clientCases, mdnsCases, ntlmCases, ouiCases}
}

// summary renders the set attributes of id as "value|confidence|rule".
func summary(id Identity) map[string]string {
	out := map[string]string{}
	for name, g := range map[string]Guess{
		"vendor": id.Vendor, "model": id.Model, "category": id.Category, "os": id.OS, "software": id.Software,
	} {
		if g.Rule != "" {
			out[name] = fmt.Sprintf("%s|%d|%s", g.Value, g.Confidence, g.Rule)
		}
	}
	if id.Randomised {
		out["randomised"] = "true"
	}
	return out
}

func TestIdentify(t *testing.T) {
	for _, family := range allCases() {
		for _, tt := range family {
			t.Run(tt.name, func(t *testing.T) {
				got := summary(Identify(tt.mac, tt.attrs))
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Identify mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestIdentifyBecause(t *testing.T) {
	id := Identify(macCisco, []Attr{
		a("cdp", "model", "cisco WS-C3560G-24PS"),
		a("cdp", "capability", "switch"),
	})
	want := Identity{
		Vendor:   Guess{Value: "Cisco", Confidence: 60, Rule: "oui", Because: []string{"oui org=Cisco Systems, Inc"}},
		Model:    Guess{Value: "WS-C3560G-24PS", Confidence: 80, Rule: "cdp-platform", Because: []string{"cdp model=cisco WS-C3560G-24PS"}},
		Category: Guess{Value: "switch", Confidence: 70, Rule: "lldp-bridge", Because: []string{"cdp capability=switch"}},
	}
	if diff := cmp.Diff(want, id); diff != "" {
		t.Errorf("Identify mismatch (-want +got):\n%s", diff)
	}
}

func TestIdentifyBecauseTwoConditions(t *testing.T) {
	id := Identify(dissect.MAC{}, []Attr{
		a("mdns", "mdns_txt", "ty=Brother HL-L2350DW series"),
		a("mdns", "service", "_ipp._tcp.local"),
	})
	want := []string{"mdns mdns_txt=ty=Brother HL-L2350DW series", "mdns service=_ipp._tcp.local"}
	if diff := cmp.Diff(want, id.Model.Because); diff != "" {
		t.Errorf("Model.Because mismatch (-want +got):\n%s", diff)
	}
}

// TestEveryRuleFires runs every case with a hook that records which rules
// fire, and fails for a rule no case exercises.
func TestEveryRuleFires(t *testing.T) {
	p, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	fired := make([]bool, len(p.Rules()))
	for _, family := range allCases() {
		for _, tt := range family {
			e := evaluator{pack: p, facts: facts{attrs: tt.attrs}}
			e.addOUI(tt.mac)
			e.run(func(i int) { fired[i] = true })
		}
	}
	for i, r := range p.Rules() {
		if !fired[i] {
			t.Errorf("rule %q (line %d) fires on no test case", r.ID, r.Line)
		}
	}
}

func TestIdentifyLongValue(t *testing.T) {
	long := "Linux host 6.1.0 " + string(slices.Repeat([]byte("x"), 500))
	id := Identify(dissect.MAC{}, []Attr{a("snmp", "description", long)})
	if got := id.OS.Because[0]; len(got) > maxBecause+40 {
		t.Errorf("Because: got %d bytes, want the value cut to about %d", len(got), maxBecause)
	}
}

func BenchmarkIdentify(b *testing.B) {
	attrs := []Attr{
		a("dhcp", "vendor_class", "MSFT 5.0"),
		a("dhcp", "dhcp_fingerprint", "1,3,6,15,31,33,43,44,46,47,121,249,252"),
		a("dhcp", "hostname", "DESKTOP-2AEFM7G"),
		a("smb", "ntlm_os_version", "10.0.19041"),
		a("http", "http_user_agent", "Microsoft-Delivery-Optimization/10.0"),
		a("mdns", "service", "_smb._tcp.local"),
		a("tls", "tls_sni", "fe2.update.microsoft.com"),
		a("tls", "ja3", "6734f37431670b3ab4292b8f60f29984"),
	}
	Identify(macVMware, attrs)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Identify(macVMware, attrs)
	}
}

// BenchmarkIdentifyNoMatch is the common case of a device whose facts fire
// nothing: it should not allocate.
func BenchmarkIdentifyNoMatch(b *testing.B) {
	attrs := []Attr{
		a("dhcp", "hostname", "ward-07-bed-12"),
		a("dns", "dns_name", "host.example.nhs.uk"),
		a("mdns", "service", "_workstation._tcp.local"),
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Identify(macRandom, attrs)
	}
}
