package web

import (
	"encoding/json"
	"time"

	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

// The API's answers. Each field's JSON name is part of the API: renaming
// one breaks clients. The OpenAPI schemas are derived from these structs
// (schemaFor), with a field's `doc` tag as its description; a field
// without omitempty or omitzero is required, so slices must be non-nil.

// apiMe is who the caller is.
type apiMe struct {
	Name        string     `json:"name" doc:"the user's name, or token:NAME for an API token"`
	Kind        string     `json:"kind" doc:"user or token"`
	Roles       []string   `json:"roles"`
	Permissions []string   `json:"permissions" doc:"what the roles allow, in some site or all"`
	Grants      []apiGrant `json:"grants"`
	CSRFToken   string     `json:"csrf_token,omitempty" doc:"for a session: the X-CSRF-Token its state changes need"`
}

// apiGrant is a role, for every site or one.
type apiGrant struct {
	Role   string `json:"role" enum:"role"`
	SiteID *int64 `json:"site_id" doc:"null: every site"`
}

func grantOut(g store.Grant) apiGrant {
	return apiGrant{Role: string(g.Role), SiteID: optID(g.SiteID)}
}

// optID is id, or nil for 0 (none).
func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// optTime is t, or nil for the zero time (never).
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// apiDevice is a device as a list shows it.
type apiDevice struct {
	ID            string    `json:"id"`
	Name          string    `json:"name" doc:"the best of names; empty when none"`
	MAC           string    `json:"mac" doc:"lower case, colon separated; empty for hosts behind a router"`
	Names         []string  `json:"names"`
	IPs           []string  `json:"ips" doc:"every address it used, the latest first"`
	Vendor        string    `json:"vendor"`
	Model         string    `json:"model"`
	Category      string    `json:"category"`
	Criticality   string    `json:"criticality"`
	OS            string    `json:"os"`
	Software      string    `json:"software"`
	UserSet       []string  `json:"user_set" doc:"the fields a person set, which ingestion keeps"`
	Router        bool      `json:"router"`
	MACRandomised bool      `json:"mac_randomised"`
	OUI           *apiOUI   `json:"oui" doc:"the MAC's registered organisation; null when unknown"`
	VLANs         []uint16  `json:"vlans"`
	FirstSeen     time.Time `json:"first_seen"`
	LastSeen      time.Time `json:"last_seen"`
	Packets       uint64    `json:"packets" doc:"sent, over every capture"`
	Bytes         uint64    `json:"bytes"`
	LocationID    *int64    `json:"location_id" doc:"null when not placed"`
	OwnerID       *int64    `json:"owner_id" doc:"null when it has no owner"`
}

// apiOUI is the organisation a MAC prefix is registered to.
type apiOUI struct {
	Prefix       string `json:"prefix"`
	Bits         int    `json:"bits"`
	Organisation string `json:"organisation"`
}

func deviceOut(d store.Device) apiDevice {
	out := apiDevice{ID: d.ID, Name: d.Name, MAC: d.MAC, Names: nonNil(d.Names),
		IPs: nonNil(d.IPs), Vendor: d.Vendor, Model: d.Model, Category: d.Category,
		Criticality: d.Criticality, OS: d.OS, Software: d.Software, UserSet: nonNil(d.UserSet),
		Router: d.Router, MACRandomised: d.MACRandomised, VLANs: nonNil(d.VLANs),
		FirstSeen: d.FirstSeen, LastSeen: d.LastSeen, Packets: d.Packets, Bytes: d.Bytes,
		LocationID: optID(d.LocationID), OwnerID: optID(d.OwnerID)}
	if d.OUI != nil {
		out.OUI = &apiOUI{Prefix: d.OUI.Prefix, Bits: d.OUI.Bits, Organisation: d.OUI.Organisation}
	}
	return out
}

func devicesOut(ds []store.Device) []apiDevice {
	out := make([]apiDevice, len(ds))
	for i, d := range ds {
		out[i] = deviceOut(d)
	}
	return out
}

// apiDeviceList is a page of devices.
type apiDeviceList struct {
	Devices    []apiDevice `json:"devices"`
	NextCursor string      `json:"next_cursor,omitempty" doc:"the cursor of the next page; absent on the last"`
	Total      int         `json:"total" doc:"the devices the filters select, over every page"`
}

// apiDeviceDetail is a device with everything known about it.
type apiDeviceDetail struct {
	apiDevice
	Identification map[string]apiDerivation `json:"identification" doc:"how each derived field was derived, by field"`
	Identifiers    []apiIdentifier          `json:"identifiers" doc:"the addresses it used: the MAC first, then IPs"`
	Attributes     []apiAttribute           `json:"attributes"`
	Links          []apiLink                `json:"links"`
	Findings       []apiFinding             `json:"findings"`
	Tags           []string                 `json:"tags"`
	Location       []apiLocation            `json:"location" doc:"the path from the site down to its location; empty when not placed"`
	Owner          *apiOwner                `json:"owner" doc:"null when it has no owner"`
	Notes          string                   `json:"notes" doc:"what a person noted"`
}

// apiDerivation is a derived value with the rule and facts behind it.
type apiDerivation struct {
	Value      string   `json:"value"`
	Confidence int      `json:"confidence" doc:"0 to 255"`
	Rule       string   `json:"rule"`
	Because    []string `json:"because"`
}

// apiIdentifier is an address a device used.
type apiIdentifier struct {
	Kind      string    `json:"kind" doc:"mac or ip"`
	Value     string    `json:"value"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Packets   uint64    `json:"packets"`
	SeenBy    []string  `json:"seen_by" doc:"for an IP address: ip, arp, ndp"`
}

// apiAttribute is a fact about a device with its provenance.
type apiAttribute struct {
	Key        string    `json:"key"`
	Value      string    `json:"value"`
	Source     string    `json:"source" doc:"the protocol that told it, or user"`
	Confidence int       `json:"confidence" doc:"0 to 255; what a person set is 100"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	Count      uint64    `json:"count"`
	Peer       string    `json:"peer" doc:"for a fact about a conversation, the device at the other end; else empty"`
}

// apiLink is a conversation between devices that a clinical protocol names.
type apiLink struct {
	Source    string    `json:"source" doc:"the protocol: dicom, hl7"`
	Key       string    `json:"key"`
	Value     string    `json:"value"`
	From      string    `json:"from" doc:"the device that calls or sends"`
	To        string    `json:"to"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Count     uint64    `json:"count" doc:"connections that carried it"`
}

// apiFinding is a security problem seen on a device.
type apiFinding struct {
	Kind        string `json:"kind"`
	Protocol    string `json:"protocol"`
	Messages    uint64 `json:"messages"`
	Connections uint64 `json:"connections"`
	Peers       int    `json:"peers"`
}

// apiLocation is a place in a hospital.
type apiLocation struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind" doc:"site, building, floor, department, ward or room"`
	Name     string `json:"name"`
	ParentID *int64 `json:"parent_id" doc:"null for a site"`
	SiteID   int64  `json:"site_id"`
}

// apiOwner is a person or team answerable for devices.
type apiOwner struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Contact string `json:"contact"`
}

