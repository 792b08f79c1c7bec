package segment

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// simulationFlows are flows of hospitalDevices: a CT's DICOM to the PACS,
// a monitor's stream to its server, a PC on the web, a PC to the
// internet.
func simulationFlows() []Flow {
	ct := flow("10.0.130.10", "10.0.200.10", ProtoTCP, 104)
	ct.App, ct.Packets = "dicom", 100
	mon := flow("10.0.120.10", "10.0.200.11", ProtoUDP, 24105)
	mon.Packets = 50
	web := flow("10.0.20.100", "10.0.200.12", ProtoTCP, 443)
	web.Packets = 500
	out := flow("10.0.20.100", "198.51.100.1", ProtoTCP, 443)
	return []Flow{ct, mon, web, out}
}

func keys(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key)
	}
	return out
}

func TestSimulateFlat(t *testing.T) {
	s, err := Simulate(nil, hospital(), hospitalDevices(), simulationFlows())
	if err != nil {
		t.Fatal(err)
	}
	// everything is allowed on a flat network: the proposed policy blocks
	// the PC's flow to the internet only.
	if diff := cmp.Diff([]string{"10.0.20.100>198.51.100.1/tcp/443"}, keys(s.Blocked)); diff != "" {
		t.Errorf("blocked (-want +got):\n%s", diff)
	}
	if len(s.Unblocked) != 0 || s.NeedsSignoff || len(s.Critical) != 0 {
		t.Errorf("got unblocked %v, critical %v, needs sign-off %v; want none", keys(s.Unblocked),
			s.Critical, s.NeedsSignoff)
	}
}

func TestSimulateChange(t *testing.T) {
	current := hospital()
	current.Conduits = append(current.Conduits, Conduit{Name: "out", From: End{Zone: "clinical"},
		To: End{Zone: "internet"}, Services: []Service{{Proto: "tcp"}}})
	proposed := hospital()
	proposed.Conduits = []Conduit{current.Conduits[1], current.Conduits[3]} // no ct, no monitors
	proposed.Conduits[1].Services = []Service{{Proto: "udp"}}               // and no web out
	s, err := Simulate(current, proposed, hospitalDevices(), simulationFlows())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"10.0.130.10>10.0.200.10/tcp/104",   // critical, 100 packets
		"10.0.120.10>10.0.200.11/udp/24105", // critical, 50
		"10.0.20.100>198.51.100.1/tcp/443",  // 10
	}
	if diff := cmp.Diff(want, keys(s.Blocked)); diff != "" {
		t.Errorf("blocked (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{want[1], want[0]}, s.Critical); diff != "" {
		t.Errorf("critical (-want +got):\n%s", diff)
	}
	if !s.NeedsSignoff || !s.Blocked[0].Critical || s.Blocked[2].Critical {
		t.Errorf("needs sign-off %v, critical flags %v %v", s.NeedsSignoff, s.Blocked[0].Critical,
			s.Blocked[2].Critical)
	}
	// the monitor's flow goes to the RIS, of no workflow
	wantW := []WorkflowCount{{Workflow: "dicom-store", Flows: 1, Critical: 1}}
	if diff := cmp.Diff(wantW, s.Workflows); diff != "" {
		t.Errorf("workflows (-want +got):\n%s", diff)
	}
	back, err := Simulate(proposed, current, hospitalDevices(), simulationFlows())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, keys(back.Unblocked)); diff != "" {
		t.Errorf("unblocked going back (-want +got):\n%s", diff)
	}
	if len(back.Blocked) != 0 || back.NeedsSignoff {
		t.Errorf("going back blocks %v", keys(back.Blocked))
	}
}

func TestSimulateErrors(t *testing.T) {
	bad := hospital()
	bad.Rules[0].Zone = "nowhere"
	if _, err := Simulate(bad, hospital(), nil, nil); err == nil {
		t.Error("bad current: got no error")
	}
	if _, err := Simulate(nil, bad, nil, nil); err == nil {
		t.Error("bad proposed: got no error")
	}
}

func TestSignedOff(t *testing.T) {
	s := &Simulation{Critical: []string{"a", "b"}, NeedsSignoff: true}
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name   string
		so     []Signoff
		wantID int64 // 0 for none
	}{
		{"none", nil, 0},
		{"covers", []Signoff{{ID: 1, PolicyDigest: "d", At: at(1), Flows: []string{"b", "a", "c"}}}, 1},
		{"digest mismatch", []Signoff{{ID: 1, PolicyDigest: "other", At: at(1),
			Flows: []string{"a", "b"}}}, 0},
		{"missing key", []Signoff{{ID: 1, PolicyDigest: "d", At: at(1), Flows: []string{"a"}}}, 0},
		{"newest wins", []Signoff{
			{ID: 1, PolicyDigest: "d", At: at(1), Flows: []string{"a", "b"}},
			{ID: 2, PolicyDigest: "d", At: at(3), Flows: []string{"a", "b"}},
			{ID: 3, PolicyDigest: "d", At: at(2), Flows: []string{"a", "b"}},
			{ID: 4, PolicyDigest: "d", At: at(9), Flows: []string{"a"}},
		}, 2},
		{"same time: the later id", []Signoff{
			{ID: 7, PolicyDigest: "d", At: at(1), Flows: []string{"a", "b"}},
			{ID: 5, PolicyDigest: "d", At: at(1), Flows: []string{"a", "b"}},
		}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.SignedOff("d", tt.so)
			switch {
			case tt.wantID == 0 && (ok || got != nil):
				t.Errorf("got %+v, want none", got)
			case tt.wantID != 0 && (!ok || got.ID != tt.wantID):
				t.Errorf("got %+v %v, want sign-off %d", got, ok, tt.wantID)
			}
		})
	}
}
