//go:build linux

package segment

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The test of the nftables rules for real: network namespaces of its
// own, a router and three hosts in three zones, the generated ruleset
// loaded in the router, and TCP and UDP flows between the hosts, made by
// this test binary run again inside the hosts' namespaces
// (TestExportHelperProcess). Nothing runs outside the namespaces it
// creates, and it deletes them when done.

// exportPublicHost is a public address (TEST-NET-2) that h3 also holds,
// for flows from the internet zone.
const exportPublicHost = "198.51.100.7"

// exportNetnsPolicy is imaging, clinical-it and corporate, one host each
// (h1, h2, h3). h3 also holds 10.61.3.20, a device placed in imaging by
// category, and 10.61.3.30, an admin workstation (a narrowed end); h2
// holds the resolver, 10.61.2.53; h3 holds exportPublicHost too, in the
// internet zone, which may reach a portal but not the resolver.
func exportNetnsPolicy() (*Policy, *Book) {
	p := &Policy{
		Name: "netns",
		Zones: []Zone{{Name: "imaging"}, {Name: "clinical-it"}, {Name: "corporate"},
			{Name: "internet"}},
		Rules: []Rule{
			{Zone: "imaging", Subnets: exportPrefixes("10.61.1.0/24", "fd00:61:1::/64")},
			{Zone: "clinical-it", Subnets: exportPrefixes("10.61.2.0/24", "fd00:61:2::/64")},
			{Zone: "corporate", Subnets: exportPrefixes("10.61.3.0/24", "fd00:61:3::/64")},
			{Zone: "internet", Internet: true},
		},
		Conduits: []Conduit{
			{Name: "modalities-to-pacs", From: End{Zone: "imaging"}, To: End{Zone: "clinical-it"},
				Services: []Service{{Proto: "tcp", App: "dicom"}}},
			{Name: "alarms", From: End{Zone: "clinical-it"}, To: End{Zone: "imaging"},
				Services: []Service{exportUDP(7000)}},
			{Name: "admin", From: End{Zone: "corporate", Categories: []string{"admin-workstation"}},
				To: End{Zone: "clinical-it"}, Services: []Service{exportTCP(8443)}},
			{Name: "portal", From: End{Zone: "internet"}, To: End{Zone: "clinical-it"},
				Services: []Service{exportTCP(8443)}},
		},
		Infrastructure: Infrastructure{Resolvers: exportIPs("10.61.2.53"), ICMPErrors: true},
	}
	b := &Book{
		Hosts: map[string][]netip.Addr{
			"imaging":     exportIPs("10.61.1.10", "10.61.3.20", "fd00:61:1::10"),
			"clinical-it": exportIPs("10.61.2.10", "10.61.2.53", "fd00:61:2::10"),
			"corporate":   exportIPs("10.61.3.10", "10.61.3.30", "fd00:61:3::10"),
		},
		Ends: map[string][]netip.Addr{"corporate:admin-workstation": exportIPs("10.61.3.30")},
	}
	for i, r := range p.Rules {
		b.Subnets = append(b.Subnets, ZoneSubnet{Zone: r.Zone, Rule: i, Prefixes: r.Subnets,
			Internet: r.Internet})
	}
	return p, b
}

// exportFlow is a flow a host opens, and whether the rules let it through
// (and its answer back).
type exportFlow struct {
	name  string
	host  string // h1, h2 or h3
	src   string // source address, "" for the host's own
	dst   string // "tcp/10.61.2.10:104"
	allow bool
}

