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
	}, map[string]string{"category": "workstation|40|dhcp-windows-client", "os": "Windows|65|dhcpfp-windows-10", "vendor": "VMware|60|oui",
		"model": "VMware virtual machine|35|oui-vmware-guest"}},
	{"windows 10/11 option 55", dissect.MAC{}, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,3,6,15,31,33,43,44,46,47,119,121,249,252"),
	}, map[string]string{"os": "Windows|65|dhcpfp-windows-10"}},
	{"windows 7 on an Apple MAC (corpus)", macApple, []Attr{
		a("dhcp", "vendor_class", "MSFT 5.0"),
		a("dhcp", "dhcp_fingerprint", "1,15,3,6,44,46,47,31,33,121,249,43"),
	}, map[string]string{"category": "workstation|40|dhcp-windows-client", "os": "Windows|65|dhcpfp-windows-7", "vendor": "Apple|60|oui"}},
	{"windows xp (corpus)", macIntel, []Attr{
		a("dhcp", "vendor_class", "MSFT 5.0"),
		a("dhcp", "dhcp_fingerprint", "1,15,3,6,44,46,47,31,33,249,43"),
	}, map[string]string{"category": "workstation|40|dhcp-windows-client", "os": "Windows XP|65|dhcpfp-windows-xp", "vendor": "Intel|60|oui"}},
	{"windows 2000 era (corpus)", dissect.MAC{}, []Attr{
		a("dhcp", "dhcp_fingerprint", "1,15,3,6,44,46,47,31,33,43"),
	}, map[string]string{"os": "Windows|55|dhcpfp-windows-2000"}},
	{"windows vendor class alone", dissect.MAC{}, []Attr{a("dhcp", "vendor_class", "MSFT 5.0")},
		map[string]string{"category": "workstation|40|dhcp-windows-client", "os": "Windows|60|dhcp-msft"}},
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
		"vendor": "Raspberry Pi|60|dhcp-dhcpcd-raspberry-pi", "category": "iot|60|dhcp-dhcpcd-raspberry-pi"}},
	{"raspberry pi dhcpcd, no MAC", dissect.MAC{}, []Attr{
		a("dhcp", "vendor_class", "dhcpcd-6.11.5:Linux-4.1.18-v7+:armv7l:BCM2709"),
	}, map[string]string{"os": "Linux|70|dhcp-dhcpcd", "software": "dhcpcd 6.11.5|70|dhcp-dhcpcd",
		"vendor": "Raspberry Pi|60|dhcp-dhcpcd-raspberry-pi", "category": "iot|60|dhcp-dhcpcd-raspberry-pi"}},
	{"raspberry pi on a 4.9+ kernel", dissect.MAC{}, []Attr{
		a("dhcp", "vendor_class", "dhcpcd-6.11.5:Linux-4.9.35-v7+:armv7l:BCM2835"),
	}, map[string]string{"os": "Linux|70|dhcp-dhcpcd", "software": "dhcpcd 6.11.5|70|dhcp-dhcpcd",
		"vendor": "Raspberry Pi|60|dhcp-dhcpcd-raspberry-pi", "category": "iot|60|dhcp-dhcpcd-raspberry-pi"}},
	{"windows dhcpv6 vendor class (corpus)", dissect.MAC{}, []Attr{a("dhcpv6", "vendor_class", "311:MSFT 5.0")},
		map[string]string{"category": "workstation|40|dhcp-windows-client", "os": "Windows|60|dhcp-msft"}},
	{"docsis cable modem over dhcpv6 (corpus)", dissect.MAC{}, []Attr{
		a("dhcpv6", "vendor_class", "4491:docsis3.0"),
		a("dhcpv6", "vendor_enterprise", "4491"),
	}, map[string]string{"category": "network-infrastructure|70|dhcp-docsis"}},
	{"arista over dhcpv6 (corpus)", dissect.MAC{}, []Attr{
		a("dhcpv6", "user_class", "Arista"),
		a("dhcpv6", "vendor_enterprise", "30065"),
	}, map[string]string{"vendor": "Arista|70|enterprise-arista"}},
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
	}, map[string]string{"os": "macOS|65|dhcpfp-macos", "vendor": "Apple|65|dhcpfp-macos",
		"category": "laptop|40|hostname-macbook", "randomised": "true"}},
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
	{"aruba access point (corpus)", dissect.MAC{}, []Attr{a("dhcp", "vendor_class", "ArubaAP")},
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
	{"lldp-med network connectivity", dissect.MAC{}, []Attr{
		a("lldp", "med_device_type", "Network Connectivity"),
	}, map[string]string{"category": "network-infrastructure|50|lldp-med-network"}},
	{"lldp-med class i is no phone", dissect.MAC{}, []Attr{a("lldp", "med_device_type", "Endpoint Class I")},
		map[string]string{}},
	{"h3c comware over LLDP (corpus)", dissect.MAC{}, []Attr{
		a("lldp", "description", "H3C Comware Platform Software, Software Version 5.20, Release 1808P08 H3C S5800-56C-PWR Copyright (c) 2004-2013 Hangzhou H3C Tech. Co., Ltd. All rights reserved."),
		a("lldp", "capability", "bridge"),
	}, map[string]string{"os": "Comware|80|comware", "software": "Comware 5.20 1808P08|80|comware",
		"vendor": "H3C|80|comware", "category": "switch|70|lldp-bridge"}},
	{"lldpd on ubuntu (corpus)", dissect.MAC{}, []Attr{
		a("lldp", "description", "Ubuntu 14.04.5 LTS Linux 3.13.0-106-generic #153-Ubuntu SMP Tue Dec 6 15:45:13 UTC 2016 i686"),
	}, map[string]string{"os": "Linux (Ubuntu)|75|lldpd-linux", "software": "Linux 3.13.0-106-generic|75|lldpd-linux"}},
	{"stated manufacturer beats the registry", macVMware, []Attr{
		a("mdns", "manufacturer", "  GE Healthcare "),
	}, map[string]string{"vendor": "GE Healthcare|80|stated-manufacturer",
		"model": "VMware virtual machine|35|oui-vmware-guest"}},
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
	{"stated software (corpus)", dissect.MAC{}, []Attr{a("ftp", "software", "vsFTPd 2.3.5")},
		map[string]string{"software": "vsFTPd 2.3.5|70|stated-software"}},
	{"printer product in parentheses", dissect.MAC{}, []Attr{a("mdns", "model", "(HP LaserJet 400)")},
		map[string]string{"model": "HP LaserJet 400|75|stated-model"}},
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
	{"old apc card", dissect.MAC{}, []Attr{
		a("snmp", "description", "APC Embedded PowerNet SNMP Agent (SW v2.2, HW vB2, Mod: AP9605, Mfg 08/10/96)"),
		a("snmp", "enterprise", "318"),
	}, map[string]string{"category": "ups|85|apc-ups", "vendor": "APC|85|apc-ups"}},
	{"apc by enterprise", dissect.MAC{}, []Attr{a("snmp", "enterprise", "318")},
		map[string]string{"vendor": "APC|70|enterprise-apc"}},
	{"eaton ups", dissect.MAC{}, []Attr{a("snmp", "description", "Eaton 5PX 1500 ConnectUPS Web/SNMP Card")},
		map[string]string{"category": "ups|60|sysdescr-ups"}},
	{"net-snmp on linux (corpus)", dissect.MAC{}, []Attr{
		a("snmp", "sys_object_id", "1.3.6.1.4.1.8072.3.2.10"),
		a("snmp", "enterprise", "8072"),
	}, map[string]string{"os": "Linux|60|snmp-netsnmp-linux"}},
	{"oki printer by enterprise (corpus)", mac(0x08, 0x00, 0x37, 0x15, 0xe6, 0xbc), []Attr{
		a("snmp", "sys_object_id", "1.3.6.1.4.1.2001.1.1.1.297.93.1.27.2.2.1"),
		a("snmp", "enterprise", "2001"),
		a("snmp", "hostname", "B6300"),
	}, map[string]string{"vendor": "OKI|65|enterprise-oki", "category": "printer|60|enterprise-printer"}},
	{"aruba by enterprise (corpus)", mac(0x00, 0x0b, 0x86, 0x64, 0x8b, 0xa0), []Attr{a("snmp", "enterprise", "14823")},
		map[string]string{"vendor": "Aruba|70|enterprise-aruba", "category": "wireless-ap|35|oui-ap-vendor"}},
	{"cisco by enterprise", dissect.MAC{}, []Attr{a("snmp", "enterprise", "9")},
		map[string]string{"vendor": "Cisco|70|enterprise-cisco"}},
	{"windows snmp service", dissect.MAC{}, []Attr{a("snmp", "enterprise", "311")},
		map[string]string{"os": "Windows|65|enterprise-microsoft"}},
	{"juniper by enterprise", dissect.MAC{}, []Attr{a("snmp", "enterprise", "2636")},
		map[string]string{"vendor": "Juniper|70|enterprise-juniper"}},
	{"fortinet by enterprise", dissect.MAC{}, []Attr{a("snmp", "enterprise", "12356")},
		map[string]string{"vendor": "Fortinet|70|enterprise-fortinet", "category": "firewall|70|enterprise-fortinet"}},
	{"a browser comment is not a printer", dissect.MAC{}, []Attr{a("browser", "description", "Reception printer PC")},
		map[string]string{}},
}

