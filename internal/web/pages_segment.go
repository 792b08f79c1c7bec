package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/segment"
)

// The segmentation pages: the overview with its zone map and measures,
// a zone's devices, and the violations of the policy in force with their
// CSV export. The policy editor, learning, simulation, sign-off and export
// are in pages_segment_policy.go and pages_segment_simulate.go. The pages
// and the API (api_segment.go) read the same figures, made here.

// segmentPolicyInfo says which policy is in force.
type segmentPolicyInfo struct {
	Saved   bool // false: none is saved yet, and the template is shown
	ID      int64
	Name    string
	By      string
	Note    string
	At      time.Time
	Digest  string
	Zones   int
	Rules   int
	Conduit int
}

// policyInfo describes the policy seg has in force.
func policyInfo(seg *ingest.Segmentation) segmentPolicyInfo {
	p := seg.Policy
	in := segmentPolicyInfo{Name: p.Name, Digest: p.Digest(), Zones: len(p.Zones),
		Rules: len(p.Rules), Conduit: len(p.Conduits)}
	if v := seg.Version; v != nil {
		in.Saved, in.ID, in.By, in.Note, in.At = true, v.ID, v.By, v.Note, v.CreatedAt
		in.Digest = v.Digest
		if v.Name != "" {
			in.Name = v.Name
		}
	}
	return in
}

// segmentation reads the policy in force, the devices and the flows. On
// an error it answers the request itself and returns nil.
func (s *Server) segmentation(w http.ResponseWriter, r *http.Request, k kind) *ingest.Segmentation {
	seg, err := s.cfg.Ingest.Segmentation(r.Context())
	if err != nil {
		s.answerInternal(w, r, k, err)
		return nil
	}
	return seg
}

// answerInternal answers the server's own error as a page or as JSON.
func (s *Server) answerInternal(w http.ResponseWriter, r *http.Request, k kind, err error) {
	if k == api {
		s.apiInternal(w, r, err)
		return
	}
	s.internal(w, r, err)
}

// segmentZoneRow is a zone of the overview.
type segmentZoneRow struct {
	segment.ZoneCount
	Description   string
	SecurityLevel int
}

// zoneRows are the report's zones with the policy's words on each.
func zoneRows(p *segment.Policy, rep *segment.Report) []segmentZoneRow {
	out := make([]segmentZoneRow, len(rep.Zones))
	for i, z := range rep.Zones {
		out[i] = segmentZoneRow{ZoneCount: z}
		if pz := policyZone(p, z.Zone); pz != nil {
			out[i].Description, out[i].SecurityLevel = pz.Description, pz.SecurityLevel
		} else if z.Zone == segment.Unassigned {
			out[i].Description = "Devices and addresses no rule places."
		}
	}
	return out
}

// policyZone is the zone of p named name, nil when p has none.
func policyZone(p *segment.Policy, name string) *segment.Zone {
	for i := range p.Zones {
		if p.Zones[i].Name == name {
			return &p.Zones[i]
		}
	}
	return nil
}

// segmentOverview is what the overview shows, and the API's
// /segmentation answers.
type segmentOverview struct {
	Policy   segmentPolicyInfo
	Measures segment.Measures
	Report   *segment.Report
	Zones    []segmentZoneRow
	Map      zoneMap
	Weeks    weekChart
}

// overview reads the figures of the overview; weeks are read only when
// asked (the API answers them apart).
func (s *Server) overview(r *http.Request, seg *ingest.Segmentation, weeks bool) (*segmentOverview, error) {
	rep := seg.Eval.Check(seg.Flows)
	o := &segmentOverview{Policy: policyInfo(seg), Measures: seg.Eval.Measures(), Report: rep,
		Zones: zoneRows(seg.Policy, rep), Map: buildZoneMap(rep)}
	if !weeks {
		return o, nil
	}
	last := rep.To
	if last.IsZero() {
		last = s.now()
	}
	from, to := chartWindow(last)
	ws, err := s.cfg.Ingest.WeeksOf(r.Context(), seg, from, to)
	if err != nil {
		return nil, err
	}
	o.Weeks = buildWeekChart(ws, from, to)
	return o, nil
}

func (s *Server) segmentPage(w http.ResponseWriter, r *http.Request) {
	seg := s.segmentation(w, r, page)
	if seg == nil {
		return
	}
	o, err := s.overview(r, seg, true)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "segmentation", &view{Title: "Segmentation",
		Nav: "segmentation", Data: o, Flash: s.takeFlash(w, r)})
}

