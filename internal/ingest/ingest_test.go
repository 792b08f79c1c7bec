package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/store"
)

const demoCapture = "../../testdata/captures/demo.pcapng"

func newService(t *testing.T) *Service {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), "sqlite", dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := audit.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	chain, _ := audit.NewChain(keys.Chain)
	return &Service{DB: db, Chain: chain}
}

// TestCaptureTwice ingests the same capture as a stream and as a file:
// the second time changes nothing, and the import is audited once.
func TestCaptureTwice(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	raw, err := os.ReadFile(demoCapture)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Capture(ctx, bytes.NewReader(raw), "demo.pcapng", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if first.Already || first.Merged.Devices == 0 || first.File.Size != int64(len(raw)) {
		t.Fatalf("first ingest: %+v", first)
	}
	again, err := s.CaptureFile(ctx, demoCapture, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if !again.Already || again.File.SHA256 != first.File.SHA256 {
		t.Errorf("second ingest: %+v, want already ingested with the same SHA-256", again)
	}
	evs, err := s.DB.ListAudit(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Action != "ingest.capture" || evs[0].Actor != "alice" {
		t.Errorf("audit events %+v, want one ingest.capture by alice", evs)
	}
}

// brokenReader gives n bytes, then fails as a dropped connection does.
type brokenReader struct {
	r io.Reader
	n int
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errors.New("connection reset")
	}
	p = p[:min(len(p), b.n)]
	n, err := b.r.Read(p)
	b.n -= n
	return n, err
}

// TestCaptureBrokenOff checks that an upload that breaks off stores
// nothing, and that a file that is no capture says so.
func TestCaptureBrokenOff(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	raw, err := os.ReadFile(demoCapture)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Capture(ctx, &brokenReader{r: bytes.NewReader(raw), n: len(raw) / 2}, "cut.pcapng", "alice")
	if !errors.Is(err, ErrUpload) {
		t.Errorf("broken upload: error %v, want ErrUpload", err)
	}
	_, err = s.Capture(ctx, strings.NewReader("Asset No,MAC\nA1,00:11:22:33:44:55\n"), "x.pcap", "alice")
	if err == nil {
		t.Error("a CSV file was ingested as a capture")
	}
	files, _ := s.DB.Files(ctx)
	page, _ := s.DB.ListDevices(ctx, store.DeviceQuery{})
	if len(files) != 0 || len(page.Devices) != 0 {
		t.Errorf("refused uploads stored %d files and %d devices, want none", len(files), len(page.Devices))
	}
}

// TestRegister reconciles a register with an ingested capture.
func TestRegister(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	if _, err := s.CaptureFile(ctx, demoCapture, "alice"); err != nil {
		t.Fatal(err)
	}
	csv := "Asset No,Description,Manufacturer,MAC Address\nA1,Switch,Cisco,00-18-BA-98-68-8F\n" +
		"A2,Old pump,B. Braun,00-12-21-00-00-01\n"
	res, err := s.Register(ctx, strings.NewReader(csv), "register.csv", "", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Figures; f.RegisterEntries != 2 || f.Matched != 1 || f.RegisterOnly != 1 {
		t.Errorf("figures %+v, want 2 entries, 1 matched, 1 only in the register", f)
	}
	latest, err := s.DB.LatestRegisterImport(ctx)
	if err != nil || latest.ID != res.ImportID || len(latest.Reconciliation.Matched) != 1 {
		t.Errorf("stored import %+v, %v", latest, err)
	}
	if _, err := s.Register(ctx, strings.NewReader(csv), "register.csv", "no-such-mapping", "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown mapping: error %v, want ErrNotFound", err)
	}
}
