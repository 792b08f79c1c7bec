package web

import (
	"fmt"
	"math"
	"time"

	"github.com/wardhq/ward/internal/segment"
)

// The drawings of the segmentation overview, as inline SVG computed here
// so that the page needs no script: the zone map and the bar chart of
// violations per week. Each has a table of the same figures beside it,
// which is the accessible form; the drawings mark violations by a dashed
// line and a cross as well as by colour.

// zoneMap is the map of zones: a node per zone on a circle, an arrow per
// pair of zones with traffic between them, a loop for traffic within one.
type zoneMap struct {
	Width, Height int
	Nodes         []mapNode
	Edges         []mapEdge
	Loops         []mapLoop
	Violating     int // pairs with violations
}

// mapNode is a zone on the map. Coordinates are in SVG user units.
type mapNode struct {
	Name          string
	X, Y, R       float64
	LabelX        float64
	LabelY        float64
	Anchor        string // text-anchor of the label
	Devices       int
	Medical       bool
	Unassigned    bool
	Link          string
	DevicesLegend string
}

// mapEdge is the traffic from one zone to another: a line, as wide as
// the flows are many (on a log scale), dashed and crossed when some of it
// violates the policy.
type mapEdge struct {
	From, To           string
	X1, Y1, X2, Y2     float64
	MarkX, MarkY       float64 // the middle, where a violating edge has its cross
	Width              float64
	Flows, Violations  int
	Packets, Violating uint64
	Bad                bool
}

// mapLoop is the traffic within one zone: a small circle beside its node.
type mapLoop struct {
	Zone              string
	X, Y, R           float64
	MarkX, MarkY      float64
	Width             float64
	Flows, Violations int
	Bad               bool
}

// Sizes of the zone map.
const (
	mapSize    = 560.0 // width and height
	mapMargin  = 90.0  // room for the labels
	nodeRadius = 24.0
)

// buildZoneMap lays the report's zones on a circle and draws its pairs.
func buildZoneMap(rep *segment.Report) zoneMap {
	m := zoneMap{Width: int(mapSize), Height: int(mapSize)}
	at := map[string]int{}
	n := len(rep.Zones)
	for i, z := range rep.Zones {
		at[z.Zone] = i
		m.Nodes = append(m.Nodes, placeNode(z, i, n))
	}
	top := 1
	for _, p := range rep.Pairs {
		top = max(top, p.Flows)
	}
	for _, p := range rep.Pairs {
		a, okA := at[p.From]
		b, okB := at[p.To]
		if !okA || !okB {
			continue
		}
		if p.Violations > 0 {
			m.Violating++
		}
		w := edgeWidth(p.Flows, top)
		if a == b {
			m.Loops = append(m.Loops, loopOf(m.Nodes[a], p, w))
			continue
		}
		m.Edges = append(m.Edges, edgeOf(m.Nodes[a], m.Nodes[b], p, w))
	}
	return m
}

// placeNode puts zone i of n on the circle, the first at the top, and
// its label outside the circle.
func placeNode(z segment.ZoneCount, i, n int) mapNode {
	c := mapSize / 2
	radius := c - mapMargin
	angle := -math.Pi/2 + 2*math.Pi*float64(i)/float64(max(n, 1))
	if n == 1 {
		radius = 0
	}
	x, y := c+radius*math.Cos(angle), c+radius*math.Sin(angle)
	nd := mapNode{Name: z.Zone, X: round1(x), Y: round1(y), R: nodeRadius, Devices: z.Devices,
		Medical: z.Medical, Unassigned: z.Zone == segment.Unassigned,
		Link: "/segmentation/zones/" + urlPathEscape(z.Zone)}
	nd.DevicesLegend = fmt.Sprintf("%d devices", z.Devices)
	if z.Devices == 1 {
		nd.DevicesLegend = "1 device"
	}
	// The label goes beyond the node, away from the centre.
	dx, dy := math.Cos(angle), math.Sin(angle)
	if n == 1 {
		dx, dy = 0, 1
	}
	nd.LabelX = round1(x + dx*(nodeRadius+8))
	nd.LabelY = round1(y + dy*(nodeRadius+8) + 4)
	switch {
	case dx > 0.3:
		nd.Anchor = "start"
	case dx < -0.3:
		nd.Anchor = "end"
	default:
		nd.Anchor = "middle"
		if dy > 0 {
			nd.LabelY += 8
		}
	}
	return nd
}