func detailOut(d *store.DeviceDetail) apiDeviceDetail {
	out := apiDeviceDetail{apiDevice: deviceOut(d.Device), Identification: derivations(d.Identification),
		Identifiers: make([]apiIdentifier, len(d.Identifiers)), Attributes: attributesOut(d.Attributes),
		Links: make([]apiLink, len(d.Links)), Findings: make([]apiFinding, len(d.Findings)),
		Tags: nonNil(d.Tags), Location: make([]apiLocation, len(d.Location))}
	for i, id := range d.Identifiers {
		out.Identifiers[i] = apiIdentifier{Kind: id.Kind, Value: id.Value, FirstSeen: id.FirstSeen,
			LastSeen: id.LastSeen, Packets: id.Packets, SeenBy: nonNil(id.SeenBy)}
	}
	for i, l := range d.Links {
		out.Links[i] = apiLink{Source: l.Source, Key: l.Key, Value: l.Value, From: l.From, To: l.To,
			FirstSeen: l.FirstSeen, LastSeen: l.LastSeen, Count: l.Count}
	}
	for i, f := range d.Findings {
		out.Findings[i] = apiFinding{Kind: f.Kind, Protocol: f.Protocol, Messages: f.Messages,
			Connections: f.Connections, Peers: f.Peers}
	}
	for i, l := range d.Location {
		out.Location[i] = apiLocation{ID: l.ID, Kind: string(l.Kind), Name: l.Name,
			ParentID: optID(l.ParentID), SiteID: l.SiteID}
	}
	if d.Owner != nil {
		out.Owner = &apiOwner{ID: d.Owner.ID, Name: d.Owner.Name, Contact: d.Owner.Contact}
	}
	for _, a := range d.Attributes {
		if a.Source == store.SourceUser && a.Key == "notes" {
			out.Notes = a.Value
		}
	}
	return out
}

