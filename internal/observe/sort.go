package observe

import (
	"cmp"
	"slices"
	"sync"

	"github.com/wardhq/ward/internal/dissect"
)

// sortResult puts the lists in a stable order, so that output does not
// depend on map iteration or on how packets were shared among workers.
func sortResult(r *Result) {
	var wg sync.WaitGroup
	wg.Go(func() { sortObservations(r.Observations) })
	wg.Go(func() { sortBindings(r.Bindings) })
	sortFlows(r.Flows)
	wg.Wait()
}

func sortObservations(obs []Observation) {
	slices.SortFunc(obs, func(a, b Observation) int {
		return cmp.Or(
			cmpEndpoint(a.Who, b.Who),
			cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Key, b.Key),
			cmp.Compare(a.Value, b.Value),
			cmpEndpoint(a.Peer, b.Peer),
		)
	})
}

func sortBindings(bs []Binding) {
	slices.SortFunc(bs, func(a, b Binding) int {
		return cmp.Or(
			slices.Compare(a.MAC[:], b.MAC[:]),
			a.IP.Compare(b.IP),
			cmp.Compare(a.VLAN, b.VLAN),
			cmp.Compare(a.Kind, b.Kind),
		)
	})
}

func sortFlows(fs []Flow) {
	slices.SortFunc(fs, func(a, b Flow) int {
		return cmp.Or(
			a.Src.Compare(b.Src),
			a.Dst.Compare(b.Dst),
			cmp.Compare(a.Proto, b.Proto),
			cmp.Compare(a.DstPort, b.DstPort),
			cmp.Compare(a.VLAN, b.VLAN),
		)
	})
}

func cmpEndpoint(a, b dissect.Endpoint) int {
	return cmp.Or(slices.Compare(a.MAC[:], b.MAC[:]), a.IP.Compare(b.IP))
}
