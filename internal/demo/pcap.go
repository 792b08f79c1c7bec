package demo

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"time"
)

// Classic pcap (the libpcap format): a 24-byte file header, then a 16-byte
// header before each frame. Everything is little-endian here.
const (
	pcapMagic   = 0xa1b2c3d4 // microsecond timestamps
	pcapSnapLen = 262144
	linkEther   = 1
)

// frame is one packet of the capture.
type frame struct {
	at   int64 // capture time, microseconds since the Unix epoch
	n    int   // order of making, to keep frames of the same time in order
	data []byte
}

// recording collects the frames of a run before they are sorted and written.
type recording struct {
	start, end time.Time
	frames     []frame
}

// newRecording starts a recording of d from start.
func newRecording(start time.Time, d time.Duration) *recording {
	return &recording{start: start, end: start.Add(d), frames: make([]frame, 0, 1<<15)}
}

// add keeps data as a frame sent at t; frames outside the capture's span
// are dropped. Frames shorter than Ethernet's minimum are padded, as a
// receiving interface shows them.
func (c *recording) add(t time.Time, data []byte) {
	if t.Before(c.start) || !t.Before(c.end) {
		return
	}
	if len(data) < 60 {
		data = append(data, make([]byte, 60-len(data))...)
	}
	c.frames = append(c.frames, frame{at: t.UnixMicro(), n: len(c.frames), data: data})
}

// writePcap sorts the frames by time and writes them.
func (c *recording) writePcap(w io.Writer) error {
	slices.SortFunc(c.frames, func(a, b frame) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.n, b.n))
	})
	bw := bufio.NewWriterSize(w, 1<<16)
	var hdr [24]byte
	binary.LittleEndian.PutUint32(hdr[0:], pcapMagic)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], pcapSnapLen)
	binary.LittleEndian.PutUint32(hdr[20:], linkEther)
	if _, err := bw.Write(hdr[:]); err != nil {
		return fmt.Errorf("write pcap header: %w", err)
	}
	for i := range c.frames {
		if err := writeRecord(bw, &c.frames[i]); err != nil {
			return fmt.Errorf("write pcap record %d: %w", i, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write pcap: %w", err)
	}
	return nil
}

// writeRecord writes one frame with its record header.
func writeRecord(w *bufio.Writer, f *frame) error {
	var rec [16]byte
	binary.LittleEndian.PutUint32(rec[0:], uint32(f.at/1e6))
	binary.LittleEndian.PutUint32(rec[4:], uint32(f.at%1e6))
	binary.LittleEndian.PutUint32(rec[8:], uint32(len(f.data)))
	binary.LittleEndian.PutUint32(rec[12:], uint32(len(f.data)))
	if _, err := w.Write(rec[:]); err != nil {
		return err
	}
	_, err := w.Write(f.data)
	return err
}
