package segment

import (
	"cmp"
	"slices"
)

// Simulation is what a change of policy would do to the observed flows.
type Simulation struct {
	// Blocked are the flows the proposed policy would block and the
	// current one allows, one per Key, critical first, then by packets
	// descending and Key.
	Blocked []Change `json:"blocked"`
	// Unblocked are the flows the proposed policy would allow and the
	// current one blocks, by packets descending and Key.
	Unblocked []Change `json:"unblocked"`
	// Critical are the Keys of the blocked flows with a life-sustaining or
	// diagnostic end, sorted.
	Critical []string `json:"critical"`
	// NeedsSignoff is set when Critical is not empty: the proposed policy
	// may not be exported for enforcement without a clinical safety
	// sign-off that covers them (SignedOff).
	NeedsSignoff bool `json:"needs_signoff"`
	// Workflows counts the blocked flows by clinical workflow, the
	// workflows with the most critical flows first; blocked flows of no
	// known workflow are not counted here.
	Workflows []WorkflowCount `json:"workflows"`
}

// Change is a flow whose verdict a change of policy would change, as the
// proposed policy places its ends.
type Change struct {
	Violation
	// Critical is set when an end is a life-sustaining or diagnostic
	// device.
	Critical bool `json:"critical"`
}

// WorkflowCount is the blocked flows of one clinical workflow.
type WorkflowCount struct {
	Workflow string `json:"workflow"`
	Flows    int    `json:"flows"`
	Critical int    `json:"critical"` // of Flows, the critical ones
}

// Simulate compares the verdicts of current and proposed on flows, with
// both policies compiled against devs. A nil current is a flat network,
// where every flow is allowed.
func Simulate(current, proposed *Policy, devs []Device, flows []Flow) (*Simulation, error) {
	var cur *placer
	if current != nil {
		e, err := Compile(current, devs)
		if err != nil {
			return nil, err
		}
		cur = e.newPlacer()
	}
	e, err := Compile(proposed, devs)
	if err != nil {
		return nil, err
	}
	prop := e.newPlacer()
	blocked, unblocked := changes{}, changes{}
	for i := range flows {
		f := &flows[i]
		now := cur == nil
		if cur != nil {
			d, _, _ := cur.decide(f)
			now = d.Allowed
		}
		d, src, dst := prop.decide(f)
		switch {
		case now && !d.Allowed:
			blocked.add(e, f, src, dst)
		case !now && d.Allowed:
			unblocked.add(e, f, src, dst)
		}
	}
	return blocked.simulation(unblocked), nil
}

// changes are Changes by flow.
type changes struct {
	by   map[flowID]int
	list []Change
}

func (c *changes) add(e *Evaluator, f *Flow, src, dst *end) {
	id := idOf(f)
	if i, ok := c.by[id]; ok {
		mergeViolation(&c.list[i].Violation, f)
		return
	}
	if c.by == nil {
		c.by = map[flowID]int{}
	}
	c.by[id] = len(c.list)
	crit := src.dev >= 0 && critical(e.devs[src.dev].Criticality) ||
		dst.dev >= 0 && critical(e.devs[dst.dev].Criticality)
	c.list = append(c.list, Change{Violation: e.violationOf(f, src, dst), Critical: crit})
}

func (c *changes) simulation(unblocked changes) *Simulation {
	s := &Simulation{Blocked: c.list, Unblocked: unblocked.list}
	s.Blocked = sortLarge(s.Blocked, func(a, b *Change) int {
		if a.Critical != b.Critical {
			if a.Critical {
				return -1
			}
			return 1
		}
		return byPackets(&a.Violation, &b.Violation)
	})
	s.Unblocked = sortLarge(s.Unblocked, func(a, b *Change) int {
		return byPackets(&a.Violation, &b.Violation)
	})
	for _, b := range s.Blocked {
		if b.Critical {
			s.Critical = append(s.Critical, b.Key)
		}
	}
	slices.Sort(s.Critical)
	s.NeedsSignoff = len(s.Critical) > 0
	s.Workflows = workflowCounts(s.Blocked)
	return s
}

// workflowCounts counts the blocked flows of each workflow, the most
// critical first.
func workflowCounts(blocked []Change) []WorkflowCount {
	by := map[string]*WorkflowCount{}
	for _, b := range blocked {
		if b.Workflow == "" {
			continue
		}
		w := by[b.Workflow]
		if w == nil {
			w = &WorkflowCount{Workflow: b.Workflow}
			by[b.Workflow] = w
		}
		w.Flows++
		if b.Critical {
			w.Critical++
		}
	}
	var out []WorkflowCount
	for _, w := range by {
		out = append(out, *w)
	}
	slices.SortFunc(out, func(a, b WorkflowCount) int {
		return cmp.Or(cmp.Compare(b.Critical, a.Critical), cmp.Compare(b.Flows, a.Flows),
			cmp.Compare(a.Workflow, b.Workflow))
	})
	return out
}

// SignedOff returns the newest sign-off among so (by At, then ID) that is
// of the policy of the given digest and lists every key of s.Critical, and
// whether there is one. A sign-off of another digest, or that misses one
// critical flow, does not count: the policy it signed off was another, or
// blocked less.
func (s *Simulation) SignedOff(digest string, so []Signoff) (*Signoff, bool) {
	var best *Signoff
	for i := range so {
		o := &so[i]
		if o.PolicyDigest != digest || !covers(o.Flows, s.Critical) {
			continue
		}
		if best == nil || newer(o, best) {
			best = o
		}
	}
	return best, best != nil
}

func covers(have, want []string) bool {
	set := make(map[string]struct{}, len(have))
	for _, k := range have {
		set[k] = struct{}{}
	}
	for _, k := range want {
		if _, ok := set[k]; !ok {
			return false
		}
	}
	return true
}

func newer(a, b *Signoff) bool {
	if c := a.At.Compare(b.At); c != 0 {
		return c > 0
	}
	return a.ID > b.ID
}
