// Package accuracy scores advisory matching against a hand-labelled set of
// (device, advisory) pairs: precision, recall and F1 at a confidence
// threshold, and the same over a range of thresholds.
//
// The labels are read from a CSV file (device,advisory[,note]) where every
// listed pair is affected and every other pair is not; the matches are read
// from the JSON that `ward match --format json` writes. Only matches whose
// status is "affected" count, and a pair counts once however many matches
// name it. The labelled set itself lives in internal/match/testdata/accuracy.
//
// The package knows nothing of how matches are made: it reads files and
// counts, so the matcher cannot shape its own yardstick.
package accuracy

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// MaxInput bounds the bytes ReadLabels and ReadMatches accept.
const MaxInput = 64 << 20

// Affected is the match status that precision and recall count.
const Affected = "affected"

// statuses are the match statuses `ward match` writes.
var statuses = map[string]bool{
	Affected: true, "fixed": true, "not_affected": true, "under_investigation": true,
}

// ErrTooLarge is returned for input longer than MaxInput.
var ErrTooLarge = errors.New("input larger than accuracy.MaxInput")

// Pair is one device of a register and one advisory.
type Pair struct {
	Device   string // the register row's id
	Advisory string // the advisory's tracking ID ("ICSMA-20-049-01")
}

// Match is one candidate match as `ward match` reports it.
type Match struct {
	Device, Advisory string
	Confidence       float64 // 0–1
	Status           string  // "affected", "fixed", "not_affected" or "under_investigation"
}

// Result is how a set of matches scores against the labels at one
// threshold. Precision, Recall and F1 are 0, not NaN, when undefined.
type Result struct {
	Threshold float64
	// TP, FP and FN count distinct pairs: affected matches at or above the
	// threshold that are labelled (TP) or not (FP), and labelled pairs no
	// such match names (FN).
	TP, FP, FN                     int
	Precision, Recall, F1          float64
	FalsePositives, FalseNegatives []Pair // sorted by device, then advisory
}

// ReadLabels reads a labels CSV whose header names the columns device and
// advisory (a note column, or any other, is ignored). Every pair it lists is
// affected; a pair listed twice, or a row with an empty cell, is an error.
func ReadLabels(r io.Reader) (map[Pair]bool, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("read labels: no header")
	}
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	dev, adv, err := labelColumns(header)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	return readLabelRows(cr, dev, adv)
}

// labelColumns finds the device and advisory columns of a header.
func labelColumns(header []string) (dev, adv int, err error) {
	dev, adv = -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "device":
			dev = i
		case "advisory":
			adv = i
		}
	}
	if dev < 0 || adv < 0 {
		return 0, 0, fmt.Errorf("header %q: want columns device and advisory", strings.Join(header, ","))
	}
	return dev, adv, nil
}

func readLabelRows(cr *csv.Reader, dev, adv int) (map[Pair]bool, error) {
	labels := make(map[Pair]bool)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return labels, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read labels: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= dev || len(rec) <= adv {
			return nil, fmt.Errorf("read labels: line %d: %d fields, want device and advisory", line, len(rec))
		}
		p := Pair{Device: strings.TrimSpace(rec[dev]), Advisory: strings.TrimSpace(rec[adv])}
		if p.Device == "" || p.Advisory == "" {
			return nil, fmt.Errorf("read labels: line %d: empty device or advisory", line)
		}
		if labels[p] {
			return nil, fmt.Errorf("read labels: line %d: pair %s, %s listed twice", line, p.Device, p.Advisory)
		}
		labels[p] = true
	}
}

// matchJSON is one element of the "matches" array of `ward match` output.
// Fields other than these (cves, reason) are not needed to score.
type matchJSON struct {
	Device     string   `json:"device"`
	Advisory   string   `json:"advisory"`
	Confidence *float64 `json:"confidence"`
	Status     string   `json:"status"`
}