func derivations(id inventory.Identification) map[string]apiDerivation {
	out := map[string]apiDerivation{}
	for name, d := range map[string]*inventory.Derivation{"vendor": id.Vendor, "model": id.Model,
		"category": id.Category, "os": id.OS, "software": id.Software, "criticality": id.Criticality} {
		if d != nil {
			out[name] = apiDerivation{Value: d.Value, Confidence: int(d.Confidence), Rule: d.Rule,
				Because: nonNil(d.Because)}
		}
	}
	return out
}

func attributesOut(as []store.Attribute) []apiAttribute {
	out := make([]apiAttribute, len(as))
	for i, a := range as {
		out[i] = apiAttribute{Key: a.Key, Value: a.Value, Source: a.Source,
			Confidence: int(a.Confidence), FirstSeen: a.FirstSeen, LastSeen: a.LastSeen,
			Count: a.Count, Peer: a.Peer}
	}
	return out
}

// apiAttributes are a device's attributes.
type apiAttributes struct {
	DeviceID   string         `json:"device_id"`
	Attributes []apiAttribute `json:"attributes" doc:"by key, then confidence, the highest first"`
}

// apiFlow is traffic between two addresses on one port.
type apiFlow struct {
	Src         string    `json:"src"`
	Dst         string    `json:"dst"`
	Proto       uint8     `json:"proto" doc:"the IP protocol number: 6 tcp, 17 udp"`
	DstPort     uint16    `json:"dst_port"`
	VLAN        uint16    `json:"vlan"`
	App         string    `json:"app" doc:"the application protocol; empty when unknown"`
	Packets     uint64    `json:"packets" doc:"both directions"`
	Bytes       uint64    `json:"bytes"`
	PacketsRev  uint64    `json:"packets_rev" doc:"of packets, those from dst to src"`
	BytesRev    uint64    `json:"bytes_rev"`
	Messages    uint64    `json:"messages"`
	MessagesRev uint64    `json:"messages_rev"`
	Connections uint64    `json:"connections"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
	SrcMAC      string    `json:"src_mac"`
	DstMAC      string    `json:"dst_mac"`
	SrcDevice   string    `json:"src_device" doc:"empty when no device here"`
	DstDevice   string    `json:"dst_device"`
}

// apiFlows are a device's flows.
type apiFlows struct {
	DeviceID string    `json:"device_id"`
	Flows    []apiFlow `json:"flows"`
}

func flowsOut(fs []store.Flow) []apiFlow {
	out := make([]apiFlow, len(fs))
	for i, f := range fs {
		out[i] = apiFlow{Src: f.Src, Dst: f.Dst, Proto: f.Proto, DstPort: f.DstPort, VLAN: f.VLAN,
			App: f.App, Packets: f.Packets, Bytes: f.Bytes, PacketsRev: f.PacketsRev,
			BytesRev: f.BytesRev, Messages: f.Messages, MessagesRev: f.MessagesRev,
			Connections: f.Connections, FirstSeen: f.FirstSeen, LastSeen: f.LastSeen,
			SrcMAC: f.SrcMAC, DstMAC: f.DstMAC, SrcDevice: f.SrcDevice, DstDevice: f.DstDevice}
	}
	return out
}

// apiCount is how many devices have a value.
type apiCount struct {
	Value   string `json:"value" doc:"empty counts the devices where it is unknown"`
	Devices int    `json:"devices"`
}

func countsOut(cs []store.Count) []apiCount {
	out := make([]apiCount, len(cs))
	for i, c := range cs {
		out[i] = apiCount{Value: c.Value, Devices: c.Devices}
	}
	return out
}

// apiDashboard is the dashboard's figures over the devices the caller may
// see.
type apiDashboard struct {
	Total         int        `json:"total"`
	ByCategory    []apiCount `json:"by_category" doc:"most devices first"`
	ByCriticality []apiCount `json:"by_criticality"`
	ByVendor      []apiCount `json:"by_vendor" doc:"the ten largest, then other for the rest"`
	BySite        []apiCount `json:"by_site" doc:"by site name; empty counts the devices not placed"`
	NewDevices    int        `json:"new_devices" doc:"first seen in the 7 days before as_of"`
	NotSeen       int        `json:"not_seen" doc:"last seen more than 30 days before as_of"`
	AsOf          time.Time  `json:"as_of"`
}

func dashboardOut(f *store.DashboardFigures, now time.Time) apiDashboard {
	return apiDashboard{Total: f.Total, ByCategory: countsOut(f.ByCategory),
		ByCriticality: countsOut(f.ByCriticality), ByVendor: countsOut(f.ByVendor),
		BySite: countsOut(f.BySite), NewDevices: f.NewDevices, NotSeen: f.NotSeen, AsOf: now}
}

// apiIngestResult says what ingesting a capture did.
type apiIngestResult struct {
	File            apiFile   `json:"file"`
	Merged          apiMerged `json:"merged" doc:"rows written; all zero when already ingested"`
	AlreadyIngested bool      `json:"already_ingested" doc:"the same bytes were ingested before: nothing changed"`
	Problems        []string  `json:"problems" doc:"defects of the capture that reading survived"`
}

// apiFile is an ingested capture.
type apiFile struct {
	Name    string `json:"name"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size" doc:"bytes"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// apiMerged counts the rows a merge inserted or updated.
type apiMerged struct {
	Devices     int `json:"devices"`
	NewDevices  int `json:"new_devices"`
	Identifiers int `json:"identifiers"`
	Attributes  int `json:"attributes"`
	Links       int `json:"links"`
	Findings    int `json:"findings"`
	Flows       int `json:"flows"`
}

func ingestOut(f store.File, m store.Merged, already bool, problems []string) apiIngestResult {
	return apiIngestResult{
		File: apiFile{Name: f.Name, SHA256: f.SHA256, Size: f.Size, Packets: f.Packets,
			Bytes: f.Bytes},
		Merged: apiMerged{Devices: m.Devices, NewDevices: m.NewDevices, Identifiers: m.Identifiers,
			Attributes: m.Attributes, Links: m.Links, Findings: m.Findings, Flows: m.Flows},
		AlreadyIngested: already, Problems: nonNil(problems)}
}

// apiFigures say how far a register and the network agree.
type apiFigures struct {
	RegisterEntries int          `json:"register_entries" doc:"every entry, duplicates included"`
	NetworkDevices  int          `json:"network_devices"`
	Matched         int          `json:"matched"`
	RegisterOnly    int          `json:"register_only"`
	NetworkOnly     int          `json:"network_only"`
	Relayed         int          `json:"relayed" doc:"entries whose serial a gateway reports"`
	Duplicates      int          `json:"duplicates"`
	WithoutKey      int          `json:"without_key" doc:"entries with nothing to match by"`
	WithConflicts   int          `json:"with_conflicts"`
	MatchedBy       apiKeyCounts `json:"matched_by" doc:"matches by the key that decided them"`
	Accuracy        float64      `json:"accuracy" doc:"0 to 1: of the assets either side knows, the share both agree exist"`
	InRegister      float64      `json:"in_register" doc:"0 to 1: the share of the network the register holds"`
	OnNetwork       float64      `json:"on_network" doc:"0 to 1: the share of the register the network confirms"`
}

// apiKeyCounts counts matches by key.
type apiKeyCounts struct {
	MAC      int `json:"mac"`
	Serial   int `json:"serial"`
	Hostname int `json:"hostname"`
	IP       int `json:"ip"`
}

func figuresOut(f register.Figures) apiFigures {
	return apiFigures{RegisterEntries: f.RegisterEntries, NetworkDevices: f.NetworkDevices,
		Matched: f.Matched, RegisterOnly: f.RegisterOnly, NetworkOnly: f.NetworkOnly,
		Relayed: f.Relayed, Duplicates: f.Duplicates, WithoutKey: f.WithoutKey,
		WithConflicts: f.WithConflicts, MatchedBy: apiKeyCounts{MAC: f.MatchedBy.MAC,
			Serial: f.MatchedBy.Serial, Hostname: f.MatchedBy.Hostname, IP: f.MatchedBy.IP},
		Accuracy: f.Accuracy, InRegister: f.InRegister, OnNetwork: f.OnNetwork}
}

// apiRegisterResult says what importing a register found.
type apiRegisterResult struct {
	ImportID int64      `json:"import_id"`
	Name     string     `json:"name"`
	SHA256   string     `json:"sha256"`
	Figures  apiFigures `json:"figures"`
	Problems []string   `json:"problems" doc:"rows or cells that could not be read"`
}

// apiRegisterImport is an import with its reconciliation.
type apiRegisterImport struct {
	ID           int64              `json:"id"`
	Name         string             `json:"name"`
	SHA256       string             `json:"sha256"`
	ImportedAt   time.Time          `json:"imported_at"`
	Actor        string             `json:"actor"`
	Figures      apiFigures         `json:"figures"`
	Matched      []apiMatch         `json:"matched"`
	RegisterOnly []apiEntry         `json:"register_only" doc:"entries no device matched"`
	NetworkOnly  []apiNetworkDevice `json:"network_only" doc:"devices no entry matched"`
	Problems     []apiProblem       `json:"problems"`
}

// apiEntry is one asset of a register.
type apiEntry struct {
	Row         int               `json:"row" doc:"1-based, as a spreadsheet shows it"`
	Fields      map[string]string `json:"fields" doc:"the mapped cells that are not empty, by field"`
	MAC         string            `json:"mac"`
	IPs         []string          `json:"ips"`
	Hostname    string            `json:"hostname"`
	Serial      string            `json:"serial"`
	DuplicateOf int               `json:"duplicate_of" doc:"the row of an earlier entry it repeats; 0 if none"`
}

// apiMatch is an entry and the device it is.
type apiMatch struct {
	Entry     apiEntry      `json:"entry"`
	DeviceID  string        `json:"device_id"`
	By        []string      `json:"by" doc:"the keys on which both agree, the deciding one first"`
	Conflicts []apiConflict `json:"conflicts"`
}

// apiConflict is a field on which register and network disagree.
type apiConflict struct {
	Field    string `json:"field"`
	Register string `json:"register"`
	Network  string `json:"network"`
}

// apiNetworkDevice is a device that the register lacks.
type apiNetworkDevice struct {
	ID          string   `json:"id"`
	MAC         string   `json:"mac"`
	IPs         []string `json:"ips"`
	Name        string   `json:"name"`
	Vendor      string   `json:"vendor"`
	Model       string   `json:"model"`
	Category    string   `json:"category"`
	Criticality string   `json:"criticality"`
}

// apiProblem is a row or cell of a register that could not be read.
type apiProblem struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Field  string `json:"field"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

func registerImportOut(ri *store.RegisterImport) apiRegisterImport {
	out := apiRegisterImport{ID: ri.ID, Name: ri.Name, SHA256: ri.SHA256,
		ImportedAt: ri.ImportedAt, Actor: ri.Actor, Figures: figuresOut(ri.Figures),
		Matched: []apiMatch{}, RegisterOnly: []apiEntry{}, NetworkOnly: []apiNetworkDevice{},
		Problems: make([]apiProblem, len(ri.Problems))}
	for i, p := range ri.Problems {
		out.Problems[i] = apiProblem{Row: p.Row, Column: p.Column, Field: string(p.Field),
			Value: p.Value, Reason: p.Reason}
	}
	rec := ri.Reconciliation
	if rec == nil {
		return out
	}
	for _, m := range rec.Matched {
		am := apiMatch{Entry: entryOut(m.Entry), DeviceID: m.DeviceID, By: make([]string, len(m.By)),
			Conflicts: make([]apiConflict, len(m.Conflicts))}
		for i, f := range m.By {
			am.By[i] = string(f)
		}
		for i, c := range m.Conflicts {
			am.Conflicts[i] = apiConflict{Field: string(c.Field), Register: c.Register, Network: c.Network}
		}
		out.Matched = append(out.Matched, am)
	}
	for _, e := range rec.RegisterOnly {
		out.RegisterOnly = append(out.RegisterOnly, entryOut(e))
	}
	for _, d := range rec.NetworkOnly {
		out.NetworkOnly = append(out.NetworkOnly, apiNetworkDevice{ID: d.ID, MAC: d.MAC,
			IPs: nonNil(d.IPs), Name: d.Name, Vendor: d.Vendor, Model: d.Model,
			Category: d.Category, Criticality: d.Criticality})
	}
	return out
}

func entryOut(e register.Entry) apiEntry {
	out := apiEntry{Row: e.Row, Fields: make(map[string]string, len(e.Fields)), MAC: e.MAC,
		IPs: nonNil(e.IPs), Hostname: e.Hostname, Serial: e.Serial, DuplicateOf: e.DuplicateOf}
	for f, v := range e.Fields {
		out.Fields[string(f)] = v
	}
	return out
}

// apiUser is a person who may sign in.
type apiUser struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Disabled  bool       `json:"disabled"`
	External  bool       `json:"external" doc:"signs in through single sign-on, with no Ward password"`
	CreatedAt time.Time  `json:"created_at"`
	Grants    []apiGrant `json:"grants"`
}

func userOut(u store.User) apiUser {
	out := apiUser{ID: u.ID, Name: u.Name, Disabled: u.Disabled, External: u.PasswordHash == "",
		CreatedAt: u.CreatedAt, Grants: make([]apiGrant, len(u.Grants))}
	for i, g := range u.Grants {
		out.Grants[i] = grantOut(g)
	}
	return out
}

// apiUsers lists the users.
type apiUsers struct {
	Users []apiUser `json:"users" doc:"by name"`
}

// apiNewUser asks for a user.
type apiNewUser struct {
	Name   string `json:"name" doc:"1 to 64 characters"`
	Role   string `json:"role" enum:"role"`
	SiteID int64  `json:"site_id,omitempty" doc:"limits the role to one site; absent or 0: every site"`
}

// apiCreatedUser is a new user with the password to give them, shown once.
type apiCreatedUser struct {
	User     apiUser `json:"user"`
	Password string  `json:"password" doc:"the first password; Ward keeps only its hash"`
}

// apiToken is an API token, without its secret.
type apiToken struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role" enum:"role"`
	SiteID    *int64     `json:"site_id" doc:"null: every site"`
	CreatedAt time.Time  `json:"created_at"`
	LastUsed  *time.Time `json:"last_used" doc:"null until used"`
	RevokedAt *time.Time `json:"revoked_at" doc:"null unless revoked"`
}