var bannerCases = []identifyCase{
	{"openssh on ubuntu (corpus)", dissect.MAC{}, []Attr{
		a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_5.8p1 Debian-1ubuntu3"),
		a("ssh", "software", "OpenSSH_5.8p1"),
		a("ssh", "os", "Ubuntu"),
	}, map[string]string{"software": "OpenSSH 5.8p1|80|ssh-openssh", "os": "Linux (Ubuntu)|70|ssh-os-linux"}},
	{"openssh 1.99 ubuntu (corpus)", dissect.MAC{}, []Attr{
		a("ssh", "ssh_banner", "SSH-1.99-OpenSSH_6.6.1p1 Ubuntu-2ubuntu2"),
		a("ssh", "os", "Ubuntu"),
	}, map[string]string{"software": "OpenSSH 6.6.1p1|80|ssh-openssh", "os": "Linux (Ubuntu)|70|ssh-os-linux"}},
	{"openssh with patches in the version (corpus)", dissect.MAC{}, []Attr{
		a("ssh", "ssh_banner", "SSH-1.99-OpenSSH_3.4+p1+gssapi+OpenSSH_3.7.1buf_fix+2006100301"),
	}, map[string]string{"software": "OpenSSH 3.4|80|ssh-openssh"}},
	{"paramiko (corpus)", dissect.MAC{}, []Attr{
		a("ssh", "ssh_banner", "SSH-2.0-paramiko_1.15.2"), a("ssh", "software", "paramiko_1.15.2"),
	}, map[string]string{"software": "paramiko_1.15.2|70|stated-software"}},
	{"openssh plain (corpus)", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_5.9")},
		map[string]string{"software": "OpenSSH 5.9|80|ssh-openssh"}},
	{"openssh hpn (corpus)", dissect.MAC{}, []Attr{a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_6.6p1-hpn14v4")},
		map[string]string{"software": "OpenSSH 6.6p1-hpn14v4|80|ssh-openssh"}},
	{"openssh debian (corpus)", dissect.MAC{}, []Attr{
		a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_6.7p1 Debian-5+deb8u1"), a("ssh", "os", "Debian"),
	}, map[string]string{"software": "OpenSSH 6.7p1|80|ssh-openssh", "os": "Linux (Debian)|70|ssh-os-linux"}},
	{"openssh raspbian", dissect.MAC{}, []Attr{
		a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_7.9p1 Raspbian-10+deb10u2"), a("ssh", "os", "Raspbian"),
	}, map[string]string{"software": "OpenSSH 7.9p1|80|ssh-openssh", "os": "Linux (Raspbian)|70|ssh-os-linux"}},
	{"openssh freebsd", dissect.MAC{}, []Attr{
		a("ssh", "ssh_banner", "SSH-2.0-OpenSSH_7.8 FreeBSD-20180909"), a("ssh", "os", "FreeBSD"),
	}, map[string]string{"software": "OpenSSH 7.8|80|ssh-openssh", "os": "FreeBSD|70|ssh-os-other"}},
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
	{"iis 10 (corpus)", dissect.MAC{}, []Attr{a("http", "http_server", "Microsoft-IIS/10.0")},
		map[string]string{"software": "Microsoft IIS 10.0|75|http-iis", "os": "Windows 10 / Server 2016+|78|http-iis-10"}},
	{"iis 8.0", dissect.MAC{}, []Attr{a("http", "http_server", "Microsoft-IIS/8.0")},
		map[string]string{"software": "Microsoft IIS 8.0|75|http-iis", "os": "Windows Server 2012 / 8|78|http-iis-8"}},
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
	{"wget on linux (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Wget/1.20.3 (linux-gnu)")},
		map[string]string{"os": "Linux|45|ua-linux"}},
	{"apt (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Debian APT-HTTP/1.3 (1.2.32)")},
		map[string]string{"os": "Linux|45|ua-linux"}},
	{"firefox on ubuntu (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent",
		"Mozilla/5.0 (X11; U; Linux x86_64; en-US; rv:1.9.2.15) Gecko/20110303 Ubuntu/10.04 (lucid) Firefox/3.6.15")},
		map[string]string{"os": "Linux (Ubuntu)|50|ua-linux-distro"}},
	{"chrome on fedora (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent",
		"Mozilla/5.0 (X11; Fedora; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/67.0.3396.99 Safari/537.36")},
		map[string]string{"os": "Linux (Fedora)|50|ua-linux-distro"}},
	{"vista browser (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent", "Mozilla/5.0 (Windows NT 6.0; WOW64; rv:39.0) Gecko/20100101 Firefox/39.0")},
		map[string]string{"os": "Windows Vista|50|ua-windows-vista"}},
	{"server 2003 browser (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent",
		"Mozilla/5.0 (Windows; U; Windows NT 5.2; en-US) AppleWebKit/534.10 (KHTML, like Gecko) Chrome/8.0.552.224 Safari/534.10")},
		map[string]string{"os": "Windows XP x64 / Server 2003|50|ua-windows-xp-x64"}},
	{"curl on darwin (corpus)", dissect.MAC{}, []Attr{a("http", "http_user_agent", "curl/7.17.1 (i386-apple-darwin8.11.1) libcurl/7.17.1 zlib/1.2.3")},
		map[string]string{"os": "macOS|45|ua-macos"}},
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
	{"ssdp linux", dissect.MAC{}, []Attr{
		a("ssdp", "ssdp_server", "Linux/3.14.0 UPnP/1.0 IpBridge/1.26.0"), a("ssdp", "os", "Linux/3.14.0"),
	}, map[string]string{"os": "Linux|55|ssdp-linux"}},
	{"ssdp search from windows", dissect.MAC{}, []Attr{
		a("ssdp", "ssdp_user_agent", "Windows/10.0 UPnP/1.1 Chromecast/1.0"), a("ssdp", "os", "Windows/10.0"),
	}, map[string]string{"os": "Windows|60|ssdp-windows"}},
	{"ssdp darwin", dissect.MAC{}, []Attr{
		a("ssdp", "ssdp_server", "Darwin/16.7.0 UPnP/1.0 Sonos"), a("ssdp", "os", "Darwin/16.7.0"),
	}, map[string]string{"os": "macOS|55|ssdp-darwin"}},
	{"ssdp os the router does not state (corpus)", dissect.MAC{}, []Attr{
		a("ssdp", "ssdp_server", "POSIX, UPnP/1.0 UPnP Stack/1.2.0.0 (BROADCOM INTERNAL)"),
		a("ssdp", "service", "urn:schemas-upnp-org:device:InternetGatewayDevice:1"),
	}, map[string]string{"category": "router|60|upnp-gateway"}},
	{"media renderer", dissect.MAC{}, []Attr{a("ssdp", "service", "urn:schemas-upnp-org:device:MediaRenderer:1")},
		map[string]string{"category": "tv/media|55|upnp-media"}},
	{"googlecast", dissect.MAC{}, []Attr{a("mdns", "service", "_googlecast._tcp")},
		map[string]string{"category": "tv/media|55|upnp-media"}},
	{"a googlecast query says nothing of the asker (corpus)", dissect.MAC{}, []Attr{a("mdns", "mdns_query", "_googlecast._tcp")},
		map[string]string{}},
	{"gateway", dissect.MAC{}, []Attr{a("ssdp", "service", "urn:schemas-upnp-org:device:InternetGatewayDevice:1")},
		map[string]string{"category": "router|60|upnp-gateway"}},
	{"upnp printer", dissect.MAC{}, []Attr{a("ssdp", "service", "urn:schemas-upnp-org:device:Printer:1")},
		map[string]string{"category": "printer|60|upnp-printer"}},
	{"upnp camera", dissect.MAC{}, []Attr{a("ssdp", "service", "urn:schemas-upnp-org:device:DigitalSecurityCamera:1")},
		map[string]string{"category": "camera|60|upnp-camera"}},
}

