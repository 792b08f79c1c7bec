package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"
)

type tableWriter struct{}

var tableHeader = []string{"MAC", "IPS", "VENDOR", "MODEL", "CATEGORY", "CRITICALITY", "OS",
	"SOFTWARE", "NAMES"}

func (tableWriter) write(w io.Writer, r report) error {
	rows := [][]string{tableHeader}
	for _, d := range r.inv.Devices {
		mac := d.MACString
		if mac == "" {
			mac = "-"
		}
		ips := ""
		if len(d.IPs) > 0 {
			ips = d.IPs[0]
			if len(d.IPs) > 1 {
				ips += " +" + strconv.Itoa(len(d.IPs)-1)
			}
		}
		rows = append(rows, []string{mac, ips, d.Vendor, d.Model, d.Category, d.Criticality,
			d.OS, d.Software, strings.Join(d.Names, ",")})
	}
	width := terminalWidth(w)
	if err := printTable(w, rows, width); err != nil {
		return err
	}
	if len(r.inv.Links) > 0 {
		rows = [][]string{{"FROM", "TO", "PROTOCOL", "LINK", "CONNECTIONS"}}
		for _, l := range r.inv.Links {
			rows = append(rows, []string{l.From, l.To, l.Source, l.Value,
				strconv.FormatUint(l.Count, 10)})
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
		if err := printTable(w, rows, width); err != nil {
			return err
		}
	}
	if !r.flows {
		return nil
	}
	rows = [][]string{{"SRC", "DST", "PROTO", "PORT", "APP", "PACKETS", "BYTES", "FIRST SEEN",
		"LAST SEEN"}}
	for _, f := range flowRecords(r) {
		rows = append(rows, []string{f.Src, f.Dst, f.Proto, strconv.Itoa(int(f.DstPort)),
			f.App, strconv.FormatUint(f.Packets, 10), strconv.FormatUint(f.Bytes, 10),
			stamp(f.FirstSeen), stamp(f.LastSeen)})
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	return printTable(w, rows, width)
}

// terminalWidth is the width of the terminal w writes to, or of $COLUMNS,
// or 0 (no limit) when neither is known.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 0
}

// printTable prints rows with aligned columns two spaces apart. When
// maxWidth is positive, the widest columns are cut (ending in "…") until a
// line fits.
func printTable(w io.Writer, rows [][]string, maxWidth int) error {
	widths := columnWidths(rows)
	fitWidths(widths, maxWidth)
	var b strings.Builder
	for _, row := range rows {
		b.Reset()
		for i, cell := range row {
			cell = cut(cell, widths[i])
			if i == len(row)-1 {
				b.WriteString(cell)
				break
			}
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)+2))
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	return nil
}

func columnWidths(rows [][]string) []int {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	return widths
}

// fitWidths narrows the widest columns, never below minColumn, until the
// total fits in maxWidth.
func fitWidths(widths []int, maxWidth int) {
	const minColumn = 6
	if maxWidth <= 0 {
		return
	}
	total := func() int {
		t := 2 * (len(widths) - 1)
		for _, w := range widths {
			t += w
		}
		return t
	}
	for total() > maxWidth {
		wi := 0
		for i, w := range widths {
			if w > widths[wi] {
				wi = i
			}
		}
		if widths[wi] <= minColumn {
			return
		}
		widths[wi]--
	}
}

func cut(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}