// zoneNamePattern is what a zone's name may be (or "unassigned").
var zoneNamePattern = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// segmentZone is a zone with its devices and the rules and conduits that
// name it.
type segmentZone struct {
	Name        string
	Zone        *segment.Zone // nil for Unassigned
	Devices     []segment.DevicePlacement
	Rules       []segmentRuleText
	Conduits    []segmentConduitText
	PolicySaved bool
}

// segmentRuleText is a rule of the policy for people: its number from 1
// and what it matches.
type segmentRuleText struct {
	N    int
	Line int
	Text string
}

// segmentConduitText is a conduit for people.
type segmentConduitText struct {
	Name, From, To, Services string
	Bidirectional            bool
}

// zoneOf reads the zone a route names from seg; ok is false when the
// policy has no such zone.
func zoneOf(seg *ingest.Segmentation, name string) (*segmentZone, bool) {
	if !zoneNamePattern.MatchString(name) {
		return nil, false
	}
	z := &segmentZone{Name: name, Zone: policyZone(seg.Policy, name), PolicySaved: seg.Version != nil}
	if z.Zone == nil && name != segment.Unassigned {
		return nil, false
	}
	for _, dp := range seg.Eval.Devices() {
		if dp.Placement.Zone == name {
			z.Devices = append(z.Devices, dp)
		}
	}
	for i, rl := range seg.Policy.Rules {
		if rl.Zone == name {
			z.Rules = append(z.Rules, segmentRuleText{N: i + 1, Line: rl.Line, Text: ruleText(&rl)})
		}
	}
	for _, c := range seg.Policy.Conduits {
		if c.From.Zone == name || c.To.Zone == name {
			z.Conduits = append(z.Conduits, conduitTextOf(&c))
		}
	}
	return z, true
}

// ruleText says what a rule matches: "subnets 10.20.0.0/16; VLANs 20".
func ruleText(rl *segment.Rule) string {
	var parts []string
	add := func(label string, vals []string) {
		if len(vals) > 0 {
			parts = append(parts, label+" "+strings.Join(vals, ", "))
		}
	}
	var subnets, vlans []string
	for _, p := range rl.Subnets {
		subnets = append(subnets, p.String())
	}
	for _, v := range rl.VLANs {
		vlans = append(vlans, strconv.Itoa(int(v)))
	}
	add("subnets", subnets)
	add("VLANs", vlans)
	add("categories", rl.Categories)
	add("criticality", rl.Criticality)
	add("tags", rl.Tags)
	add("devices", rl.Devices)
	if rl.Internet {
		parts = append(parts, "public (internet) addresses")
	}
	return strings.Join(parts, "; ")
}

// conduitText writes a conduit's ends and services.
func conduitText(c *segment.Conduit) string {
	var svcs []string
	for _, sv := range c.Services {
		svcs = append(svcs, serviceText(sv))
	}
	return strings.Join(svcs, ", ")
}

// serviceText writes a service as the policy's short form does:
// "tcp/104,11112 (dicom)".
func serviceText(sv segment.Service) string {
	t := sv.Proto
	if len(sv.Ports) > 0 {
		ports := make([]string, len(sv.Ports))
		for i, p := range sv.Ports {
			ports[i] = p.String()
		}
		t += "/" + strings.Join(ports, ",")
	}
	if sv.App != "" {
		t += " (" + sv.App + ")"
	}
	return t
}

// conduitTextOf is a conduit as the zone page lists it.
func conduitTextOf(c *segment.Conduit) segmentConduitText {
	return segmentConduitText{Name: c.Name, From: c.From.Key(), To: c.To.Key(),
		Services: conduitText(c), Bidirectional: c.Bidirectional}
}

func (s *Server) segmentZonePage(w http.ResponseWriter, r *http.Request) {
	seg := s.segmentation(w, r, page)
	if seg == nil {
		return
	}
	z, ok := zoneOf(seg, r.PathValue("zone"))
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, "The policy has no such zone.")
		return
	}
	s.render(w, r, http.StatusOK, "segment-zone", &view{Title: "Zone " + z.Name,
		Nav: "segmentation", Data: z})
}

// violationFilter selects violations: by source and destination zone,
// by a device at either end (its id, address, or part of its name), by
// protocol and by application. Empty fields select all.
type violationFilter struct {
	From, To, Device, Proto, App string
}