var mdnsCases = []identifyCase{
	// The dissector emits each identity TXT pair raw (mdns_txt "key=value")
	// and as a shared key (model, manufacturer, os "Darwin 18").
	{"mac sharing a printer", dissect.MAC{}, []Attr{
		a("mdns", "service", "_ipp._tcp"),
		a("mdns", "service", "_smb._tcp"),
		a("mdns", "mdns_txt", "model=MacBookAir10,1"),
		a("mdns", "model", "MacBookAir10,1"),
	}, map[string]string{"category": "laptop|85|mdns-macbook", "vendor": "Apple|85|mdns-macbook",
		"os": "macOS|85|mdns-macbook", "model": "MacBookAir10,1|85|mdns-macbook"}},
	{"printer by service", dissect.MAC{}, []Attr{a("mdns", "service", "_pdl-datastream._tcp")},
		map[string]string{"category": "printer|60|mdns-printer"}},
	{"printer TXT record", dissect.MAC{}, []Attr{
		a("mdns", "service", "_ipp._tcp"),
		a("mdns", "mdns_txt", "ty=HP LaserJet MFP M428fdw"),
		a("mdns", "model", "HP LaserJet MFP M428fdw"),
		a("mdns", "mdns_txt", "usb_MFG=HP"),
		a("mdns", "manufacturer", "HP"),
	}, map[string]string{"category": "printer|75|mdns-txt-printer", "model": "HP LaserJet MFP M428fdw|75|stated-model",
		"vendor": "HP|80|stated-manufacturer"}},
	{"imac", dissect.MAC{}, []Attr{a("mdns", "mdns_txt", "model=iMac21,1"), a("mdns", "model", "iMac21,1")},
		map[string]string{"category": "workstation|80|mdns-mac-desktop", "vendor": "Apple|80|mdns-mac-desktop",
			"os": "macOS|80|mdns-mac-desktop", "model": "iMac21,1|80|mdns-mac-desktop"}},
	{"macbook air m2 is no desktop", dissect.MAC{}, []Attr{a("mdns", "model", "Mac14,2")},
		map[string]string{"vendor": "Apple|80|mdns-mac", "os": "macOS|80|mdns-mac", "model": "Mac14,2|80|mdns-mac"}},
	{"iphone", macPrivate, []Attr{a("mdns", "mdns_txt", "rpMd=iPhone14,2"), a("mdns", "model", "iPhone14,2")},
		map[string]string{"category": "mobile|85|mdns-iphone", "vendor": "Apple|85|mdns-iphone",
			"os": "iOS|85|mdns-iphone", "model": "iPhone14,2|85|mdns-iphone", "randomised": "true"}},
	{"ipad", dissect.MAC{}, []Attr{a("mdns", "model", "iPad8,1")},
		map[string]string{"category": "tablet|85|mdns-ipad", "vendor": "Apple|85|mdns-ipad",
			"os": "iPadOS|85|mdns-ipad", "model": "iPad8,1|85|mdns-ipad"}},
	{"apple tv", dissect.MAC{}, []Attr{a("mdns", "mdns_txt", "am=AppleTV6,2"), a("mdns", "model", "AppleTV6,2")},
		map[string]string{"category": "tv/media|85|mdns-appletv", "vendor": "Apple|85|mdns-appletv",
			"os": "tvOS|85|mdns-appletv", "model": "AppleTV6,2|85|mdns-appletv"}},
	{"osxvers", dissect.MAC{}, []Attr{a("mdns", "mdns_txt", "osxvers=18"), a("mdns", "os", "Darwin 18")},
		map[string]string{"os": "macOS|75|mdns-osxvers", "vendor": "Apple|75|mdns-osxvers"}},
	{"ipad by name", dissect.MAC{}, []Attr{a("mdns", "hostname", "Art-Teachers-iPad"), a("mdns", "fqdn", "Art-Teachers-iPad.local")},
		map[string]string{"category": "tablet|40|hostname-ipad", "vendor": "Apple|40|hostname-ipad"}},
	{"iphone by name", dissect.MAC{}, []Attr{a("dhcp", "hostname", "Johns-iPhone")},
		map[string]string{"category": "mobile|40|hostname-iphone", "vendor": "Apple|40|hostname-iphone"}},
	{"macbook by name (corpus)", dissect.MAC{}, []Attr{a("dhcp", "fqdn", "NicksMacBook")},
		map[string]string{"category": "laptop|40|hostname-macbook", "vendor": "Apple|40|hostname-macbook"}},
	{"homekit", dissect.MAC{}, []Attr{a("mdns", "service", "_hap._tcp")},
		map[string]string{"category": "iot|50|mdns-homekit"}},
	{"airplay", dissect.MAC{}, []Attr{a("mdns", "service", "_airplay._tcp")},
		map[string]string{"category": "tv/media|40|mdns-airplay"}},
}

