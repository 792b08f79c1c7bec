package demo

// maker is a manufacturer with the registry block its network interfaces
// come from. Every OUI here is an MA-L assignment of the IEEE registry to
// the organisation in the comment above it, as the registry spells it
// (SOURCE.md quotes each line).
type maker struct {
	name string
	oui  uint32 // the first three bytes of its MACs
}

var (
	// B.Braun Melsungen AG
	makerBBraun = maker{"B. Braun", 0x001221}
	// Carefusion (BD Alaris)
	makerAlaris = maker{"BD", 0xf8c678}
	// Baxter International Inc
	makerBaxter = maker{"Baxter", 0x5846e1}
	// Becton, Dickinson  and Company (two spaces in the registry)
	makerBD = maker{"BD", 0x9cc8ae}
	// Philips Medical Systems - Cardiac and Monitoring Systems (CM
	makerPhilipsM = maker{"Philips", 0x00095c}
	// Philips Electronics Nederland BV
	makerPhilips = maker{"Philips", 0x1c5a6b}
	// GE Healthcare
	makerGE = maker{"GE Healthcare", 0x444b5d}
	// Mindray Co., Ltd.
	makerMindray = maker{"Mindray", 0x000f14}
	// Siemens AG, Healthcare Sector
	makerSiemens = maker{"Siemens Healthineers", 0x884b39}
	// CANON INC.
	makerCanon = maker{"Canon Medical", 0x001e8f}
	// FUJIFILM Corporation
	makerFuji = maker{"Fujifilm", 0x88b436}
	// Roche Diagnostics International Ltd.
	makerRoche = maker{"Roche", 0x004049}
	// Sysmex Corporation
	makerSysmex = maker{"Sysmex", 0x00066b}
	// Abbott Diagnostics
	makerAbbott = maker{"Abbott", 0x0013dd}
	// Abbott Point of Care
	makerAbbottPC = maker{"Abbott", 0xc0a26d}
	// Ascom Tateco AB
	makerAscom = maker{"Ascom", 0x00013e}
	// HP Inc.
	makerHPInc = maker{"HP", 0xe8d8d1}
	// Hewlett Packard
	makerHP = maker{"HP", 0x30e171}
	// Brother Industries, LTD.
	makerBrother = maker{"Brother", 0x3c2af4}
	// Dell Inc.
	makerDell = maker{"Dell", 0xd89ef3}
	// Lenovo
	makerLenovo = maker{"Lenovo", 0x10c595}
	// Cisco Systems, Inc
	makerCisco = maker{"Cisco", 0xf8a5c5}
	// Cisco Systems, Inc
	makerCiscoPh = maker{"Cisco", 0x7c0ece}
	// Polycom
	makerPolycom = maker{"Polycom", 0x64167f}
	// VMware, Inc.
	makerVMware = maker{"VMware", 0x005056}
)
