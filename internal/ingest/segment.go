package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/observe"
	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

// ErrSignoffNeeded is returned by ExportRules when the policy would block
// flows of life-sustaining or diagnostic devices that no clinical safety
// sign-off of the policy covers. Rules in log-only mode never need one.
var ErrSignoffNeeded = errors.New("a clinical safety sign-off is needed")

// SignoffError is ErrSignoffNeeded with the critical flows not covered.
type SignoffError struct {
	Digest string
	Flows  []string // keys (segment.FlowKey) of the blocked critical flows
}

func (e *SignoffError) Error() string {
	return fmt.Sprintf("%v: the policy %s blocks %d flows of life-sustaining or diagnostic "+
		"devices and no sign-off by a clinical safety officer covers them", ErrSignoffNeeded,
		e.Digest, len(e.Flows))
}

// Unwrap makes errors.Is(err, ErrSignoffNeeded) hold.
func (e *SignoffError) Unwrap() error { return ErrSignoffNeeded }

// Segmentation is the policy in force evaluated on the stored devices and
// flows.
type Segmentation struct {
	Version *store.PolicyVersion // the policy in force; nil when none is saved yet
	Policy  *segment.Policy      // Version's policy, or the template when none is saved
	Eval    *segment.Evaluator   // Policy compiled on Devices
	Devices []segment.Device
	Flows   []segment.Flow
}

// Segmentation loads the policy in force, the stored devices and flows,
// and compiles the policy on them.
func (s *Service) Segmentation(ctx context.Context) (*Segmentation, error) {
	seg := &Segmentation{}
	v, err := s.DB.CurrentPolicy(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		seg.Policy = segment.Template()
	case err != nil:
		return nil, fmt.Errorf("segmentation: %w", err)
	default:
		seg.Version = v
		if seg.Policy, err = segment.Parse([]byte(v.YAML), "policy version "+fmt.Sprint(v.ID)); err != nil {
			return nil, fmt.Errorf("segmentation: stored policy: %w", err)
		}
	}
	if seg.Devices, seg.Flows, err = s.StoredInput(ctx); err != nil {
		return nil, err
	}
	if seg.Eval, err = segment.Compile(seg.Policy, seg.Devices); err != nil {
		return nil, fmt.Errorf("segmentation: %w", err)
	}
	return seg, nil
}

// StoredInput returns the stored devices and flows as segmentation sees
// them.
func (s *Service) StoredInput(ctx context.Context) ([]segment.Device, []segment.Flow, error) {
	devs, err := s.DB.SegmentDevices(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("segmentation: %w", err)
	}
	flows, err := s.DB.SegmentFlows(ctx, time.Time{})
	if err != nil {
		return nil, nil, fmt.Errorf("segmentation: %w", err)
	}
	return devs, flows, nil
}

// SavePolicy parses and validates a policy and stores it as the policy in
// force, audited. A bad policy returns a *segment.PolicyError and stores
// nothing, so the policy in force stays as it was.
func (s *Service) SavePolicy(ctx context.Context, yaml []byte, by, note string) (*store.PolicyVersion,
	error) {
	p, err := segment.Parse(yaml, "")
	if err != nil {
		return nil, err
	}
	devs, err := s.DB.SegmentDevices(ctx)
	if err != nil {
		return nil, fmt.Errorf("save policy: %w", err)
	}
	if _, err := segment.Compile(p, devs); err != nil {
		return nil, err
	}
	v := store.PolicyVersion{Name: p.Name, YAML: string(yaml), Digest: p.Digest(), By: by,
		Note: note, CreatedAt: s.now()}
	if v.ID, err = s.DB.SavePolicy(ctx, v); err != nil {
		return nil, fmt.Errorf("save policy: %w", err)
	}
	s.record(ctx, by, "segment.policy.save", fmt.Sprint(v.ID), map[string]any{
		"digest": v.Digest, "name": v.Name, "note": note, "zones": len(p.Zones),
		"conduits": len(p.Conduits)})
	return &v, nil
}