var smbCases = []identifyCase{
	{"windows 10 19041 (corpus)", dissect.MAC{}, []Attr{
		a("smb", "ntlm_os_version", "10.0 build 19041"), a("smb", "os", "Windows 10.0 build 19041"),
	}, map[string]string{"os": "Windows 10 / Server 2016+|78|winver-10"}},
	{"server 2022 (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0 build 20348")},
		map[string]string{"os": "Windows Server 2022|80|winver-server-2022"}},
	{"windows 11", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0 build 22621")},
		map[string]string{"os": "Windows 11|80|winver-11"}},
	{"windows 11 first build", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0 build 22000")},
		map[string]string{"os": "Windows 11|80|winver-11"}},
	{"windows 10 last build", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0 build 21999")},
		map[string]string{"os": "Windows 10 / Server 2016+|78|winver-10"}},
	{"windows 11 24h2", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "10.0 build 26100")},
		map[string]string{"os": "Windows 11 / Server 2025|80|winver-11-2025"}},
	{"windows 8.1 (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "6.3 build 9600")},
		map[string]string{"os": "Windows 8.1 / Server 2012 R2|80|winver-8-1"}},
	{"windows 8", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "6.2 build 9200")},
		map[string]string{"os": "Windows 8 / Server 2012|80|winver-8"}},
	{"windows 7 (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "6.1 build 7601")},
		map[string]string{"os": "Windows 7 / Server 2008 R2|80|winver-7"}},
	{"vista (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "6.0 build 6001")},
		map[string]string{"os": "Windows Vista / Server 2008|80|winver-vista"}},
	{"windows xp (corpus)", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "5.1 build 2600")},
		map[string]string{"os": "Windows XP|80|winver-xp"}},
	{"server 2003", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "5.2 build 3790")},
		map[string]string{"os": "Windows XP x64 / Server 2003|80|winver-xp-x64"}},
	{"windows 2000", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "5.0 build 2195")},
		map[string]string{"os": "Windows 2000|80|winver-2000"}},
	{"not a version", dissect.MAC{}, []Attr{a("smb", "ntlm_os_version", "61.0 build 1")},
		map[string]string{}},
	{"ntlm beats dhcp", macVMware, []Attr{
		a("dhcp", "vendor_class", "MSFT 5.0"),
		a("smb", "ntlm_os_version", "10.0 build 22631"),
	}, map[string]string{"category": "workstation|40|dhcp-windows-client", "os": "Windows 11|80|winver-11", "vendor": "VMware|60|oui",
		"model": "VMware virtual machine|35|oui-vmware-guest"}},
	// A QNAP NAS (Samba) sends NTLM version 6.1 with build 0: not Windows 7.
	{"qnap nas (corpus)", mac(0x00, 0x08, 0x9b, 0xc6, 0x9d, 0x9a), []Attr{
		a("smb", "ntlm_os_version", "6.1 build 0"),
		a("smb", "os", "QTS"),
		a("smb", "smb_native_lanman", "Samba 4.4.16"),
		a("smb", "hostname", "TS412"),
	}, map[string]string{"os": "QTS|80|smb-qnap", "vendor": "QNAP|80|smb-qnap", "category": "nas|80|smb-qnap",
		"software": "Samba 4.4.16|60|smb-samba"}},
	{"samba posing as windows 6.1 (corpus)", dissect.MAC{}, []Attr{
		a("smb", "os", "Windows 6.1"), a("smb", "smb_native_lanman", "Samba 4.7.4"),
	}, map[string]string{"os": "Linux|60|smb-samba", "software": "Samba 4.7.4|60|smb-samba"}},
	{"samba without version (corpus)", dissect.MAC{}, []Attr{
		a("smb", "ntlm_os_version", "6.1 build 0"), a("smb", "os", "Unix"), a("smb", "smb_native_lanman", "Samba"),
	}, map[string]string{"os": "Linux|60|smb-samba", "software": "Samba|60|smb-samba"}},
	{"macos smb client (corpus)", dissect.MAC{}, []Attr{
		a("smb", "os", "Mac OS X 10.10"), a("smb", "smb_native_lanman", "SMBFS 3.0.0"),
		a("smb", "ntlm_os_version", "6.1 build 7600"),
	}, map[string]string{"os": "macOS 10.10|85|smb-macos", "vendor": "Apple|85|smb-macos"}},
	{"native os of windows server (corpus)", dissect.MAC{}, []Attr{
		a("smb", "os", "Windows Server 2019 Standard 17763"),
		a("smb", "smb_native_lanman", "Windows Server 2019 Standard 6.3"),
		a("smb", "ntlm_os_version", "10.0 build 17763"),
	}, map[string]string{"os": "Windows Server 2019|85|smb-native-windows"}},
	{"native os of server 2008 r2 (corpus)", dissect.MAC{}, []Attr{
		a("smb", "os", "Windows Server 2008 R2 Standard 7601 Service Pack 1"),
	}, map[string]string{"os": "Windows Server 2008 R2|85|smb-native-windows"}},
	{"native os of windows 8.1 (corpus)", dissect.MAC{}, []Attr{a("smb", "os", "Windows 8.1 9600")},
		map[string]string{"os": "Windows 8.1|85|smb-native-windows"}},
	{"native os of windows 10 (corpus)", dissect.MAC{}, []Attr{a("smb", "os", "Windows 10 Pro 19045")},
		map[string]string{"os": "Windows 10|85|smb-native-windows-10"}},
	{"windows 11 still says windows 10", dissect.MAC{}, []Attr{
		a("smb", "os", "Windows 10 Pro 22631"), a("smb", "ntlm_os_version", "10.0 build 22631"),
	}, map[string]string{"os": "Windows 11|80|winver-11"}},
	{"native os of xp client (corpus)", dissect.MAC{}, []Attr{a("smb", "os", "Windows 2002 Service Pack 2 2600")},
		map[string]string{"os": "Windows XP|85|smb-native-windows-xp"}},
	{"native os of xp server (corpus)", dissect.MAC{}, []Attr{
		a("smb", "os", "Windows 5.1"), a("smb", "smb_native_lanman", "Windows 2000 LAN Manager"),
	}, map[string]string{"os": "Windows XP|85|smb-native-windows-xp"}},
	{"native os of windows 2000 (corpus)", dissect.MAC{}, []Attr{a("smb", "os", "Windows 5.0")},
		map[string]string{"os": "Windows 2000|85|smb-native-windows-2000"}},
	{"native os as sent (corpus)", dissect.MAC{}, []Attr{
		a("smb", "os", "Windows 4.0"), a("smb", "smb_native_lanman", "Windows 4.0"),
	}, map[string]string{"os": "Windows 4.0|50|stated-os"}},
	{"native os debris (corpus)", dissect.MAC{}, []Attr{a("smb", "os", "??"), a("smb", "os", "nt")},
		map[string]string{}},
	{"domain controller (corpus)", mac(0x08, 0x00, 0x27, 0x16, 0x66, 0x59), []Attr{
		a("browser", "capability", "domain-controller"),
		a("browser", "capability", "file-server"),
		a("browser", "nb_os_version", "6.3"),
		a("browser", "nb_server_type", "0x0080102b"),
		a("dhcpv6", "vendor_class", "311:MSFT 5.0"),
	}, map[string]string{"category": "server|70|domain-controller", "os": "Windows 8.1 / Server 2012 R2|80|winver-8-1",
		"vendor": "PCS Systemtechnik GmbH|60|oui", "model": "VirtualBox virtual machine|35|oui-virtualbox-guest"}},
	{"windows server by browser server type (corpus)", dissect.MAC{}, []Attr{
		a("browser", "nb_os_version", "10.0"),
		a("browser", "nb_server_type", "0x00009003"),
		a("smb", "ntlm_os_version", "10.0 build 17763"),
	}, map[string]string{"category": "server|55|browser-server-nt", "os": "Windows 10 / Server 2016+|78|winver-10"}},
	{"a laptop sharing a printer (corpus)", dissect.MAC{}, []Attr{
		a("browser", "capability", "print-server"),
		a("browser", "capability", "master-browser"),
		a("browser", "nb_os_version", "5.1"),
		a("browser", "nb_server_type", "0x00071203"),
		a("browser", "hostname", "ESURNIR-LAPTOP"),
	}, map[string]string{"os": "Windows XP|80|winver-xp"}},
	{"windows 2000 announcement (corpus)", dissect.MAC{}, []Attr{a("browser", "nb_os_version", "5.0")},
		map[string]string{"os": "Windows 2000|80|winver-2000"}},
	{"windows 7 announcement (corpus)", dissect.MAC{}, []Attr{a("browser", "nb_os_version", "6.1")},
		map[string]string{"os": "Windows 7 / Server 2008 R2|80|winver-7"}},
}