var exportFlows = []exportFlow{
	{"dicom imaging to pacs", "h1", "", "tcp/10.61.2.10:104", true},
	{"dicom imaging to pacs 11112", "h1", "", "tcp/10.61.2.10:11112", true},
	{"ssh imaging to pacs", "h1", "", "tcp/10.61.2.10:22", false},
	{"dicom corporate to imaging", "h3", "", "tcp/10.61.1.10:104", false},
	{"dicom pacs to imaging, the wrong way", "h2", "", "tcp/10.61.1.10:104", false},
	{"dicom from an imaging host on the corporate subnet", "h3", "10.61.3.20", "tcp/10.61.2.10:104", true},
	{"dicom corporate to pacs", "h3", "", "tcp/10.61.2.10:104", false},
	{"admin workstation to clinical-it", "h3", "10.61.3.30", "tcp/10.61.2.10:8443", true},
	{"other corporate host to clinical-it 8443", "h3", "", "tcp/10.61.2.10:8443", false},
	{"dns to the resolver", "h3", "", "udp/10.61.2.53:53", true},
	{"dns over tcp to the resolver", "h3", "", "tcp/10.61.2.53:53", true},
	{"dns to a host that is no resolver", "h3", "", "udp/10.61.2.10:53", false},
	{"portal from a public address", "h3", exportPublicHost, "tcp/10.61.2.10:8443", true},
	{"dns from a public address to the resolver", "h3", exportPublicHost, "udp/10.61.2.53:53", false},
	{"udp alarms clinical-it to imaging", "h2", "", "udp/10.61.1.10:7000", true},
	{"udp alarms the wrong way", "h1", "", "udp/10.61.2.10:7000", false},
	{"dicom over ipv6", "h1", "", "tcp/[fd00:61:2::10]:104", true},
	{"dicom over ipv6 corporate to imaging", "h3", "", "tcp/[fd00:61:1::10]:104", false},
}

// exportServers are the servers each host runs: TCP on every address,
// UDP on each address (so that answers leave from the address asked).
var exportServers = map[string][]string{
	"h1": {"tcp/:104", "udp/10.61.1.10:7000"},
	"h2": {"tcp/:104", "tcp/:11112", "tcp/:22", "tcp/:8443", "tcp/:53", "udp/10.61.2.53:53",
		"udp/10.61.2.10:53", "udp/10.61.2.10:7000"},
}

