// Package ouidata reads the IEEE MAC address registry CSV files and encodes
// them as the compact table that package fingerprint embeds (oui.dat), and
// decodes that table again. The generator (ouigen) and the up-to-date test
// share it so that both produce the same bytes.
//
// The encoded table, before compression, is:
//
//	magic "WARDOUI1"
//	uvarint n, then n organisation names, sorted and distinct, each front
//	  coded as uvarint shared-prefix length, uvarint suffix length, suffix
//	for each prefix length in Lengths (24, 28, 36 bits):
//	  uvarint n, then n entries sorted by prefix, each as uvarint
//	  (prefix - previous prefix) and uvarint organisation index
//
// A prefix is the leading Bits of the address as an unsigned integer (the
// 24-bit prefix of 00:1b:63:… is 0x001b63). The file is gzip-compressed.
package ouidata

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Magic starts every encoded table.
const Magic = "WARDOUI1"

// Lengths are the prefix lengths of the registry's blocks, in bits: MA-L,
// MA-M and MA-S (IAB blocks are 36 bits too).
var Lengths = [3]int{24, 28, 36}

// Files are the registry CSV files Build reads, with the prefix length of
// their assignments in bits.
var Files = []struct {
	Name string
	Bits int
}{
	{"oui.csv", 24},
	{"mam.csv", 28},
	{"oui36.csv", 36},
	{"iab.csv", 36},
}

// Table is a decoded registry. Keys[i] and Orgs[i] describe the blocks of
// Lengths[i] bits: Keys[i] is sorted ascending and Orgs[i][j] indexes Names.
type Table struct {
	Names []string
	Keys  [3][]uint64
	Orgs  [3][]uint32
}

// Entry is one registry row: a prefix of Bits bits and its organisation.
type Entry struct {
	Prefix uint64
	Bits   int
	Org    string
}

// ReadDir reads the registry CSV files in dir.
func ReadDir(dir string) ([]Entry, error) {
	var all []Entry
	for _, f := range Files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			return nil, fmt.Errorf("read registry: %w", err)
		}
		rows, err := ParseCSV(data, f.Bits)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f.Name, err)
		}
		all = append(all, rows...)
	}
	return all, nil
}

// ParseCSV reads one registry CSV file (Registry, Assignment, Organization
// Name, Organization Address) whose assignments are bits long.
func ParseCSV(data []byte, bits int) ([]Entry, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var out []Entry
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if line == 1 && len(rec) > 1 && rec[1] == "Assignment" {
			continue
		}
		if len(rec) < 3 {
			return nil, fmt.Errorf("record %d: want at least 3 fields, got %d", line, len(rec))
		}
		e, err := parseRow(rec[1], rec[2], bits)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", line, err)
		}
		out = append(out, e)
	}
}

func parseRow(assignment, org string, bits int) (Entry, error) {
	if len(assignment)*4 != bits {
		return Entry{}, fmt.Errorf("assignment %q: want %d hex digits", assignment, bits/4)
	}
	v, err := strconv.ParseUint(assignment, 16, 64)
	if err != nil {
		return Entry{}, fmt.Errorf("assignment %q: %w", assignment, err)
	}
	return Entry{Prefix: v, Bits: bits, Org: strings.TrimSpace(org)}, nil
}

// Encode builds the uncompressed table from registry rows. A prefix listed
// twice keeps the organisation name that sorts first, so the output does not
// depend on row order.
func Encode(entries []Entry) []byte {
	names := distinctNames(entries)
	index := make(map[string]uint32, len(names))
	for i, n := range names {
		index[n] = uint32(i)
	}

	var b []byte
	b = append(b, Magic...)
	b = binary.AppendUvarint(b, uint64(len(names)))
	prev := ""
	for _, n := range names {
		shared := commonPrefix(prev, n)
		b = binary.AppendUvarint(b, uint64(shared))
		b = binary.AppendUvarint(b, uint64(len(n)-shared))
		b = append(b, n[shared:]...)
		prev = n
	}
	for _, bits := range Lengths {
		b = appendBlocks(b, entries, bits, index)
	}
	return b
}

func distinctNames(entries []Entry) []string {
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Org)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func appendBlocks(b []byte, entries []Entry, bits int, index map[string]uint32) []byte {
	var rows []Entry
	for _, e := range entries {
		if e.Bits == bits {
			rows = append(rows, e)
		}
	}
	slices.SortFunc(rows, func(x, y Entry) int {
		if c := cmpUint(x.Prefix, y.Prefix); c != 0 {
			return c
		}
		return strings.Compare(x.Org, y.Org)
	})
	rows = slices.CompactFunc(rows, func(x, y Entry) bool { return x.Prefix == y.Prefix })

	b = binary.AppendUvarint(b, uint64(len(rows)))
	var prev uint64
	for _, e := range rows {
		b = binary.AppendUvarint(b, e.Prefix-prev)
		b = binary.AppendUvarint(b, uint64(index[e.Org]))
		prev = e.Prefix
	}
	return b
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Compress gzips an encoded table at the best compression level.
func Compress(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("compress table: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress table: %w", err)
	}
	return buf.Bytes(), nil
}

// Decompress gunzips a compressed table.
func Decompress(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decompress table: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decompress table: %w", err)
	}
	return raw, nil
}