// SimulatePolicy compares proposed with the policy in force (a flat
// network when none is saved) on the stored devices and flows.
func (s *Service) SimulatePolicy(ctx context.Context, proposed *segment.Policy) (*segment.Simulation,
	error) {
	seg, err := s.Segmentation(ctx)
	if err != nil {
		return nil, err
	}
	var current *segment.Policy
	if seg.Version != nil {
		current = seg.Policy
	}
	return segment.Simulate(current, proposed, seg.Devices, seg.Flows)
}

// LearnPolicy drafts conduits from the stored flows for base's zones: the
// policy in force, or the template when base is nil and none is saved.
// It stores nothing.
func (s *Service) LearnPolicy(ctx context.Context, base *segment.Policy) (*segment.Policy, error) {
	var devs []segment.Device
	var flows []segment.Flow
	var err error
	if base == nil {
		seg, err := s.Segmentation(ctx)
		if err != nil {
			return nil, err
		}
		base, devs, flows = seg.Policy, seg.Devices, seg.Flows
	} else if devs, flows, err = s.StoredInput(ctx); err != nil {
		return nil, err
	}
	return segment.Learn(base, devs, flows, segment.LearnOptions{Sources: []string{"store"}})
}

// ExportRules generates the firewall rules of p in format "nftables" or
// "cisco" from the stored devices. Unless o.LogOnly, a policy that blocks
// observed flows of life-sustaining or diagnostic devices needs a
// sign-off of its digest that covers every such flow: else the error is a
// *SignoffError. The caller audits the export.
func (s *Service) ExportRules(ctx context.Context, p *segment.Policy, format string,
	o segment.ExportOptions) ([]byte, error) {
	gen, err := exporter(format)
	if err != nil {
		return nil, err
	}
	devs, flows, err := s.StoredInput(ctx)
	if err != nil {
		return nil, err
	}
	ev, err := segment.Compile(p, devs)
	if err != nil {
		return nil, err
	}
	o.Digest = p.Digest()
	if !o.LogOnly {
		if err := s.checkSignoff(ctx, p, devs, flows, o.Digest); err != nil {
			return nil, err
		}
	}
	return gen(p, ev.Book(), o)
}

func exporter(format string) (func(*segment.Policy, *segment.Book, segment.ExportOptions) ([]byte,
	error), error) {
	switch format {
	case "nftables":
		return segment.NFTables, nil
	case "cisco":
		return segment.Cisco, nil
	}
	return nil, fmt.Errorf("unknown rule format %q: want nftables or cisco", format)
}

// checkSignoff returns a *SignoffError when p blocks critical flows that
// no stored sign-off of digest covers.
func (s *Service) checkSignoff(ctx context.Context, p *segment.Policy, devs []segment.Device,
	flows []segment.Flow, digest string) error {
	return CheckSignoff(p, devs, flows, digest, func() ([]segment.Signoff, error) {
		return s.DB.Signoffs(ctx, digest)
	})
}

// CheckSignoff returns a *SignoffError when p blocks flows of
// life-sustaining or diagnostic devices among flows that none of the
// sign-offs of digest covers; signoffs reads them, only when needed.
func CheckSignoff(p *segment.Policy, devs []segment.Device, flows []segment.Flow, digest string,
	signoffs func() ([]segment.Signoff, error)) error {
	sim, err := segment.Simulate(nil, p, devs, flows)
	if err != nil {
		return err
	}
	if !sim.NeedsSignoff {
		return nil
	}
	so, err := signoffs()
	if err != nil {
		return fmt.Errorf("sign-offs: %w", err)
	}
	if _, ok := sim.SignedOff(digest, so); ok {
		return nil
	}
	return &SignoffError{Digest: digest, Flows: sim.Critical}
}