// appPattern is an application's name as the dissectors give it.
var appPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,39}$`)

// readViolationFilter reads the filters from a query string: the same
// names on the page, in the CSV and in the API.
func readViolationFilter(q url.Values) (violationFilter, error) {
	f := violationFilter{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Device: strings.TrimSpace(q.Get("device")),
		Proto:  strings.ToLower(strings.TrimSpace(q.Get("protocol"))),
		App:    strings.ToLower(strings.TrimSpace(q.Get("application")))}
	for _, z := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if z.v != "" && !zoneNamePattern.MatchString(z.v) {
			return f, fmt.Errorf("%s must be a zone's name: lower-case letters, digits and -", z.name)
		}
	}
	if !plainText(f.Device) {
		return f, errors.New("device must be up to 255 bytes of text without control characters")
	}
	if f.Proto != "" {
		n, err := segment.ParseProto(f.Proto)
		if err != nil {
			return f, errors.New("protocol must be tcp, udp, icmp, icmpv6 or a number to 255")
		}
		f.Proto = segment.ProtoName(n)
	}
	if f.App != "" && !appPattern.MatchString(f.App) {
		return f, errors.New("application must be a name such as dicom, hl7 or tls")
	}
	return f, nil
}

// empty reports whether f selects every violation.
func (f violationFilter) empty() bool { return f == violationFilter{} }

// match reports whether f selects v.
func (f violationFilter) match(v *segment.Violation) bool {
	switch {
	case f.From != "" && v.Source.Zone != f.From,
		f.To != "" && v.Destination.Zone != f.To,
		f.Proto != "" && v.Protocol != f.Proto,
		f.App != "" && v.Application != f.App:
		return false
	}
	return f.Device == "" || endIs(v.Source, f.Device) || endIs(v.Destination, f.Device)
}

// endIs reports whether an end is the device or address q names.
func endIs(e segment.Endpoint, q string) bool {
	return e.Device == q || e.Address == q ||
		e.Name != "" && strings.Contains(strings.ToLower(e.Name), strings.ToLower(q))
}

// filterViolations returns the violations f selects, in the report's
// order.
func filterViolations(vs []segment.Violation, f violationFilter) []segment.Violation {
	if f.empty() {
		return vs
	}
	var out []segment.Violation
	for i := range vs {
		if f.match(&vs[i]) {
			out = append(out, vs[i])
		}
	}
	return out
}

// offsetPage is a page of a list computed whole: the offset of its first
// item and its size. Its cursor is the offset, which a client passes back
// as it is.
type offsetPage struct{ offset, limit int }

// readOffsetPage reads ?cursor= and ?limit= (1 to 500, default def).
func readOffsetPage(q url.Values, def int) (offsetPage, error) {
	pg := offsetPage{limit: def}
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n > 1<<30 {
			return pg, errors.New("cursor is malformed: pass next_cursor back as it is")
		}
		pg.offset = n
	}
	var err error
	pg.limit, err = vulnLimit(q.Get("limit"), def)
	return pg, err
}

// pageOf returns the page of items pg selects and the next page's cursor,
// "" on the last.
func pageOf[T any](items []T, pg offsetPage) ([]T, string) {
	start := min(pg.offset, len(items))
	end := min(start+pg.limit, len(items))
	if end < len(items) {
		return items[start:end], strconv.Itoa(end)
	}
	return items[start:end], ""
}

// segmentViolationsView is the violations page.
type segmentViolationsView struct {
	Query      url.Values
	Filter     violationFilter
	Rows       []segment.Violation
	Total      int // the violations the filters select
	All        int // every violation
	Zones      []string
	Report     *segment.Report
	Policy     segmentPolicyInfo
	NextURL    string
	FirstURL   string
	CSVURL     string
	CanExport  bool
	Protocols  []string
	Apps       []string
	OffsetFrom int
}

func (s *Server) segmentViolationsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := readViolationFilter(q)
	var pg offsetPage
	if err == nil {
		pg, err = readOffsetPage(q, 100)
	}
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, upperFirst(err.Error())+".")
		return
	}
	seg := s.segmentation(w, r, page)
	if seg == nil {
		return
	}
	rep := seg.Eval.Check(seg.Flows)
	sel := filterViolations(rep.Violations, f)
	rows, next := pageOf(sel, pg)
	v := segmentViolationsView{Query: q, Filter: f, Rows: rows, Total: len(sel),
		All: len(rep.Violations), Report: rep, Policy: policyInfo(seg),
		CSVURL:    "/segmentation/violations.csv?" + withoutParams(q, "cursor", "limit"),
		CanExport: who(r.Context()).can(auth.PermExport), OffsetFrom: pg.offset + 1}
	for _, z := range rep.Zones {
		v.Zones = append(v.Zones, z.Zone)
	}
	v.Protocols, v.Apps = violationChoices(rep.Violations)
	if next != "" {
		v.NextURL = "/segmentation/violations" + withParams(q, "cursor", next)
	}
	if pg.offset > 0 {
		v.FirstURL = "/segmentation/violations" + withParams(q, "cursor", "")
	}
	s.render(w, r, http.StatusOK, "segment-violations", &view{Title: "Segmentation violations",
		Nav: "segmentation", Data: v})
}

// violationChoices are the protocols and applications the violations
// have, sorted, for the filters' menus.
func violationChoices(vs []segment.Violation) (protos, apps []string) {
	for i := range vs {
		if !slices.Contains(protos, vs[i].Protocol) {
			protos = append(protos, vs[i].Protocol)
		}
		if a := vs[i].Application; a != "" && !slices.Contains(apps, a) {
			apps = append(apps, a)
		}
	}
	slices.Sort(protos)
	slices.Sort(apps)
	return protos, apps
}

// violationCSVHeader are the columns of the violations export.
var violationCSVHeader = []string{"source_address", "source_device", "source_name",
	"source_zone", "source_category", "source_criticality", "destination_address",
	"destination_device", "destination_name", "destination_zone", "destination_category",
	"destination_criticality", "protocol", "port", "application", "vlan", "workflow", "packets",
	"bytes", "first_seen", "last_seen", "key"}

func violationCSVRow(v *segment.Violation) []string {
	src, dst := v.Source, v.Destination
	row := []string{src.Address, src.Device, src.Name, src.Zone, src.Category, src.Criticality,
		dst.Address, dst.Device, dst.Name, dst.Zone, dst.Category, dst.Criticality, v.Protocol,
		strconv.Itoa(int(v.Port)), v.Application, strconv.Itoa(int(v.VLAN)), v.Workflow,
		strconv.FormatUint(v.Packets, 10), strconv.FormatUint(v.Bytes, 10),
		stampCSV(v.FirstSeen), stampCSV(v.LastSeen), v.Key}
	// Every cell is defused: names come from the network (DHCP host
	// names, SNMP, DICOM AE titles), which anyone on it can choose.
	for i := range row {
		row[i] = csvSafe(row[i])
	}
	return row
}

// segmentViolationsCSV exports the violations the page's filters select,
// all of them.
func (s *Server) segmentViolationsCSV(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	if !canEverywhere(p, auth.PermSegmentRead) {
		s.forbidden(w, r, page, errSegmentAllSites)
		return
	}
	f, err := readViolationFilter(r.URL.Query())
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, upperFirst(err.Error())+".")
		return
	}
	seg := s.segmentation(w, r, page)
	if seg == nil {
		return
	}
	sel := filterViolations(seg.Eval.Check(seg.Flows).Violations, f)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ward-segmentation-violations.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(violationCSVHeader)
	for i := range sel {
		cw.Write(violationCSVRow(&sel[i]))
	}
	cw.Flush()
	s.record(r, p.name, "export.segmentation_violations_csv", "", map[string]any{
		"rows": len(sel), "filter": r.URL.RawQuery, "policy": policyInfo(seg).Digest})
}

func init() {
	funcs["serviceText"] = serviceText
	funcs["workflowText"] = workflowText
	funcs["ubytes"] = func(n uint64) string { return byteSize(int64(min(n, 1<<62))) }
}

// deviceZone is where the policy in force places device id, for its
// page; nil when the user may not see segmentation, or when it cannot be
// read (the device page is shown without it, and the error logged).
func (s *Server) deviceZone(r *http.Request, id string) *segment.Placement {
	if !canEverywhere(who(r.Context()), auth.PermSegmentRead) {
		return nil
	}
	seg, err := s.cfg.Ingest.Segmentation(r.Context())
	if err != nil {
		s.log.Warn("device zone not read", "err", err, "device_id", id)
		return nil
	}
	pl := seg.Eval.Place(id)
	return &pl
}