var otherCases = []identifyCase{
	{"pix firewall by syslog (corpus)", dissect.MAC{}, []Attr{
		a("syslog", "cisco_facility", "PIX"), a("syslog", "syslog_facility", "local4"),
	}, map[string]string{"vendor": "Cisco|75|syslog-cisco-firewall", "category": "firewall|75|syslog-cisco-firewall",
		"os": "Cisco PIX|75|syslog-cisco-firewall"}},
	{"asa by syslog", dissect.MAC{}, []Attr{a("syslog", "cisco_facility", "ASA")},
		map[string]string{"vendor": "Cisco|75|syslog-cisco-firewall", "category": "firewall|75|syslog-cisco-firewall",
			"os": "Cisco ASA|75|syslog-cisco-firewall"}},
	{"other cisco facilities name no product", dissect.MAC{}, []Attr{a("syslog", "cisco_facility", "LINEPROTO")},
		map[string]string{}},
	{"openbsd telnet banner (corpus)", dissect.MAC{}, []Attr{a("telnet", "telnet_banner", "OpenBSD/i386 (oof) (ttyp2)")},
		map[string]string{"os": "OpenBSD|65|telnet-bsd"}},
	{"iis ftp", dissect.MAC{}, []Attr{a("ftp", "ftp_syst", "Windows_NT")},
		map[string]string{"os": "Windows|60|ftp-windows"}},
	{"linux-ftpd (corpus)", dissect.MAC{}, []Attr{
		a("ftp", "software", "Linux-ftpd 0.17"), a("ftp", "ftp_syst", "UNIX Type: L8 (Linux)"),
	}, map[string]string{"os": "Linux|55|ftp-linux", "software": "Linux-ftpd 0.17|70|stated-software"}},
	{"netbsd-ftpd (corpus)", dissect.MAC{}, []Attr{
		a("ftp", "software", "NetBSD-ftpd 20100320"), a("ftp", "ftp_syst", "UNIX Type: L8 Version: NetBSD-ftpd 20100320"),
	}, map[string]string{"os": "NetBSD|55|ftp-netbsd", "software": "NetBSD-ftpd 20100320|70|stated-software"}},
	{"names others give a device say nothing of it (corpus)", dissect.MAC{}, []Attr{
		a("tls", "tls_sni", "tls13.crypto.mozilla.org"),
		a("http", "http_host", "au.download.windowsupdate.com"),
		a("dns", "dns_name", "upload.wikimedia.org"),
	}, map[string]string{}},
}

