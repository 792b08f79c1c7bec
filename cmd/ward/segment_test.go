package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// segmentCaptures are real captures with clinical traffic: a ward's
// monitors, pumps and modalities recorded from real implementations, and
// the demo trust.
var segmentCaptures = []string{"../../testdata/captures/lab/clinical-ward7.pcap", demoCapture}

type checkJSON struct {
	Violations []struct {
		Source struct {
			Address, Device, Zone string
		}
		Destination struct {
			Address, Device, Zone string
		}
		Protocol    string
		Port        int
		Application string
		Packets     uint64
		FirstSeen   time.Time `json:"first_seen"`
		LastSeen    time.Time `json:"last_seen"`
	}
	Summary struct{ Flows, Violating int }
}

func checkOut(t *testing.T, args ...string) checkJSON {
	t.Helper()
	out, stderr, err := ward(t, nil, append([]string{"segment", "check", "--format", "json"},
		args...)...)
	if err != nil {
		t.Fatalf("segment check %v: %v\n%s", args, err, stderr)
	}
	var c checkJSON
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("segment check output is not the documented JSON: %v\n%s", err, out)
	}
	if !strings.HasPrefix(strings.TrimSpace(out), `{`) || !strings.Contains(out, `"violations"`) {
		t.Fatalf("output has no \"violations\" key:\n%.300s", out)
	}
	return c
}

// TestSegmentLearnCheck drafts a policy from each real capture and checks
// the capture against it: zero violations, and the draft states the time
// window it was learned from. The template policy, by contrast, finds
// violations with their documented fields.
func TestSegmentLearnCheck(t *testing.T) {
	dir := t.TempDir()
	for _, capture := range segmentCaptures {
		t.Run(filepath.Base(capture), func(t *testing.T) {
			out, stderr, err := ward(t, nil, "segment", "learn", capture)
			if err != nil {
				t.Fatalf("learn: %v\n%s", err, stderr)
			}
			for _, want := range []string{"learned:", "from:", "to:", "conduits:"} {
				if !strings.Contains(out, want) {
					t.Errorf("drafted policy lacks %q", want)
				}
			}
			policy := filepath.Join(dir, filepath.Base(capture)+".yaml")
			if err := os.WriteFile(policy, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
			c := checkOut(t, "--policy", policy, capture)
			if len(c.Violations) != 0 || c.Summary.Flows == 0 {
				t.Errorf("learned policy: %d violations over %d flows, want 0 over some",
					len(c.Violations), c.Summary.Flows)
			}

			tmpl := filepath.Join(dir, "template.yaml")
			out, _, err = ward(t, nil, "segment", "template")
			if err != nil || os.WriteFile(tmpl, []byte(out), 0o600) != nil {
				t.Fatalf("template: %v", err)
			}
			c = checkOut(t, "--policy", tmpl, capture)
			if len(c.Violations) == 0 {
				t.Fatal("the template allows every flow of the capture; want some violations")
			}
			v := c.Violations[0]
			if v.Source.Address == "" || v.Destination.Address == "" || v.Source.Zone == "" ||
				v.Destination.Zone == "" || v.Protocol == "" || v.Packets == 0 ||
				v.FirstSeen.IsZero() || v.LastSeen.Before(v.FirstSeen) {
				t.Errorf("violation lacks documented fields: %+v", v)
			}
		})
	}
}

// TestSegmentExport exports rules from a learned policy in both formats
// and log-only mode, and refuses enforcing rules that block critical
// flows without a sign-off.
func TestSegmentExport(t *testing.T) {
	dir := t.TempDir()
	capture := segmentCaptures[0]
	learned, _, err := ward(t, nil, "segment", "learn", capture)
	if err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(dir, "learned.yaml")
	os.WriteFile(policy, []byte(learned), 0o600)

	out, stderr, err := ward(t, nil, "segment", "export", "--policy", policy, "--format",
		"nftables", capture)
	if err != nil {
		t.Fatalf("export nftables: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "table inet ward") || strings.Contains(out, "flush ruleset") {
		t.Errorf("nftables output lacks its own table or flushes the ruleset:\n%.400s", out)
	}
	nftCheck(t, filepath.Join(dir, "learned.nft"), out)
	out, _, err = ward(t, nil, "segment", "export", "--policy", policy, "--format", "cisco", capture)
	if err != nil || !strings.Contains(out, "ip access-list extended") {
		t.Errorf("export cisco: %v\n%.400s", err, out)
	}

	// The template blocks the ward's clinical flows: enforcing it needs a
	// sign-off, logging it does not.
	tmpl := filepath.Join(dir, "template.yaml")
	out, _, _ = ward(t, nil, "segment", "template")
	os.WriteFile(tmpl, []byte(out), 0o600)
	_, stderr, err = ward(t, nil, "segment", "export", "--policy", tmpl, "--format", "nftables",
		capture)
	if err == nil || !strings.Contains(err.Error(), "sign-off") ||
		!strings.Contains(stderr, "clinical safety officer") {
		t.Errorf("enforcing export of the template: %v\n%s, want it refused for a sign-off", err, stderr)
	}
	out, _, err = ward(t, nil, "segment", "export", "--policy", tmpl, "--format", "nftables",
		"--mode", "log", capture)
	if err != nil || !strings.Contains(out, "would drop") {
		t.Errorf("log-only export: %v\n%.300s", err, out)
	}
	nftCheck(t, filepath.Join(dir, "template-log.nft"), out)
}

// TestSegmentStore runs the store's side: import a policy (a bad one
// changes nothing), check against the stored flows, sign off as a
// clinical safety officer (others may not), then export.
func TestSegmentStore(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "ward-data")
	capture := segmentCaptures[0]
	if _, stderr, err := ward(t, nil, "ingest", "--data", data, capture); err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr)
	}
	tmpl := filepath.Join(dir, "template.yaml")
	out, _, _ := ward(t, nil, "segment", "template")
	os.WriteFile(tmpl, []byte(out), 0o600)
	if out, stderr, err := ward(t, nil, "segment", "import", "--data", data, "--policy", tmpl,
		"--note", "first draft"); err != nil || !strings.Contains(out, "is in force") {
		t.Fatalf("import: %v %s\n%s", err, out, stderr)
	}

	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("ward_policy: 1\nzones:\n  - name: a\nconduits:\n"+
		"  - from: a\n    to: nowhere\n    services: [tcp/104]\n"), 0o600)
	_, _, err := ward(t, nil, "segment", "import", "--data", data, "--policy", bad)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:6") ||
		!strings.Contains(err.Error(), "nowhere") {
		t.Errorf("import of a bad policy: %v, want the file, line and unknown zone named", err)
	}
	shown, _, err := ward(t, nil, "segment", "show", "--data", data)
	if err != nil || shown != out {
		t.Errorf("after a bad import the policy in force changed (err %v)", err)
	}

	c := checkOut(t, "--data", data, "--policy", tmpl)
	if len(c.Violations) == 0 {
		t.Error("no violations of the template in the stored flows")
	}
	if inForce := checkOut(t, "--data", data); len(inForce.Violations) != len(c.Violations) {
		t.Errorf("check of the policy in force: %d violations, want the template's %d",
			len(inForce.Violations), len(c.Violations))
	}
	args := []string{"segment", "export", "--data", data, "--format", "nftables"}
	if _, _, err := ward(t, nil, args...); err == nil {
		t.Fatal("export of the policy in force without a sign-off succeeded")
	}

	ward(t, nil, "user", "add", "--data", data, "--role", "network", "nina")
	ward(t, nil, "user", "add", "--data", data, "--role", "clinical-safety-officer", "cora")
	sign := func(user string) error {
		_, _, err := ward(t, nil, "segment", "signoff", "--data", data, "--policy", tmpl,
			"--user", user, "--hazard", "Monitors cannot send alarms to the central station",
			"--reasoning", "Conduit reviewed with the ward manager; alarms fall back locally")
		return err
	}
	if err := sign("nina"); err == nil || !strings.Contains(err.Error(), "clinical-safety-officer") {
		t.Errorf("sign-off by a network engineer: %v, want refused", err)
	}
	if err := sign("cora"); err != nil {
		t.Fatalf("sign-off by the clinical safety officer: %v", err)
	}
	out, stderr, err := ward(t, nil, args...)
	if err != nil || !strings.Contains(out, "table inet ward") {
		t.Errorf("export after the sign-off: %v\n%s", err, stderr)
	}
}

