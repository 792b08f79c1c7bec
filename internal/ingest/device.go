package ingest

import (
	"context"
	"fmt"

	"github.com/wardhq/ward/internal/match"
)

// MatchDevice returns the stored device of that id as matching sees it:
// the vendor, model and software version of the latest asset register
// where it names the device, else the analysis's; its criticality; the
// SBOM of its model. A ruling on one of its findings is keyed by this
// vendor, model and version, so that the next match applies it. An
// unknown id is an error wrapping store.ErrNotFound.
func (s *Service) MatchDevice(ctx context.Context, id string) (match.Device, error) {
	d, err := s.DB.GetDevice(ctx, id)
	if err != nil {
		return match.Device{}, fmt.Errorf("match device %.80q: %w", id, err)
	}
	entries, err := s.registerEntries(ctx)
	if err != nil {
		return match.Device{}, err
	}
	sboms, err := s.sbomIndex(ctx)
	if err != nil {
		return match.Device{}, err
	}
	return matchDevice(d.Device, entries[id], sboms, match.DefaultVendors()), nil
}
