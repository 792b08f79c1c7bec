// Command ouigen regenerates oui.dat, the IEEE MAC address registry table
// that package fingerprint embeds, from the registry's CSV files (oui.csv,
// mam.csv, oui36.csv, iab.csv). It is run by go generate in
// internal/fingerprint:
//
//	go run ./internal/ouigen -out oui.dat
//
// Without -src it reads ../shared/corpus/fingerprints/ieee-oui relative to
// the module root (the directory holding go.mod), where the project's
// corpus lives beside the checkout.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wardhq/ward/internal/fingerprint/internal/ouidata"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ouigen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("ouigen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("src", "", "directory of the registry CSV files (default: "+
		"../shared/corpus/fingerprints/ieee-oui from the module root)")
	out := fs.String("out", "oui.dat", "file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *src == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		*src = filepath.Join(root, "..", "shared", "corpus", "fingerprints", "ieee-oui")
	}

	entries, err := ouidata.ReadDir(*src)
	if err != nil {
		return err
	}
	data, err := ouidata.Compress(ouidata.Encode(entries))
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	fmt.Fprintf(stderr, "ouigen: %d rows from %s, %d bytes to %s\n", len(entries), *src, len(data), *out)
	return nil
}

// moduleRoot finds the nearest directory at or above the working directory
// that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod above the working directory")
		}
		dir = parent
	}
}
