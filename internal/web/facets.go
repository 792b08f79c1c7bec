package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/wardhq/ward/internal/store"
)

// facetTTL is how long the inventory's filter menus (every category,
// vendor and criticality with its count) are reused: counting them means
// reading every device, and the menus need not be exact to the second.
const facetTTL = 30 * time.Second

// facetCache keeps the filter menus per site scope.
type facetCache struct {
	mu      sync.Mutex
	entries map[string]facetEntry // by scope; guarded by mu
}

type facetEntry struct {
	counts *store.DeviceCounts
	at     time.Time
}

func (c *facetCache) get(ctx context.Context, db *store.DB, f store.DeviceFilter, now time.Time) (*store.DeviceCounts, error) {
	key := fmt.Sprint(f.SiteIDs)
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < facetTTL {
		return e.counts, nil
	}
	counts, err := db.CountDevices(ctx, f)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) > 1000 {
		c.entries = map[string]facetEntry{}
	}
	c.entries[key] = facetEntry{counts: counts, at: now}
	c.mu.Unlock()
	return counts, nil
}

// forget drops the menus after a change to the inventory.
func (c *facetCache) forget() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}