var ouiCases = []identifyCase{
	{"registry only", macPhilips, nil, map[string]string{"vendor": "Philips|60|oui"}},
	// 522 made-up 00:00:00:… addresses in the corpus would otherwise be
	// Xerox's.
	{"made-up address (corpus)", mac(0, 0, 0, 0, 0, 1), nil, map[string]string{}},
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
	{"virtualbox guest", mac(0x08, 0x00, 0x27, 0x16, 0x66, 0x59), nil,
		map[string]string{"vendor": "PCS Systemtechnik GmbH|60|oui", "model": "VirtualBox virtual machine|35|oui-virtualbox-guest"}},
	{"building automation", mac(0x00, 0xc0, 0xe4, 1, 2, 3), nil,
		map[string]string{"vendor": "Siemens|60|oui", "category": "building-automation|45|oui-building"}},
	{"private registration gives no vendor", mac(0x00, 0x00, 0x6c, 0x82, 0xdc, 0x4e), nil, map[string]string{}},
	{"randomised", macRandom, nil, map[string]string{"randomised": "true"}},
	{"nothing known", dissect.MAC{}, nil, map[string]string{}},
}

func allCases() [][]identifyCase {
	return [][]identifyCase{dhcpCases, l2Cases, snmpCases, bannerCases, clientCases, mdnsCases, smbCases,
		otherCases, ouiCases, medicalCases}
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
	// The criticality that follows from a non-clinical category is left
	// out, so that cases of IT equipment need not repeat it: the medical
	// cases show the rest, and TestCriticalityFollowsCategory checks all.
	if g := id.Criticality; g.Rule != "" && (g.Value != string(CriticalityNonClinical) || g.Rule != RuleCategory) {
		out["criticality"] = fmt.Sprintf("%s|%d|%s", g.Value, g.Confidence, g.Rule)
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
		Criticality: Guess{Value: "non-clinical", Confidence: 70, Rule: RuleCategory,
			Because: []string{"category=switch (rule lldp-bridge)", "cdp capability=switch"}},
	}
	if diff := cmp.Diff(want, id); diff != "" {
		t.Errorf("Identify mismatch (-want +got):\n%s", diff)
	}
}