// TestSegmentStrict checks -strict's exit status on violations.
func TestSegmentStrict(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "template.yaml")
	out, _, _ := ward(t, nil, "segment", "template")
	os.WriteFile(tmpl, []byte(out), 0o600)
	_, _, err := ward(t, nil, "segment", "check", "--policy", tmpl, "--strict", segmentCaptures[0])
	var st *exitStatus
	if !errors.As(err, &st) || st.code != 3 {
		t.Errorf("check -strict with violations: %v, want exit status 3", err)
	}
}

// nftCheck has nft check the ruleset (nft -c: parsed and validated by the
// kernel, not loaded) in a network namespace of its own, so that the
// host's ruleset is never touched. Without nft, or the rights to make a
// namespace, it skips unless WARD_REQUIRE_NETNS=1.
func nftCheck(t *testing.T, path, rules string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	skip := func(why string) {
		if os.Getenv("WARD_REQUIRE_NETNS") == "1" {
			t.Fatalf("nft check: %s (WARD_REQUIRE_NETNS=1)", why)
		}
		t.Logf("nft check skipped: %s", why)
	}
	if _, err := exec.LookPath("nft"); err != nil {
		skip("nft is not installed")
		return
	}
	if _, err := exec.LookPath("unshare"); err != nil || os.Geteuid() != 0 {
		skip("a network namespace needs root and unshare")
		return
	}
	out, err := exec.Command("unshare", "--net", "nft", "-c", "-f", path).CombinedOutput()
	if err != nil {
		t.Errorf("nft -c -f on the exported rules: %v\n%s", err, out)
	}
}