func tokenOut(t store.Token) apiToken {
	return apiToken{ID: t.ID, Name: t.Name, Role: string(t.Role), SiteID: optID(t.SiteID),
		CreatedAt: t.CreatedAt, LastUsed: optTime(t.LastUsed), RevokedAt: optTime(t.RevokedAt)}
}

// apiTokens lists the tokens.
type apiTokens struct {
	Tokens []apiToken `json:"tokens" doc:"revoked ones too, the oldest first"`
}

// apiNewToken asks for a token.
type apiNewToken struct {
	Name   string `json:"name" doc:"1 to 64 characters: what will use it"`
	Role   string `json:"role" enum:"role"`
	SiteID int64  `json:"site_id,omitempty" doc:"limits the token to one site; absent or 0: every site"`
}

// apiCreatedToken is a new token with its secret, shown once.
type apiCreatedToken struct {
	Token  apiToken `json:"token"`
	Secret string   `json:"secret" doc:"send as Authorization: Bearer SECRET; Ward keeps only its hash"`
}

// apiAuditEvent is an entry of the audit log.
type apiAuditEvent struct {
	Seq    int64           `json:"seq"`
	Time   time.Time       `json:"time"`
	Actor  string          `json:"actor" doc:"a user's name, token:NAME or system"`
	Action string          `json:"action"`
	Object string          `json:"object" doc:"what it acted on, e.g. a device id; empty when nothing"`
	Detail json.RawMessage `json:"detail"`
}

// apiAudit is a page of audit events.
type apiAudit struct {
	Events     []apiAuditEvent `json:"events" doc:"newest first"`
	NextBefore int64           `json:"next_before,omitempty" doc:"the before of the next (older) page; absent on the last"`
}

func auditOut(evs []store.AuditEvent) []apiAuditEvent {
	out := make([]apiAuditEvent, len(evs))
	for i, e := range evs {
		detail := e.Detail
		if len(detail) == 0 {
			detail = json.RawMessage("{}")
		}
		out[i] = apiAuditEvent{Seq: e.Seq, Time: e.Time, Actor: e.Actor, Action: e.Action,
			Object: e.Object, Detail: detail}
	}
	return out
}
