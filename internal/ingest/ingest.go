// Package ingest loads files into the store: packet captures, through the
// analysis pipeline, and asset registers, reconciled with the devices the
// store holds. The command line (ward ingest) and the web server (uploads)
// share it, so that both merge, reconcile and audit alike.
//
// A capture holds patient data in its payloads. Ingest reads it as a
// stream and keeps none of its bytes: only the inventory the pipeline
// derives, which is free of patient data, reaches the store. An upload
// that breaks off part way is refused whole, so nothing is stored half
// way; a capture file whose last packet is cut short (a capture that was
// stopped) is merged with what it holds, and the problem reported.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/capture"
	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/observe"
	"github.com/wardhq/ward/internal/store"
)

// Service ingests into one store.
type Service struct {
	DB    *store.DB
	Chain *audit.Chain // writes the audit events of imports
	Log   *slog.Logger // default: discard
	// Workers for the pipeline; 0 means one per CPU.
	Workers int
	Now     func() time.Time // default time.Now
	// DeferMatch leaves the re-match after a capture or register import
	// to the caller, who imports several and calls Rematch once.
	DeferMatch bool
}

// CaptureResult says what ingesting one capture did.
type CaptureResult struct {
	File   store.File   `json:"file"`
	Merged store.Merged `json:"merged"`
	// Already is true when a file with the same SHA-256 was ingested
	// before: nothing changed.
	Already bool `json:"already_ingested"`
	// Problems are the capture's defects that reading survived.
	Problems []string `json:"problems,omitempty"`
}

// ErrUpload is returned when the stream broke off (the client went away,
// the size limit was reached): nothing was stored.
var ErrUpload = errors.New("upload incomplete")

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log.With("component", "ingest")
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// hashingReader hashes and counts what passes through it, and remembers
// the source's own error, which is not the capture's fault.
type hashingReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	err error
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	if err != nil && err != io.EOF {
		h.err = err
	}
	return n, err
}

// Capture ingests the capture read from r. name labels it (a base name).
func (s *Service) Capture(ctx context.Context, r io.Reader, name, actor string) (CaptureResult, error) {
	hr := &hashingReader{r: r, h: sha256.New()}
	rd, err := capture.NewReader(hr, name)
	if err != nil {
		if hr.err != nil {
			return CaptureResult{}, fmt.Errorf("ingest %s: %w: %w", name, ErrUpload, hr.err)
		}
		return CaptureResult{}, fmt.Errorf("ingest %s: %w", name, err)
	}
	defer rd.Close()
	res, readErr := s.analyse(ctx, rd, name)
	// Drain what the reader left (trailing bytes) so the hash covers the
	// whole file.
	if _, err := io.Copy(io.Discard, hr); err != nil && hr.err == nil {
		hr.err = err
	}
	if hr.err != nil {
		return CaptureResult{}, fmt.Errorf("ingest %s: %w: %w", name, ErrUpload, hr.err)
	}
	if ctx.Err() != nil {
		return CaptureResult{}, ctx.Err()
	}
	if res == nil {
		return CaptureResult{}, fmt.Errorf("ingest %s: %w", name, readErr)
	}
	f := store.File{SHA256: hex.EncodeToString(hr.h.Sum(nil)), Name: filepath.Base(name),
		Size: hr.n, Packets: res.Stats.Packets, Bytes: res.Stats.Bytes}
	return s.merge(ctx, res, f, actor)
}

// CaptureFile ingests the capture at path. A file whose SHA-256 is already
// in the store is skipped without being analysed.
func (s *Service) CaptureFile(ctx context.Context, path, actor string) (CaptureResult, error) {
	sum, size, err := fileSHA256(path)
	if err != nil {
		return CaptureResult{}, fmt.Errorf("ingest %s: %w", path, err)
	}
	f := store.File{SHA256: sum, Name: filepath.Base(path), Size: size}
	if done, err := s.DB.Ingested(ctx, sum); err != nil {
		return CaptureResult{}, err
	} else if done {
		return CaptureResult{File: f, Already: true}, nil
	}
	rd, err := capture.Open(path)
	if err != nil {
		return CaptureResult{}, fmt.Errorf("ingest %s: %w", path, err)
	}
	defer rd.Close()
	res, readErr := s.analyse(ctx, rd, path)
	if res == nil {
		return CaptureResult{}, fmt.Errorf("ingest %s: %w", path, readErr)
	}
	f.Packets, f.Bytes = res.Stats.Packets, res.Stats.Bytes
	return s.merge(ctx, res, f, actor)
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// analyse runs the pipeline over one reader. The result is nil when not
// a packet could be read.
func (s *Service) analyse(ctx context.Context, rd *capture.Reader, name string) (*observe.Result, error) {
	pl := observe.New(observe.Config{Workers: s.Workers, Logger: s.log()})
	readErr := pl.Read(ctx, observe.Source{Name: name, Reader: rd})
	res, err := pl.Finish()
	if errors.Is(err, observe.ErrNothingRead) {
		if readErr != nil {
			return nil, readErr
		}
		return nil, err
	}
	return res, nil
}

func (s *Service) merge(ctx context.Context, res *observe.Result, f store.File, actor string) (CaptureResult, error) {
	inv := inventory.Build(res, inventory.Options{})
	out := CaptureResult{File: f, Problems: res.Stats.FileErrors}
	m, err := s.DB.MergeInventory(ctx, store.NewInput(inv, res.Flows), f)
	switch {
	case errors.Is(err, store.ErrAlreadyIngested):
		out.Already = true
		return out, nil
	case err != nil:
		return CaptureResult{}, err
	}
	out.Merged = m
	s.record(ctx, actor, "ingest.capture", f.Name, map[string]any{"sha256": f.SHA256,
		"bytes": f.Size, "packets": f.Packets, "devices": m.Devices, "new_devices": m.NewDevices})
	s.log().Info("capture ingested", "file", f.Name, "packets", f.Packets,
		"devices", m.Devices, "new_devices", m.NewDevices)
	s.rematchAfter(ctx, "capture")
	return out, nil
}

// record writes an audit event; one that cannot be written is logged as
// an error, since the import itself has happened.
func (s *Service) record(ctx context.Context, actor, action, object string, detail any) {
	if s.Chain == nil {
		return
	}
	e := store.AuditEvent{Time: s.now(), Actor: actor, Action: action, Object: object,
		Detail: mustJSON(detail)}
	if _, err := s.DB.Record(context.WithoutCancel(ctx), s.Chain, e); err != nil {
		s.log().Error("audit event not written", "err", err, "action", action)
	}
}
