package fingerprint

// Category is the kind of device, as one word or hyphenated phrase of a
// controlled vocabulary. The built-in vocabulary is:
//
//	router, switch, wireless-ap, firewall, network-infrastructure,
//	printer, ip-phone, camera, workstation, server, laptop, mobile, tablet,
//	tv/media, iot, nas, hypervisor, building-automation
//
// A rule pack may add categories of its own (its top-level "categories"
// list), so that new families, medical devices among them, need no code.
type Category string

// The built-in categories.
const (
	CategoryRouter             Category = "router"
	CategorySwitch             Category = "switch"
	CategoryWirelessAP         Category = "wireless-ap"
	CategoryFirewall           Category = "firewall"
	CategoryNetworkInfra       Category = "network-infrastructure"
	CategoryPrinter            Category = "printer"
	CategoryIPPhone            Category = "ip-phone"
	CategoryCamera             Category = "camera"
	CategoryWorkstation        Category = "workstation"
	CategoryServer             Category = "server"
	CategoryLaptop             Category = "laptop"
	CategoryMobile             Category = "mobile"
	CategoryTablet             Category = "tablet"
	CategoryMedia              Category = "tv/media"
	CategoryIoT                Category = "iot"
	CategoryNAS                Category = "nas"
	CategoryHypervisor         Category = "hypervisor"
	CategoryBuildingAutomation Category = "building-automation"
)

// builtinCategories lists the built-in vocabulary in documentation order.
var builtinCategories = []Category{
	CategoryRouter, CategorySwitch, CategoryWirelessAP, CategoryFirewall,
	CategoryNetworkInfra, CategoryPrinter, CategoryIPPhone, CategoryCamera,
	CategoryWorkstation, CategoryServer, CategoryLaptop, CategoryMobile,
	CategoryTablet, CategoryMedia, CategoryIoT, CategoryNAS,
	CategoryHypervisor, CategoryBuildingAutomation,
}

// String returns the category's name.
func (c Category) String() string { return string(c) }

// BuiltinCategories returns the built-in vocabulary. The result is a copy.
func BuiltinCategories() []Category {
	return append([]Category(nil), builtinCategories...)
}