func TestExportNFTablesNetns(t *testing.T) {
	lab := newExportLab(t)
	p, b := exportNetnsPolicy()
	lab.run(lab.router, "nft", "add", "table", "inet", "other")
	lab.run(lab.router, "nft", "add", "set", "inet", "other", "keep", "{ type ipv4_addr; }")

	rules, err := NFTables(p, b, ExportOptions{Digest: "sha256:test"})
	if err != nil {
		t.Fatal(err)
	}
	lab.load(rules)
	first := lab.listWard()
	lab.load(rules)
	if second := lab.listWard(); second != first {
		t.Errorf("a second load changed table inet ward:\nfirst:\n%s\nsecond:\n%s", first, second)
	}
	lab.checkOther()

	t.Run("enforcing", func(t *testing.T) {
		for _, f := range exportFlows {
			t.Run(f.name, func(t *testing.T) {
				t.Parallel()
				lab.checkFlow(t, f, f.allow)
			})
		}
	})
	if n := lab.counter("pair_corporate_imaging"); n == 0 {
		t.Error("pair_corporate_imaging: the deny rule counted no packet")
	}

	rules, err = NFTables(p, b, ExportOptions{LogOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	lab.load(rules)
	lab.checkOther()
	if n := lab.counter("pair_corporate_imaging"); n != 0 {
		t.Errorf("pair_corporate_imaging after a new load: got %d packets counted, want 0", n)
	}
	t.Run("log-only", func(t *testing.T) {
		lab.checkFlow(t, exportFlows[3], true)
	})
	if n := lab.counter("pair_corporate_imaging"); n == 0 {
		t.Error("log-only: pair_corporate_imaging: the log rule counted no packet")
	}
}

// exportLab is the namespaces of one test.
type exportLab struct {
	t      *testing.T
	router string
	hosts  map[string]string // h1 → namespace
	exe    string
}

func newExportLab(t *testing.T) *exportLab {
	t.Helper()
	if os.Geteuid() != 0 {
		exportNeedNetns(t, "network namespaces need root: nftables not tested for real")
	}
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			exportNeedNetns(t, tool+" not installed: nftables not tested for real")
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("ward-t-%d-", os.Getpid())
	lab := &exportLab{t: t, router: base + "r", hosts: map[string]string{}, exe: exe}
	if out, err := exec.Command("ip", "netns", "add", lab.router).CombinedOutput(); err != nil {
		exportNeedNetns(t, "ip netns add: "+strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { lab.delete(lab.router) })
	if out, err := lab.exec(lab.router, "nft", "list", "ruleset"); err != nil {
		exportNeedNetns(t, "the kernel lacks nftables: "+strings.TrimSpace(out))
	}
	lab.run(lab.router, "ip", "link", "set", "lo", "up")
	lab.run(lab.router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1",
		"net.ipv6.conf.all.forwarding=1")
	extra := map[string][]string{"h2": {"10.61.2.53/24"},
		"h3": {"10.61.3.20/24", "10.61.3.30/24", exportPublicHost + "/32"}}
	for i, h := range []string{"h1", "h2", "h3"} {
		lab.addHost(h, i+1, extra[h])
	}
	// The public address behind h3 stands for the internet.
	lab.run(lab.router, "ip", "route", "add", exportPublicHost+"/32", "dev", "v3")
	for h, specs := range exportServers {
		lab.serve(h, specs)
	}
	return lab
}

func (lab *exportLab) delete(ns string) {
	if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
		lab.t.Errorf("ip netns del %s: %v: %s", ns, err, out)
	}
}

// addHost makes host h of zone n: 10.61.n.10 and fd00:61:n::10 on a veth
// to the router, which is .1.
func (lab *exportLab) addHost(h string, n int, extra []string) {
	ns := strings.TrimSuffix(lab.router, "r") + h
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		lab.t.Fatalf("ip netns add %s: %v: %s", ns, err, out)
	}
	lab.t.Cleanup(func() { lab.delete(ns) })
	lab.hosts[h] = ns
	v, net4, net6 := "v"+strconv.Itoa(n), "10.61."+strconv.Itoa(n)+".", "fd00:61:"+strconv.Itoa(n)+"::"
	lab.run(lab.router, "ip", "link", "add", v, "type", "veth", "peer", "name", "eth0", "netns", ns)
	lab.run(lab.router, "ip", "addr", "add", net4+"1/24", "dev", v)
	lab.run(lab.router, "ip", "addr", "add", net6+"1/64", "dev", v, "nodad")
	lab.run(lab.router, "ip", "link", "set", v, "up")
	lab.run(ns, "ip", "link", "set", "lo", "up")
	for _, a := range append([]string{net4 + "10/24"}, extra...) {
		lab.run(ns, "ip", "addr", "add", a, "dev", "eth0")
	}
	lab.run(ns, "ip", "addr", "add", net6+"10/64", "dev", "eth0", "nodad")
	lab.run(ns, "ip", "link", "set", "eth0", "up")
	lab.run(ns, "ip", "route", "add", "default", "via", net4+"1")
	lab.run(ns, "ip", "-6", "route", "add", "default", "via", net6+"1")
}

func (lab *exportLab) exec(ns string, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
	return string(out), err
}

func (lab *exportLab) run(ns string, args ...string) string {
	lab.t.Helper()
	out, err := lab.exec(ns, args...)
	if err != nil {
		lab.t.Fatalf("%s: %s: %v\n%s", ns, strings.Join(args, " "), err, out)
	}
	return out
}

// load loads a ruleset in the router.
func (lab *exportLab) load(rules []byte) {
	lab.t.Helper()
	path := filepath.Join(lab.t.TempDir(), "ward.nft")
	if err := os.WriteFile(path, rules, 0o600); err != nil {
		lab.t.Fatal(err)
	}
	lab.run(lab.router, "nft", "-f", path)
}

var exportCounters = regexp.MustCompile(`counter packets \d+ bytes \d+`)

// listWard lists table inet ward with its counters zeroed.
func (lab *exportLab) listWard() string {
	out := lab.run(lab.router, "nft", "list", "table", "inet", "ward")
	return exportCounters.ReplaceAllString(out, "counter packets 0 bytes 0")
}

// checkOther checks that table inet other survived a load.
func (lab *exportLab) checkOther() {
	lab.t.Helper()
	out := lab.run(lab.router, "nft", "list", "tables")
	for _, want := range []string{"table inet other", "table inet ward"} {
		if !strings.Contains(out, want) {
			lab.t.Errorf("nft list tables: got %q, want it to hold %q", out, want)
		}
	}
	lab.run(lab.router, "nft", "list", "set", "inet", "other", "keep")
}

var exportPacketCount = regexp.MustCompile(`counter packets (\d+)`)

// counter returns the packets counted in a chain of table inet ward.
func (lab *exportLab) counter(chain string) int {
	lab.t.Helper()
	out := lab.run(lab.router, "nft", "list", "chain", "inet", "ward", chain)
	m := exportPacketCount.FindStringSubmatch(out)
	if m == nil {
		lab.t.Fatalf("chain %s has no counter:\n%s", chain, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// serve starts host h's servers, and stops them when the test ends.
func (lab *exportLab) serve(h string, specs []string) {
	cmd := lab.helper(h, "serve", strings.Join(specs, ","))
	out, err := cmd.StdoutPipe()
	if err != nil {
		lab.t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		lab.t.Fatal(err)
	}
	lab.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		lab.t.Fatalf("servers of %s: got %q, %v, want ready", h, line, err)
	}
}

// helper returns the command that runs this test binary in host h's
// namespace as TestExportHelperProcess.
func (lab *exportLab) helper(h, mode, args string) *exec.Cmd {
	cmd := exec.Command("ip", "netns", "exec", lab.hosts[h], lab.exe,
		"-test.run=^TestExportHelperProcess$")
	cmd.Env = append(os.Environ(), "WARD_EXPORT_HELPER="+mode, "WARD_EXPORT_ARGS="+args)
	return cmd
}

// The exit codes of a dialling helper.
const (
	exportDialOK      = 0
	exportDialTimeout = 3
)

// checkFlow opens flow f and checks that it passes, its answer coming
// back, or that it times out (dropped: a refusal would mean it passed).
func (lab *exportLab) checkFlow(t *testing.T, f exportFlow, allow bool) {
	t.Helper()
	timeout := "1500ms"
	if allow {
		timeout = "5s"
	}
	cmd := lab.helper(f.host, "dial", f.dst+","+f.src+","+timeout)
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	switch {
	case allow && code != exportDialOK:
		t.Errorf("%s from %s: blocked (exit %d: %s), want it to pass", f.dst, f.host, code, out)
	case !allow && code != exportDialTimeout:
		t.Errorf("%s from %s: exit %d (%s), want it dropped (a timeout)", f.dst, f.host, code, out)
	}
}

// TestExportHelperProcess is the servers and clients of
// TestExportNFTablesNetns, run inside a host's namespace; it does nothing
// in a plain test run.
func TestExportHelperProcess(t *testing.T) {
	mode, args := os.Getenv("WARD_EXPORT_HELPER"), os.Getenv("WARD_EXPORT_ARGS")
	switch mode {
	case "":
		return
	case "serve":
		os.Exit(exportServe(strings.Split(args, ",")))
	case "dial":
		os.Exit(exportDial(strings.Split(args, ",")))
	}
	os.Exit(2)
}

// exportServe listens as specs say ("tcp/:104", "udp/10.61.2.53:53"),
// prints "ready" and answers "ok" to every connection or datagram until
// killed.
func exportServe(specs []string) int {
	for _, s := range specs {
		proto, addr, _ := strings.Cut(s, "/")
		if proto == "tcp" {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			go exportAccept(ln)
			continue
		}
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		go exportEcho(pc)
	}
	fmt.Println("ready")
	select {}
}

func exportAccept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = c.Write([]byte("ok\n"))
		_ = c.Close()
	}
}

func exportEcho(pc net.PacketConn) {
	buf := make([]byte, 64)
	for {
		_, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		_, _ = pc.WriteTo([]byte("ok\n"), from)
	}
}

// exportDial opens "tcp/ADDR:PORT" or "udp/ADDR:PORT" from a source
// address ("" for any), within a timeout, and exits 0 when the answer
// "ok" came back, exportDialTimeout when nothing did.
func exportDial(args []string) int {
	if len(args) != 3 {
		return 2
	}
	proto, addr, _ := strings.Cut(args[0], "/")
	timeout, err := time.ParseDuration(args[2])
	if err != nil {
		return 2
	}
	d := net.Dialer{Timeout: timeout}
	if args[1] != "" {
		ip := net.ParseIP(args[1])
		if proto == "tcp" {
			d.LocalAddr = &net.TCPAddr{IP: ip}
		} else {
			d.LocalAddr = &net.UDPAddr{IP: ip}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := d.DialContext(ctx, proto, addr)
	if err != nil {
		return exportDialFailed(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if proto == "udp" {
		if _, err := c.Write([]byte("ping\n")); err != nil {
			return exportDialFailed(err)
		}
	}
	buf := make([]byte, 3)
	if _, err := c.Read(buf); err != nil {
		return exportDialFailed(err)
	}
	if string(buf) != "ok\n" {
		fmt.Printf("answer %q\n", buf)
		return 1
	}
	return exportDialOK
}

func exportDialFailed(err error) int {
	fmt.Println(err)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return exportDialTimeout
	}
	return 1
}