func TestIdentifyBecauseTwoConditions(t *testing.T) {
	id := Identify(dissect.MAC{}, []Attr{
		a("mdns", "mdns_txt", "ty=Brother HL-L2350DW series"),
		a("mdns", "service", "_ipp._tcp"),
	})
	want := []string{"mdns mdns_txt=ty=Brother HL-L2350DW series", "mdns service=_ipp._tcp"}
	if diff := cmp.Diff(want, id.Category.Because); diff != "" {
		t.Errorf("Category.Because mismatch (-want +got):\n%s", diff)
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
		a("smb", "ntlm_os_version", "10.0 build 19041"),
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
		a("mdns", "service", "_workstation._tcp"),
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Identify(macRandom, attrs)
	}
}

// TestIdentifyManyFacts checks that the key index find uses for devices
// with many facts changes nothing: every case, padded with facts no rule
// reads, must identify as it does alone.
func TestIdentifyManyFacts(t *testing.T) {
	var pad []Attr
	for i := range indexFrom + 8 {
		pad = append(pad, a("test", fmt.Sprintf("filler_%02d", i), "x"))
	}
	for _, family := range allCases() {
		for _, tt := range family {
			want := Identify(tt.mac, tt.attrs)
			for _, attrs := range [][]Attr{
				append(slices.Clone(pad), tt.attrs...),
				append(slices.Clone(tt.attrs), pad...),
			} {
				if got := Identify(tt.mac, attrs); !cmp.Equal(want, got) {
					t.Errorf("%s: padded to %d facts: %s", tt.name, len(attrs), cmp.Diff(want, got))
				}
			}
		}
	}
}