// SignOff records a DCB0160 clinical safety sign-off of p by the user by,
// covering the critical flows p blocks now; audited. The caller has
// checked that by holds the clinical-safety-officer permission.
func (s *Service) SignOff(ctx context.Context, p *segment.Policy, by, hazard, reasoning string) (
	*segment.Signoff, error) {
	devs, flows, err := s.StoredInput(ctx)
	if err != nil {
		return nil, err
	}
	sim, err := segment.Simulate(nil, p, devs, flows)
	if err != nil {
		return nil, err
	}
	so := segment.Signoff{PolicyDigest: p.Digest(), By: by, At: s.now().UTC(), Hazard: hazard,
		Reasoning: reasoning, Flows: slices.Clone(sim.Critical)}
	if so.ID, err = s.DB.SaveSignoff(ctx, so); err != nil {
		return nil, fmt.Errorf("sign off: %w", err)
	}
	s.record(ctx, by, "segment.signoff", so.PolicyDigest, map[string]any{"id": so.ID,
		"flows": len(so.Flows), "hazard": hazard})
	return &so, nil
}

// ViolationWeeks counts the violations of the policy in force per week,
// from the hourly flow counts with from <= hour < to.
func (s *Service) ViolationWeeks(ctx context.Context, from, to time.Time) ([]segment.Week, error) {
	seg, err := s.Segmentation(ctx)
	if err != nil {
		return nil, err
	}
	return s.WeeksOf(ctx, seg, from, to)
}

// WeeksOf is ViolationWeeks for a segmentation already loaded, so that a
// page that shows both reads the flows once.
func (s *Service) WeeksOf(ctx context.Context, seg *Segmentation, from, to time.Time) (
	[]segment.Week, error) {
	hours, err := s.DB.SegmentFlowHours(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("segmentation: %w", err)
	}
	return seg.Eval.Weekly(hours), nil
}

// crossZone returns the devices that a flow from another zone of the
// policy in force reached; nil when no policy is saved.
func (s *Service) crossZone(ctx context.Context) (map[string]bool, error) {
	if _, err := s.DB.CurrentPolicy(ctx); errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	seg, err := s.Segmentation(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for i := range seg.Flows {
		f := &seg.Flows[i]
		if f.DstDevice == "" {
			continue
		}
		d := seg.Eval.Decide(f)
		if d.Src.Zone != d.Dst.Zone {
			out[f.DstDevice] = true
		}
	}
	return out, nil
}

// SegmentInput is an analysis of captures as segmentation sees it: the
// inventory's devices (no tags: those live in the store) and the flows
// with their ends resolved to devices.
func SegmentInput(inv *inventory.Inventory, flows []observe.Flow) ([]segment.Device, []segment.Flow) {
	devs := make([]segment.Device, 0, len(inv.Devices))
	for _, d := range inv.Devices {
		devs = append(devs, segmentDevice(d))
	}
	out := make([]segment.Flow, len(flows))
	for i := range flows {
		f := &flows[i]
		src, dst := inv.FlowEnds(f)
		out[i] = segment.Flow{Src: f.Src, Dst: f.Dst, Proto: f.Proto, DstPort: f.DstPort,
			VLAN: f.VLAN, App: f.App, Packets: f.Packets, Bytes: f.Bytes, FirstSeen: f.First,
			LastSeen: f.Last}
		if src != nil {
			out[i].SrcDevice = src.ID
		}
		if dst != nil {
			out[i].DstDevice = dst.ID
		}
	}
	return devs, out
}

func segmentDevice(d *inventory.Device) segment.Device {
	sd := segment.Device{ID: d.ID, VLANs: slices.Clone(d.VLANs), Category: d.Category,
		Criticality: d.Criticality, Vendor: d.Vendor, Model: d.Model}
	if len(d.Names) > 0 {
		sd.Name = d.Names[0]
	}
	for _, ip := range d.IPs {
		if a, err := netip.ParseAddr(ip); err == nil {
			sd.IPs = append(sd.IPs, a)
		}
	}
	return sd
}