// ReadMatches reads the JSON document `ward match --format json` writes:
// {"matches": [{"device": …, "advisory": …, "confidence": …, "status": …}]}.
// A match without a device, advisory or confidence, a confidence outside
// 0–1 or an unknown status is an error naming the match's index.
func ReadMatches(r io.Reader) ([]Match, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("read matches: %w", err)
	}
	var doc struct {
		Matches *[]matchJSON `json:"matches"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read matches: %w", err)
	}
	if doc.Matches == nil {
		return nil, errors.New(`read matches: no "matches" array`)
	}
	out := make([]Match, 0, len(*doc.Matches))
	for i, m := range *doc.Matches {
		if err := checkMatch(m); err != nil {
			return nil, fmt.Errorf("read matches: match %d: %w", i, err)
		}
		out = append(out, Match{Device: m.Device, Advisory: m.Advisory, Confidence: *m.Confidence, Status: m.Status})
	}
	return out, nil
}

func checkMatch(m matchJSON) error {
	switch {
	case m.Device == "":
		return errors.New("no device")
	case m.Advisory == "":
		return errors.New("no advisory")
	case m.Confidence == nil:
		return errors.New("no confidence")
	case *m.Confidence < 0 || *m.Confidence > 1:
		return fmt.Errorf("confidence %g outside 0–1", *m.Confidence)
	case !statuses[m.Status]:
		return fmt.Errorf("unknown status %q", m.Status)
	}
	return nil
}

// readAll reads r whole, refusing more than MaxInput bytes.
func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxInput {
		return nil, ErrTooLarge
	}
	return data, nil
}

// Evaluate scores matches against labels: a pair is predicted affected when
// some match names it with status "affected" and a confidence at or above
// threshold. Pairs mapped to false in labels count as not affected.
func Evaluate(matches []Match, labels map[Pair]bool, threshold float64) Result {
	predicted := make(map[Pair]bool)
	for _, m := range matches {
		if m.Status == Affected && m.Confidence >= threshold {
			predicted[Pair{m.Device, m.Advisory}] = true
		}
	}
	res := Result{Threshold: threshold}
	for p := range predicted {
		if labels[p] {
			res.TP++
		} else {
			res.FalsePositives = append(res.FalsePositives, p)
		}
	}
	for p, affected := range labels {
		if affected && !predicted[p] {
			res.FalseNegatives = append(res.FalseNegatives, p)
		}
	}
	res.FP, res.FN = len(res.FalsePositives), len(res.FalseNegatives)
	sortPairs(res.FalsePositives)
	sortPairs(res.FalseNegatives)
	res.Precision = ratio(res.TP, res.TP+res.FP)
	res.Recall = ratio(res.TP, res.TP+res.FN)
	if s := res.Precision + res.Recall; s > 0 {
		res.F1 = 2 * res.Precision * res.Recall / s
	}
	return res
}

// Curve evaluates matches at each threshold, in the order given.
func Curve(matches []Match, labels map[Pair]bool, thresholds []float64) []Result {
	out := make([]Result, 0, len(thresholds))
	for _, t := range thresholds {
		out = append(out, Evaluate(matches, labels, t))
	}
	return out
}

// String reports r on one line:
// "threshold 0.60: precision 0.97 (TP 301, FP 9), recall 0.93 (FN 22), F1 0.95".
func (r Result) String() string {
	return fmt.Sprintf("threshold %.2f: precision %.2f (TP %d, FP %d), recall %.2f (FN %d), F1 %.2f",
		r.Threshold, r.Precision, r.TP, r.FP, r.Recall, r.FN, r.F1)
}

// ratio is n/d, or 0 when d is 0.
func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func sortPairs(ps []Pair) {
	slices.SortFunc(ps, func(a, b Pair) int {
		return cmp.Or(strings.Compare(a.Device, b.Device), strings.Compare(a.Advisory, b.Advisory))
	})
}
