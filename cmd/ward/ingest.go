package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardhq/ward/internal/capture"
	"github.com/wardhq/ward/internal/ingest"
)

var ingestCommand = &command{
	name:    "ingest",
	summary: "load packet captures and asset registers into the store",
	usage: "[-data DIR | -database postgres://…] [-mapping NAME] FILE...\n\n" +
		"FILE is a pcap or pcapng capture (gzip allowed) or a CSV or XLSX asset register.\n" +
		"Captures are merged first, then registers are reconciled against the devices.\n" +
		"A file ingested before (same SHA-256) changes nothing.",
	flags: ingestFlags,
}

// fileKind is what a file to ingest holds.
type fileKind int

const (
	kindCapture fileKind = iota
	kindRegister
)

// sniffKind tells captures from registers by their first bytes.
func sniffKind(path string) (fileKind, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if capture.LooksLikeCapture(head) {
		return kindCapture, nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt", ".tsv", ".xlsx":
		return kindRegister, nil
	}
	if bytes.HasPrefix(head, []byte("PK")) {
		return kindRegister, nil
	}
	return 0, fmt.Errorf("%s: neither a packet capture nor a CSV or XLSX register", path)
}

func ingestFlags(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	df := addDataFlags(fs)
	mapping := fs.String("mapping", "", "saved column mapping `name` for registers (default: detect the columns)")
	workers := fs.Int("workers", 0, "decoding goroutines (`n`); 0 means one per CPU")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("ingest", "ingest needs at least one file")
		}
		var captures, registers []string
		for _, a := range args {
			k, err := sniffKind(a)
			if err != nil {
				return err
			}
			if k == kindCapture {
				captures = append(captures, a)
			} else {
				registers = append(registers, a)
			}
		}
		d, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer d.close()
		svc := &ingest.Service{DB: d.db, Chain: d.chain(), Log: e.log, Workers: *workers,
			DeferMatch: true}
		return ingestAll(ctx, e, svc, captures, registers, *mapping)
	}
}

func ingestAll(ctx context.Context, e *env, svc *ingest.Service, captures, registers []string, mapping string) error {
	var errs []error
	actor := cliActor()
	for _, path := range captures {
		res, err := svc.CaptureFile(ctx, path, actor)
		if err != nil {
			fmt.Fprintf(e.stderr, "ward: %v\n", err)
			errs = append(errs, err)
			continue
		}
		if res.Already {
			fmt.Fprintf(e.stdout, "%s: ingested before (sha256 %s…); nothing changed\n", path, res.File.SHA256[:12])
			continue
		}
		fmt.Fprintf(e.stdout, "%s: %d packets, %d devices (%d new), %d flows\n", path,
			res.File.Packets, res.Merged.Devices, res.Merged.NewDevices, res.Merged.Flows)
		for _, p := range res.Problems {
			fmt.Fprintf(e.stderr, "%s: warning: %s\n", path, p)
		}
	}
	for _, path := range registers {
		res, err := svc.RegisterFile(ctx, path, mapping, actor)
		if err != nil {
			fmt.Fprintf(e.stderr, "ward: %v\n", err)
			errs = append(errs, err)
			continue
		}
		f := res.Figures
		fmt.Fprintf(e.stdout, "%s: %d entries; %d matched, %d only in the register, %d only on the network; accuracy %.0f%%\n",
			path, f.RegisterEntries, f.Matched, f.RegisterOnly, f.NetworkOnly, f.Accuracy*100)
		for _, p := range res.Problems {
			fmt.Fprintf(e.stderr, "%s: warning: %s\n", path, p)
		}
	}
	var matchErr error
	if len(errs) < len(captures)+len(registers) {
		// Once for the whole batch: a new device may have advisories.
		_, matchErr = svc.Rematch(ctx)
	}
	if len(errs) > 0 {
		if matchErr != nil {
			fmt.Fprintf(e.stderr, "ward: %v\n", matchErr)
		}
		return fmt.Errorf("%d of %d files not ingested: %w", len(errs), len(captures)+len(registers), errSilent)
	}
	return matchErr
}
