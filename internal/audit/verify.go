package audit

import (
	"cmp"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Problem kinds that Verify reports.
const (
	Edited    = "edited"    // an entry's content or MAC is not what its key made
	Removed   = "removed"   // entries are missing between two that remain
	Reordered = "reordered" // an entry is out of sequence, or repeated
	Truncated = "truncated" // entries after the last one left are missing
	BadLink   = "bad-link"  // an entry does not follow the one before it
)

// Problem is one way a log fails to verify.
type Problem struct {
	Seq    uint64 // the entry where it shows (for Truncated, the last one kept)
	Kind   string
	Detail string
}

func (p Problem) String() string {
	return fmt.Sprintf("entry %d: %s: %s", p.Seq, p.Kind, p.Detail)
}

// Verify checks a log's entries, in the order the store keeps them,
// against the chain key and, when cp is not nil, a checkpoint taken
// earlier. It returns every problem found, by entry; none means the log is
// whole.
func (c *Chain) Verify(entries []Entry, cp *Checkpoint) []Problem {
	var out []Problem
	bySeq := make(map[uint64]*Entry, len(entries))
	var highest uint64
	for i := range entries {
		e := &entries[i]
		if c.mac(e) != e.MAC {
			out = append(out, Problem{e.Seq, Edited, "its MAC does not match its content"})
		}
		switch {
		case bySeq[e.Seq] != nil:
			out = append(out, Problem{e.Seq, Reordered, "repeats an entry kept earlier"})
			continue
		case e.Seq < highest:
			out = append(out, Problem{e.Seq, Reordered, fmt.Sprintf("comes after entry %d", highest)})
		}
		bySeq[e.Seq] = e
		highest = max(highest, e.Seq)
	}
	out = append(out, links(bySeq)...)
	if cp != nil {
		out = append(out, checkpointProblems(entries, cp)...)
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}

// links checks, in sequence order, that each entry follows the one before
// it, and reports the gaps where entries are missing.
func links(bySeq map[uint64]*Entry) []Problem {
	seqs := slices.Sorted(maps.Keys(bySeq))
	var out []Problem
	var prev uint64 // 0: before the first entry
	for _, seq := range seqs {
		e := bySeq[seq]
		switch {
		case seq > prev+1:
			out = append(out, Problem{seq, Removed, fmt.Sprintf("entries %d to %d are missing", prev+1, seq-1)})
		case seq == 1 && e.Prev != MAC{}:
			out = append(out, Problem{seq, BadLink, "the first entry names a previous one"})
		case seq > 1 && e.Prev != bySeq[seq-1].MAC:
			out = append(out, Problem{seq, BadLink, "its previous MAC is not the MAC of the entry before it"})
		}
		prev = seq
	}
	return out
}

func checkpointProblems(entries []Entry, cp *Checkpoint) []Problem {
	var last uint64
	for i := range entries {
		e := &entries[i]
		last = max(last, e.Seq)
		if e.Seq == cp.Seq && e.MAC != cp.MAC {
			return []Problem{{e.Seq, Edited, "differs from the checkpoint of " + cp.Time.UTC().Format(time.RFC3339)}}
		}
	}
	if last < cp.Seq {
		return []Problem{{last, Truncated, fmt.Sprintf("the checkpoint of %s names entry %d",
			cp.Time.UTC().Format(time.RFC3339), cp.Seq)}}
	}
	return nil
}

// Checkpoint is the head of the chain at a moment, signed, to be kept
// apart from the database (printed, mailed, committed elsewhere): a later
// Verify with it catches entries cut off the end.
type Checkpoint struct {
	Seq       uint64    `json:"seq"`
	MAC       MAC       `json:"-"`
	MACHex    string    `json:"mac"`
	Time      time.Time `json:"time"`
	Signature []byte    `json:"signature"` // ed25519 over signedBytes
}

// Sign makes a checkpoint of head, the last entry of the log, at t.
func Sign(key ed25519.PrivateKey, head Entry, t time.Time) Checkpoint {
	cp := Checkpoint{Seq: head.Seq, MAC: head.MAC, MACHex: head.MAC.String(), Time: t.UTC()}
	cp.Signature = ed25519.Sign(key, cp.signedBytes())
	return cp
}

func (cp *Checkpoint) signedBytes() []byte {
	b := []byte("ward audit checkpoint v1\n")
	b = binary.BigEndian.AppendUint64(b, cp.Seq)
	b = append(b, cp.MAC[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(cp.Time.UnixNano()))
}

// ErrBadSignature is returned for a checkpoint the key did not sign.
var ErrBadSignature = errors.New("audit: checkpoint signature does not verify")

// VerifyCheckpoint checks cp's signature with the public key.
func VerifyCheckpoint(pub ed25519.PublicKey, cp *Checkpoint) error {
	if !ed25519.Verify(pub, cp.signedBytes(), cp.Signature) {
		return ErrBadSignature
	}
	return nil
}

// MarshalCheckpoint encodes cp as JSON.
func MarshalCheckpoint(cp Checkpoint) ([]byte, error) {
	cp.MACHex = cp.MAC.String()
	return json.MarshalIndent(cp, "", "  ")
}

// ParseCheckpoint decodes a checkpoint written by MarshalCheckpoint.
func ParseCheckpoint(b []byte) (*Checkpoint, error) {
	var cp Checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, fmt.Errorf("audit: checkpoint: %w", err)
	}
	m, err := ParseMAC(cp.MACHex)
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoint: %w", err)
	}
	cp.MAC = m
	return &cp, nil
}
