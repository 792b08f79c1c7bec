package dissect

// Keys shared across protocols. The fingerprint rules and the inventory read
// these to name a device, so a dissector that learns one of these things uses
// the shared key, whatever its protocol calls it. Protocol-specific facts use
// keys of their own (snake_case, prefixed by nothing: the Source says which
// protocol), documented in the dissector's package comment.
const (
	KeyHostname     = "hostname"     // a name the device gives itself (DHCP 12, NBNS, sysName, LLDP system name)
	KeyFQDN         = "fqdn"         // a fully qualified name the device gives itself
	KeyDNSName      = "dns_name"     // a name others bind to the device's address (DNS answers)
	KeyManufacturer = "manufacturer" // as the device states it
	KeyModel        = "model"        // model name or number, as the device states it
	KeySerial       = "serial"       // serial number
	KeyHardware     = "hardware_version"
	KeyFirmware     = "firmware_version"
	KeySoftware     = "software"    // product and version of software it runs, "Cisco IOS 15.2(4)"
	KeyOS           = "os"          // operating system, when a protocol states it
	KeyDescription  = "description" // free text such as sysDescr or LLDP system description
	KeyService      = "service"     // a service it offers: "_ipp._tcp", "ssh", "upnp:MediaRenderer"
	KeyCapability   = "capability"  // a role it announces: "router", "bridge", "telephone", "wlan-ap"
	KeyRouter       = "router"      // value "yes": the device routes (RA sender, DHCP option 3, LLDP/CDP)
	KeyMgmtAddress  = "management_address"
	KeyVLAN         = "vlan" // a VLAN id it announces (native, voice, port VLAN)

	// Clinical facts, from the medical protocols (DICOM, HL7, SDC).
	KeyClinicalRole = "clinical_role" // what it does clinically: "modality", "pacs", "worklist", "patient-monitor-gateway"…
	KeyModality     = "modality"      // DICOM modality code it produces: "CT", "MR", "US", "DX"…
	KeyUDI          = "udi"           // a unique device identifier it carries, as sent (GS1, HIBCC or ICCBBA)
	KeyGTIN         = "gtin"          // the GS1 device identifier from a UDI: names the model

	// Security-relevant facts. Values never carry the secret itself.
	KeyCleartextLogin = "cleartext_login"     // value: protocol ("telnet", "ftp", "http-basic")
	KeyDefaultCreds   = "default_credentials" // value: the account name when it is a default or service account, else "yes"
	KeyInsecure       = "insecure_protocol"   // value: "smbv1", "telnet", "snmpv1", "snmpv2c", "ftp", "tls1.0"…
)