// edgeWidth is the stroke width for flows among at most top: 1.5 to 9 on a
// log scale.
func edgeWidth(flows, top int) float64 {
	if top <= 1 {
		return 2
	}
	return round1(1.5 + 7.5*math.Log1p(float64(flows))/math.Log1p(float64(top)))
}

// edgeOf draws the pair from a to b between the nodes' rims, shifted to
// its right so that the pair the other way is drawn beside it.
func edgeOf(a, b mapNode, p segment.PairCount, w float64) mapEdge {
	dx, dy := b.X-a.X, b.Y-a.Y
	d := math.Hypot(dx, dy)
	if d == 0 {
		d = 1
	}
	ux, uy := dx/d, dy/d
	nx, ny := -uy*5, ux*5 // the normal, 5 units long
	start, stop := a.R+2, b.R+8
	e := mapEdge{From: p.From, To: p.To, Width: w, Flows: p.Flows, Violations: p.Violations,
		Packets: p.Packets, Violating: p.ViolatingPackets, Bad: p.Violations > 0,
		X1: round1(a.X + ux*start + nx), Y1: round1(a.Y + uy*start + ny),
		X2: round1(b.X - ux*stop + nx), Y2: round1(b.Y - uy*stop + ny)}
	e.MarkX, e.MarkY = round1((e.X1+e.X2)/2), round1((e.Y1+e.Y2)/2)
	return e
}

// loopOf draws the traffic within a zone as a circle outside its node.
func loopOf(n mapNode, p segment.PairCount, w float64) mapLoop {
	c := mapSize / 2
	dx, dy := n.X-c, n.Y-c
	d := math.Hypot(dx, dy)
	if d == 0 {
		dx, dy, d = 0, -1, 1
	}
	const r = 11.0
	// Inwards, where the label is not.
	x, y := n.X-dx/d*(n.R+r-4), n.Y-dy/d*(n.R+r-4)
	return mapLoop{Zone: p.From, X: round1(x), Y: round1(y), R: r, Width: min(w, 4),
		MarkX: round1(x), MarkY: round1(y + 4), Flows: p.Flows, Violations: p.Violations,
		Bad: p.Violations > 0}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// weekChart is the bar chart of violating flows per week.
type weekChart struct {
	Width, Height int
	Bars          []weekBar
	Top           int // the tallest bar's flows
	From, To      time.Time
}

// weekBar is one week.
type weekBar struct {
	segment.Week
	X, Y, W, H  float64
	Label       string // the Monday, "02 Mar"
	LabelX      float64
	ValueY      float64
	Description string
}

// Sizes of the week chart.
const (
	chartWeeks  = 12
	chartBar    = 34.0
	chartGap    = 10.0
	chartHeight = 150.0
	chartBase   = 126.0 // the y of the bars' foot; labels go below
)

// weekStart is the Monday 00:00 UTC of t's ISO week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// chartWindow is the chartWeeks weeks that end with the week of last.
func chartWindow(last time.Time) (from, to time.Time) {
	to = weekStart(last).AddDate(0, 0, 7)
	return to.AddDate(0, 0, -7*chartWeeks), to
}

// buildWeekChart draws the weeks from from to to, those absent from
// weeks at zero.
func buildWeekChart(weeks []segment.Week, from, to time.Time) weekChart {
	byStart := map[time.Time]segment.Week{}
	for _, w := range weeks {
		byStart[w.Start.UTC()] = w
	}
	c := weekChart{Height: int(chartHeight), From: from, To: to, Top: 1}
	var all []segment.Week
	for s := from; s.Before(to); s = s.AddDate(0, 0, 7) {
		w, ok := byStart[s]
		if !ok {
			w = segment.Week{Start: s}
		}
		all = append(all, w)
		c.Top = max(c.Top, w.Flows)
	}
	for i, w := range all {
		h := round1(float64(w.Flows) / float64(c.Top) * (chartBase - 20))
		if w.Flows > 0 {
			h = max(h, 2)
		}
		x := chartGap + float64(i)*(chartBar+chartGap)
		c.Bars = append(c.Bars, weekBar{Week: w, X: x, Y: round1(chartBase - h), W: chartBar,
			H: h, Label: w.Start.Format("02 Jan"), LabelX: round1(x + chartBar/2),
			ValueY: round1(chartBase - h - 4),
			Description: fmt.Sprintf("week of %s: %d violating flows, %d packets",
				w.Start.Format("2 January 2006"), w.Flows, w.Packets)})
	}
	c.Width = int(chartGap + float64(len(all))*(chartBar+chartGap))
	return c
}
