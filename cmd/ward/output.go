package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wardhq/ward/internal/decode"
	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/observe"
)

// report is what analyze prints.
type report struct {
	inv   *inventory.Inventory
	res   *observe.Result
	flows bool
}

// writer renders a report in one format.
type writer interface {
	write(w io.Writer, r report) error
}

func newWriter(format string) (writer, error) {
	switch format {
	case "table":
		return tableWriter{}, nil
	case "json":
		return jsonWriter{}, nil
	case "csv":
		return csvWriter{}, nil
	}
	return nil, fmt.Errorf("unknown -format %q: want table, json or csv", format)
}

// flowRecord is a flow in the output, with the devices at either end.
type flowRecord struct {
	Src        string `json:"src"`
	Dst        string `json:"dst"`
	SrcDevice  string `json:"src_device,omitempty"`
	DstDevice  string `json:"dst_device,omitempty"`
	Proto      string `json:"proto"`
	DstPort    uint16 `json:"dst_port"`
	VLAN       uint16 `json:"vlan,omitempty"`
	App        string `json:"app,omitempty"`
	Packets    uint64 `json:"packets"`
	Bytes      uint64 `json:"bytes"`
	PacketsRev uint64 `json:"packets_reply"`
	BytesRev   uint64 `json:"bytes_reply"`
	// Messages and MessagesRev count application messages each way, for
	// protocols whose messages Ward counts (HL7 v2 over MLLP).
	Messages    uint64 `json:"messages,omitempty"`
	MessagesRev uint64 `json:"messages_reply,omitempty"`
	Connections uint64 `json:"connections,omitempty"` // TCP connections

	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

func flowRecords(r report) []flowRecord {
	out := make([]flowRecord, 0, len(r.res.Flows))
	for _, f := range r.res.Flows {
		fr := flowRecord{
			Src: f.Src.String(), Dst: f.Dst.String(), Proto: protoName(f.Proto),
			DstPort: f.DstPort, VLAN: f.VLAN, App: f.App,
			Packets: f.Packets, Bytes: f.Bytes, PacketsRev: f.PacketsRev, BytesRev: f.BytesRev,
			Messages: f.Messages, MessagesRev: f.MessagesRev, Connections: f.Connections,
			FirstSeen: f.First, LastSeen: f.Last,
		}
		src, dst := r.inv.FlowEnds(&f)
		if src != nil {
			fr.SrcDevice = src.ID
		}
		if dst != nil {
			fr.DstDevice = dst.ID
		}
		out = append(out, fr)
	}
	return out
}

func protoName(p uint8) string {
	switch p {
	case decode.ProtoTCP:
		return "tcp"
	case decode.ProtoUDP:
		return "udp"
	case decode.ProtoICMP:
		return "icmp"
	case decode.ProtoICMPv6:
		return "icmpv6"
	}
	return strconv.Itoa(int(p))
}

// summary is the JSON output's account of what was read.
type summary struct {
	Files     int       `json:"files"`
	Packets   uint64    `json:"packets"`
	Bytes     uint64    `json:"bytes"`
	Truncated uint64    `json:"truncated_frames"`
	Undecoded uint64    `json:"undecoded_frames"`
	Streams   uint64    `json:"tcp_connections"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Devices   int       `json:"devices"`
	Links     int       `json:"links"`
	// Cleartext clinical traffic: HL7 messages and DICOM associations
	// seen without TLS.
	CleartextHL7   uint64   `json:"cleartext_hl7_messages"`
	CleartextDICOM uint64   `json:"cleartext_dicom_associations"`
	FileErrors     []string `json:"file_errors,omitempty"`
}

type jsonWriter struct{}

// write streams the document one device and one flow at a time, each on
// a line of its own, so that the whole output is never held in memory and
// a line-oriented tool can pick devices out of it.
func (jsonWriter) write(w io.Writer, r report) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	list := func(name string, n int, at func(int) any) error {
		fmt.Fprintf(bw, "  %q: [", name)
		if n == 0 {
			bw.WriteString("],\n")
			return nil
		}
		bw.WriteByte('\n')
		if err := writeLines(bw, n, at); err != nil {
			return err
		}
		_, err := bw.WriteString("  ],\n")
		return err
	}
	bw.WriteString("{\n")
	devs := r.inv.Devices
	if err := list("devices", len(devs), func(i int) any { return devs[i] }); err != nil {
		return err
	}
	links := r.inv.Links
	if err := list("links", len(links), func(i int) any { return links[i] }); err != nil {
		return err
	}
	if r.flows {
		flows := flowRecords(r)
		if err := list("flows", len(flows), func(i int) any { return flows[i] }); err != nil {
			return err
		}
	}
	sum, err := json.MarshalIndent(summaryOf(r), "  ", "  ")
	if err != nil {
		return err
	}
	bw.WriteString(`  "summary": `)
	bw.Write(sum)
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// writeLines writes items 0..n-1 as indented JSON lines separated by
// commas. They are encoded on every CPU, a window at a time, and written
// in order, so that memory holds one window and not the whole output.
func writeLines(w *bufio.Writer, n int, at func(int) any) error {
	const window = 4096
	parts := runtime.GOMAXPROCS(0)
	bufs := make([]bytes.Buffer, parts)
	errs := make([]error, parts)
	for lo := 0; lo < n; lo += window {
		hi := min(lo+window, n)
		step := (hi - lo + parts - 1) / parts
		var wg sync.WaitGroup
		for p := range parts {
			from, to := min(lo+p*step, hi), min(lo+(p+1)*step, hi)
			wg.Go(func() { errs[p] = encodeLines(&bufs[p], from, to, n, at) })
		}
		wg.Wait()
		for p := range parts {
			if errs[p] != nil {
				return errs[p]
			}
			w.Write(bufs[p].Bytes())
		}
	}
	return nil
}

func encodeLines(buf *bytes.Buffer, from, to, n int, at func(int) any) error {
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	for i := from; i < to; i++ {
		buf.WriteString("    ")
		if err := enc.Encode(at(i)); err != nil { // ends the line
			return err
		}
		if i < n-1 {
			buf.Truncate(buf.Len() - 1)
			buf.WriteString(",\n")
		}
	}
	return nil
}

func summaryOf(r report) summary {
	st := r.res.Stats
	return summary{Files: st.Files, Packets: st.Packets, Bytes: st.Bytes,
		Truncated: st.Truncated, Undecoded: st.Undecoded, Streams: st.Streams,
		FirstSeen: st.First, LastSeen: st.Last, Devices: len(r.inv.Devices),
		Links: len(r.inv.Links), CleartextHL7: r.inv.CleartextHL7Messages,
		CleartextDICOM: r.inv.CleartextDICOMAssociations, FileErrors: st.FileErrors}
}

// deviceColumns are the columns of the table and CSV outputs.
var deviceColumns = []string{"id", "mac", "ips", "vendor", "model", "category", "os",
	"software", "names", "router", "vlans", "first_seen", "last_seen", "packets_sent",
	"bytes_sent", "criticality"}

func deviceRow(d *inventory.Device) []string {
	vlans := make([]string, len(d.VLANs))
	for i, v := range d.VLANs {
		vlans[i] = strconv.Itoa(int(v))
	}
	return []string{d.ID, d.MACString, strings.Join(d.IPs, " "), d.Vendor, d.Model,
		d.Category, d.OS, d.Software, strings.Join(d.Names, " "), strconv.FormatBool(d.Router),
		strings.Join(vlans, " "), stamp(d.FirstSeen), stamp(d.LastSeen),
		strconv.FormatUint(d.Packets, 10), strconv.FormatUint(d.Bytes, 10), d.Criticality}
}

var flowColumns = []string{"src", "dst", "src_device", "dst_device", "proto", "dst_port",
	"vlan", "app", "packets", "bytes", "packets_reply", "bytes_reply", "first_seen",
	"last_seen", "messages", "messages_reply", "connections"}

func flowRow(f flowRecord) []string {
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	return []string{f.Src, f.Dst, f.SrcDevice, f.DstDevice, f.Proto,
		strconv.Itoa(int(f.DstPort)), strconv.Itoa(int(f.VLAN)), f.App, u(f.Packets),
		u(f.Bytes), u(f.PacketsRev), u(f.BytesRev), stamp(f.FirstSeen), stamp(f.LastSeen),
		u(f.Messages), u(f.MessagesRev), u(f.Connections)}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

type csvWriter struct{}

// write prints the devices as CSV with a header row; with flows, an empty
// line and then the flows with a header row of their own.
func (csvWriter) write(w io.Writer, r report) error {
	cw := csv.NewWriter(w)
	cw.Write(deviceColumns)
	for _, d := range r.inv.Devices {
		cw.Write(deviceRow(d))
	}
	cw.Flush()
	if !r.flows {
		return cw.Error()
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	cw.Write(flowColumns)
	for _, f := range flowRecords(r) {
		cw.Write(flowRow(f))
	}
	cw.Flush()
	return cw.Error()
}
