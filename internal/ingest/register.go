package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

// RegisterResult says what importing an asset register found.
type RegisterResult struct {
	ImportID int64            `json:"import_id"`
	Name     string           `json:"name"`
	SHA256   string           `json:"sha256"`
	Mapping  register.Mapping `json:"mapping"`
	Figures  register.Figures `json:"figures"`
	Problems []string         `json:"problems,omitempty"`
}

// ErrMapping is returned when the register's columns cannot be mapped;
// the error names the headers found, for the user to map by hand.
var ErrMapping = errors.New("register columns not recognised")

// Register imports the register read from r, reconciles it with the stored
// devices and keeps the result. mapping names a saved column mapping; ""
// detects the columns.
func (s *Service) Register(ctx context.Context, r io.Reader, name, mapping, actor string) (RegisterResult, error) {
	var m *register.Mapping
	if mapping != "" {
		saved, err := s.DB.Mapping(ctx, mapping)
		if err != nil {
			return RegisterResult{}, fmt.Errorf("import %s: mapping %q: %w", name, mapping, err)
		}
		m = &saved
	}
	h := sha256.New()
	reg, err := register.Read(io.TeeReader(r, h), filepath.Base(name), m)
	if err != nil {
		if errors.Is(err, register.ErrMissingColumn) && reg != nil {
			return RegisterResult{}, fmt.Errorf("import %s: %w (headers: %q): %w", name, ErrMapping, reg.Headers, err)
		}
		return RegisterResult{}, fmt.Errorf("import %s: %w", name, err)
	}
	io.Copy(h, r)
	devices, err := s.DB.ReconcileDevices(ctx)
	if err != nil {
		return RegisterResult{}, err
	}
	rec := register.Reconcile(reg, devices)
	res := RegisterResult{Name: filepath.Base(name), SHA256: hex.EncodeToString(h.Sum(nil)),
		Mapping: reg.Mapping, Figures: rec.Figures}
	for _, p := range reg.Problems {
		res.Problems = append(res.Problems, problemText(p))
	}
	res.ImportID, err = s.DB.SaveRegisterImport(ctx, store.RegisterImport{Name: res.Name,
		SHA256: res.SHA256, ImportedAt: s.now(), Actor: actor, Mapping: reg.Mapping,
		Figures: rec.Figures, Reconciliation: rec, Problems: reg.Problems})
	if err != nil {
		return RegisterResult{}, err
	}
	f := rec.Figures
	s.record(ctx, actor, "ingest.register", res.Name, map[string]any{"sha256": res.SHA256,
		"entries": f.RegisterEntries, "matched": f.Matched, "register_only": f.RegisterOnly,
		"network_only": f.NetworkOnly, "import_id": res.ImportID})
	s.rematchAfter(ctx, "register")
	return res, nil
}

// RegisterFile imports the register at path.
func (s *Service) RegisterFile(ctx context.Context, path, mapping, actor string) (RegisterResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return RegisterResult{}, fmt.Errorf("import %s: %w", path, err)
	}
	defer f.Close()
	return s.Register(ctx, f, path, mapping, actor)
}

func problemText(p register.Problem) string {
	at := fmt.Sprintf("row %d", p.Row)
	if p.Column != "" {
		at += ", column " + p.Column
	}
	return at + ": " + p.Reason
}
