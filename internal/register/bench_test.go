package register

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wardhq/ward/internal/inventory"
)

var benchHeader = []string{"Equipment No", "Description", "Manufacturer", "Model",
	"Serial No", "Location", "Department", "MAC Address", "IP Address", "Hostname",
	"Risk Class", "PPM Due"}

// benchRow is asset i of a large register. Of every ten, four have a MAC
// of device i, one only its serial, one its host name, one its address,
// and three a MAC no device has.
func benchRow(i int) []string {
	mac, serial, host, ip := "", fmt.Sprintf("SN%07d", i), "", ""
	switch k := i % 10; {
	case k < 4:
		mac = fmt.Sprintf("00-1B-63-%02X-%02X-%02X", i>>16&0xff, i>>8&0xff, i&0xff)
		serial = ""
	case k == 4:
	case k == 5:
		host, serial = fmt.Sprintf("DEV-%d", i), ""
	case k == 6:
		ip, serial = benchIP(i), ""
	default:
		mac, serial = fmt.Sprintf("00:50:56:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff), ""
	}
	return []string{fmt.Sprintf("EQ%07d", i), "Pump, volumetric infusion", "B. Braun",
		"Infusomat Space", serial, fmt.Sprintf("Bay %d", i%12), "Ward 7", mac, ip, host,
		"High", "01/09/2025"}
}

func benchIP(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff) }

func benchCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString(strings.Join(benchHeader, ",") + "\r\n")
	for i := range n {
		row := benchRow(i)
		row[1] = `"` + row[1] + `"`
		b.WriteString(strings.Join(row, ",") + "\r\n")
	}
	return b.Bytes()
}

// benchDevices are n devices as the inventory gives them, device i being
// the one that asset i names.
func benchDevices(n int) []*inventory.Device {
	ds := make([]*inventory.Device, n)
	for i := range ds {
		mac := fmt.Sprintf("00:1b:63:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff)
		ds[i] = &inventory.Device{ID: "mac:" + mac, MACString: mac, IPs: []string{benchIP(i)},
			Names:  []string{fmt.Sprintf("dev-%d.ward7.nhs.test", i)},
			Vendor: "B. Braun", Category: "infusion-pump",
			Attributes: []inventory.Attribute{{Key: "serial", Value: fmt.Sprintf("SN%07d", i),
				Source: "hl7"}}}
	}
	return ds
}

func BenchmarkReadCSV(b *testing.B) {
	data := benchCSV(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		reg, err := Read(bytes.NewReader(data), "bench.csv", nil)
		if err != nil || len(reg.Entries) != 100_000 {
			b.Fatalf("got %v entries, %v", len(reg.Entries), err)
		}
	}
}

func BenchmarkReadXLSX(b *testing.B) {
	const n = 20_000
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	for r := range n + 1 {
		cells := benchHeader
		if r > 0 {
			cells = benchRow(r - 1)
		}
		row := make([]any, len(cells))
		for i, c := range cells {
			row[i] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		reg, err := Read(bytes.NewReader(data), "bench.xlsx", nil)
		if err != nil || len(reg.Entries) != n {
			b.Fatalf("got %v entries, %v", len(reg.Entries), err)
		}
	}
}

// BenchmarkReconcile sets n entries against n devices, at two sizes to
// show that the cost grows in proportion.
func BenchmarkReconcile(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			reg, err := Read(bytes.NewReader(benchCSV(n)), "bench.csv", nil)
			if err != nil {
				b.Fatal(err)
			}
			devices := benchDevices(n)
			b.ReportAllocs()
			for b.Loop() {
				r := Reconcile(reg, devices)
				if r.Figures.Matched != n*7/10 {
					b.Fatalf("got %+v, want %d matched", r.Figures, n*7/10)
				}
			}
		})
	}
}
