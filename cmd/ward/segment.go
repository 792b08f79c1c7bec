package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/observe"
	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

var segmentCommand = &command{
	name:    "segment",
	summary: "check flows against a segmentation policy, draft one, export firewall rules",
	usage: "SUBCOMMAND [flags] [CAPTURE...]\n\n" +
		"  check    [-policy FILE] [-data DIR | CAPTURE...] [-format table|json] [-strict]\n" +
		"  learn    [-policy BASE] [-data DIR | CAPTURE...] > proposed.yaml     least-privilege draft\n" +
		"  export   [-policy FILE] [-data DIR | CAPTURE...] -format nftables|cisco [-mode enforce|log]\n" +
		"  simulate -policy NEW [-current OLD] [-data DIR | CAPTURE...] [-format table|json]\n" +
		"  signoff  -policy FILE -data DIR -user NAME -hazard TEXT -reasoning TEXT\n" +
		"  import   -policy FILE -data DIR [-note TEXT]   make FILE the policy in force\n" +
		"  show     -data DIR                             print the policy in force\n" +
		"  template                                       print the hospital template\n\n" +
		"Devices and flows come from the captures given, else from the store (-data or\n" +
		"-database). Zones defined by addresses alone need neither for export. Without -policy,\n" +
		"check and export use the policy in force in the store, and learn the template's zones.\n" +
		"Enforcing rules that block flows of life-sustaining or diagnostic devices need a\n" +
		"clinical safety sign-off recorded in the store (signoff, or the web UI); -mode log\n" +
		"never does.",
	flags: segmentFlags,
}

// segmentOptions are the flags of every segment subcommand.
type segmentOptions struct {
	df                       dataFlags
	policy, current, format  *string
	mode, user, hazard, note *string
	reasoning                *string
	strict                   *bool
	workers                  *int
}

func segmentFlags(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	o := segmentOptions{df: addDataFlags(fs)}
	o.policy = fs.String("policy", "", "segmentation policy `file` (YAML)")
	o.current = fs.String("current", "", "simulate: the policy `file` in force now "+
		"(default: the store's, or a flat network)")
	o.format = fs.String("format", "", "output `format`: check and simulate table or json; "+
		"export nftables or cisco")
	o.mode = fs.String("mode", "enforce", "export: enforce, or log to log what would be "+
		"dropped and drop nothing")
	o.user = fs.String("user", "", "signoff: the Ward `user` signing off, who must hold "+
		"the clinical-safety-officer role")
	o.hazard = fs.String("hazard", "", "signoff: the hazard, for the DCB0160 hazard log")
	o.reasoning = fs.String("reasoning", "", "signoff: why the residual risk is acceptable")
	o.note = fs.String("note", "", "import: why the policy changed")
	o.strict = fs.Bool("strict", false, "check: exit with status 3 when there are violations")
	o.workers = fs.Int("workers", 0, "decoding goroutines (`n`) for captures; 0 means one per CPU")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("segment", "segment needs a subcommand: check, learn, export, "+
				"simulate, signoff, import, show or template")
		}
		sub := args[0]
		if err := fs.Parse(args[1:]); err != nil {
			return usagef("segment", "%v", err)
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		r := &segmentRun{e: e, o: o, set: set, captures: fs.Args()}
		switch sub {
		case "check":
			return r.check(ctx)
		case "learn":
			return r.learn(ctx)
		case "export":
			return r.export(ctx)
		case "simulate":
			return r.simulate(ctx)
		case "signoff":
			return r.signoff(ctx)
		case "import":
			return r.importPolicy(ctx)
		case "show":
			return r.show(ctx)
		case "template":
			return r.template()
		}
		return usagef("segment", "unknown subcommand %q: want check, learn, export, simulate, "+
			"signoff, import, show or template", sub)
	}
}

// segmentRun is one run of a segment subcommand.
type segmentRun struct {
	e        *env
	o        segmentOptions
	set      map[string]bool // the flags given
	captures []string
	data     *data // the open store, when one is used
}

// errViolations is returned by check -strict when it found violations.
var errViolations = &exitStatus{code: 3, err: errors.New("the policy has violations")}

// input is what a subcommand evaluates: devices and flows, and where they
// came from.
type input struct {
	devs    []segment.Device
	flows   []segment.Flow
	sources []string
}

// useStore reports whether devices and flows come from the store: no
// capture is given, and a store was named or the default one exists.
func (r *segmentRun) useStore() bool {
	if len(r.captures) > 0 {
		return false
	}
	if r.set["data"] || r.set["database"] || os.Getenv("WARD_DATABASE") != "" {
		return true
	}
	_, err := os.Stat(*r.o.df.dir)
	return err == nil
}

func (r *segmentRun) openStore(ctx context.Context) (*data, error) {
	if r.data != nil {
		return r.data, nil
	}
	d, err := r.o.df.open(ctx, r.e)
	if err != nil {
		return nil, err
	}
	r.data = d
	return d, nil
}

func (r *segmentRun) close() {
	if r.data != nil {
		r.data.close()
	}
}

func (r *segmentRun) service(ctx context.Context) (*ingest.Service, error) {
	d, err := r.openStore(ctx)
	if err != nil {
		return nil, err
	}
	return &ingest.Service{DB: d.db, Chain: d.chain(), Log: r.e.log}, nil
}

// load reads the devices and flows: from the captures, else the store;
// need says whether having neither is an error.
func (r *segmentRun) load(ctx context.Context, need bool) (*input, error) {
	if len(r.captures) > 0 {
		return r.analyse(ctx)
	}
	if !r.useStore() {
		if need {
			return nil, usagef("segment", "no flows to read: give captures or -data DIR")
		}
		return &input{}, nil
	}
	svc, err := r.service(ctx)
	if err != nil {
		return nil, err
	}
	devs, flows, err := svc.StoredInput(ctx)
	if err != nil {
		return nil, err
	}
	return &input{devs: devs, flows: flows, sources: []string{"store"}}, nil
}

// analyse runs the capture pipeline over the captures given.
func (r *segmentRun) analyse(ctx context.Context) (*input, error) {
	tuneGC()
	cfg := observe.Config{Workers: *r.o.workers, Logger: r.e.log, Stdin: r.e.stdin}
	res, err := observe.Run(ctx, cfg, r.captures)
	if res == nil || errors.Is(err, observe.ErrNothingRead) {
		return nil, err
	}
	if err := analyzeError(r.e, res, err); err != nil {
		return nil, err
	}
	inv := inventory.Build(res, inventory.Options{})
	devs, flows := ingest.SegmentInput(inv, res.Flows)
	return &input{devs: devs, flows: flows, sources: slices.Clone(r.captures)}, nil
}

// readPolicy reads and validates a policy file.
func readPolicy(path string) (*segment.Policy, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("policy: %w", err)
	}
	p, err := segment.Parse(b, path)
	if err != nil {
		return nil, nil, err
	}
	return p, b, nil
}

// policy reads -policy, or the policy in force when it is not given and a
// store is used.
func (r *segmentRun) policy(ctx context.Context, fallback string) (*segment.Policy, error) {
	if *r.o.policy != "" {
		p, _, err := readPolicy(*r.o.policy)
		return p, err
	}
	switch fallback {
	case "store":
		if !r.useStore() {
			return nil, usagef("segment", "give -policy FILE, or -data DIR to use the policy "+
				"in force")
		}
		d, err := r.openStore(ctx)
		if err != nil {
			return nil, err
		}
		v, err := d.db.CurrentPolicy(ctx)
		if isNotFound(err) {
			return nil, errors.New("no policy is in force in the store: give -policy FILE " +
				"or save one (ward segment import)")
		}
		if err != nil {
			return nil, err
		}
		return segment.Parse([]byte(v.YAML), "policy in force")
	case "template":
		return segment.Template(), nil
	}
	return nil, usagef("segment", "-policy FILE is needed")
}

func (r *segmentRun) check(ctx context.Context) error {
	defer r.close()
	format, err := pickFormat(*r.o.format, "table", "table", "json")
	if err != nil {
		return err
	}
	p, err := r.policy(ctx, "store")
	if err != nil {
		return err
	}
	in, err := r.load(ctx, true)
	if err != nil {
		return err
	}
	ev, err := segment.Compile(p, in.devs)
	if err != nil {
		return err
	}
	rep := ev.Check(in.flows)
	if err := writeCheck(r.e.stdout, format, rep); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if *r.o.strict && len(rep.Violations) > 0 {
		return errViolations
	}
	return nil
}

// checkOutput is the JSON of "ward segment check": {"violations": [...]}
// and, beside it, the figures.
type checkOutput struct {
	Violations []segment.Violation `json:"violations"`
	Summary    checkSummary        `json:"summary"`
	Pairs      []segment.PairCount `json:"pairs"`
}

type checkSummary struct {
	Flows          int        `json:"flows"`
	Allowed        int        `json:"allowed"`
	Infrastructure int        `json:"infrastructure"`
	NotRouted      int        `json:"not_routed"`
	Violating      int        `json:"violating"`
	From           *time.Time `json:"from,omitempty"`
	To             *time.Time `json:"to,omitempty"`
}

func writeCheck(w io.Writer, format string, rep *segment.Report) error {
	if format == "json" {
		out := checkOutput{Violations: rep.Violations, Pairs: rep.Pairs, Summary: checkSummary{
			Flows: rep.Flows, Allowed: rep.Allowed, Infrastructure: rep.Infrastructure,
			NotRouted: rep.NotRouted, Violating: rep.Violating}}
		if out.Violations == nil {
			out.Violations = []segment.Violation{}
		}
		if !rep.From.IsZero() {
			out.Summary.From, out.Summary.To = &rep.From, &rep.To
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(w, "%d flows: %d allowed by conduits, %d infrastructure, %d not routed, "+
		"%d violations\n", rep.Flows, rep.Allowed, rep.Infrastructure, rep.NotRouted, rep.Violating)
	if len(rep.Violations) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	return printTable(w, violationRows(rep.Violations, ""), terminalWidth(w))
}

func violationRows(vs []segment.Violation, extra string) [][]string {
	head := []string{"SOURCE", "SRC ZONE", "DESTINATION", "DST ZONE", "SERVICE", "APP",
		"PACKETS", "FIRST SEEN", "LAST SEEN"}
	if extra != "" {
		head = append(head, extra)
	}
	rows := [][]string{head}
	for _, v := range vs {
		row := []string{endName(v.Source), v.Source.Zone, endName(v.Destination),
			v.Destination.Zone, v.Protocol + "/" + strconv.Itoa(int(v.Port)), v.Application,
			strconv.FormatUint(v.Packets, 10), when(v.FirstSeen), when(v.LastSeen)}
		if extra != "" {
			row = append(row, v.Workflow)
		}
		rows = append(rows, row)
	}
	return rows
}

func endName(p segment.Endpoint) string {
	if p.Name != "" {
		return p.Address + " (" + p.Name + ")"
	}
	return p.Address
}

// when is a time for a table: to the second, UTC.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

func pickFormat(v, def string, allowed ...string) (string, error) {
	if v == "" {
		v = def
	}
	if !slices.Contains(allowed, v) {
		return "", usagef("segment", "bad -format %q: want %s", v, strings.Join(allowed, " or "))
	}
	return v, nil
}

func (r *segmentRun) learn(ctx context.Context) error {
	defer r.close()
	base, err := r.policy(ctx, "template")
	if err != nil {
		return err
	}
	in, err := r.load(ctx, true)
	if err != nil {
		return err
	}
	p, err := segment.Learn(base, in.devs, in.flows, segment.LearnOptions{Sources: in.sources})
	if err != nil {
		return err
	}
	b, err := segment.Marshal(p)
	if err != nil {
		return err
	}
	if _, err := r.e.stdout.Write(b); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	fmt.Fprintf(r.e.stderr, "ward: drafted %d conduits from %d flows; review before use\n",
		len(p.Conduits), len(in.flows))
	return nil
}

func (r *segmentRun) export(ctx context.Context) error {
	defer r.close()
	format, err := pickFormat(*r.o.format, "", "nftables", "cisco")
	if err != nil {
		return err
	}
	if *r.o.mode != "enforce" && *r.o.mode != "log" {
		return usagef("segment", "bad -mode %q: want enforce or log", *r.o.mode)
	}
	p, err := r.policy(ctx, "store")
	if err != nil {
		return err
	}
	in, err := r.load(ctx, false)
	if err != nil {
		return err
	}
	ev, err := segment.Compile(p, in.devs)
	if err != nil {
		return err
	}
	o := segment.ExportOptions{LogOnly: *r.o.mode == "log", Digest: p.Digest(),
		Generated: time.Now().UTC()}
	if !o.LogOnly {
		if err := r.checkSignoff(ctx, p, in, o.Digest); err != nil {
			return err
		}
	}
	gen := segment.NFTables
	if format == "cisco" {
		gen = segment.Cisco
	}
	out, err := gen(p, ev.Book(), o)
	if err != nil {
		return err
	}
	if _, err := r.e.stdout.Write(out); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if r.data != nil {
		recordCLI(ctx, r.e, r.data, "segment.export", o.Digest, map[string]any{
			"format": format, "log_only": o.LogOnly, "bytes": len(out)})
	}
	return nil
}

// checkSignoff refuses enforcing rules that block critical flows without
// a sign-off in the store that covers them.
func (r *segmentRun) checkSignoff(ctx context.Context, p *segment.Policy, in *input,
	digest string) error {
	err := ingest.CheckSignoff(p, in.devs, in.flows, digest, func() ([]segment.Signoff, error) {
		if r.data == nil && !r.useStore() && !r.set["data"] {
			return nil, nil // no store: no sign-off
		}
		d, err := r.openStore(ctx)
		if err != nil {
			return nil, err
		}
		return d.db.Signoffs(ctx, digest)
	})
	var se *ingest.SignoffError
	if !errors.As(err, &se) {
		return err
	}
	fmt.Fprintf(r.e.stderr, "ward: the policy blocks %d flows of life-sustaining or diagnostic "+
		"devices:\n", len(se.Flows))
	for i, k := range se.Flows {
		if i == 10 {
			fmt.Fprintf(r.e.stderr, "  … and %d more\n", len(se.Flows)-10)
			break
		}
		fmt.Fprintf(r.e.stderr, "  %s\n", k)
	}
	fmt.Fprintln(r.e.stderr, "ward: a clinical safety officer must sign it off first "+
		"(ward segment signoff, or the web UI), or export with -mode log")
	return err
}

func (r *segmentRun) simulate(ctx context.Context) error {
	defer r.close()
	format, err := pickFormat(*r.o.format, "table", "table", "json")
	if err != nil {
		return err
	}
	proposed, err := r.policy(ctx, "")
	if err != nil {
		return err
	}
	in, err := r.load(ctx, true)
	if err != nil {
		return err
	}
	current, err := r.currentPolicy(ctx)
	if err != nil {
		return err
	}
	sim, err := segment.Simulate(current, proposed, in.devs, in.flows)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(r.e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sim)
	}
	return writeSimulation(r.e.stdout, sim, current == nil)
}

// currentPolicy is -current, else the store's policy in force when the
// store is used; nil (a flat network) otherwise.
func (r *segmentRun) currentPolicy(ctx context.Context) (*segment.Policy, error) {
	if *r.o.current != "" {
		p, _, err := readPolicy(*r.o.current)
		return p, err
	}
	if r.data == nil {
		return nil, nil
	}
	v, err := r.data.db.CurrentPolicy(ctx)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return segment.Parse([]byte(v.YAML), "policy in force")
}

func writeSimulation(w io.Writer, sim *segment.Simulation, flat bool) error {
	against := "the policy in force"
	if flat {
		against = "a flat network"
	}
	fmt.Fprintf(w, "Compared with %s, the policy would block %d observed flows (%d of "+
		"life-sustaining or diagnostic devices) and newly allow %d.\n", against,
		len(sim.Blocked), len(sim.Critical), len(sim.Unblocked))
	if sim.NeedsSignoff {
		fmt.Fprintln(w, "Enforcing it needs a clinical safety sign-off (DCB0160).")
	}
	if len(sim.Workflows) > 0 {
		fmt.Fprintln(w)
		rows := [][]string{{"WORKFLOW", "FLOWS BLOCKED", "CRITICAL"}}
		for _, c := range sim.Workflows {
			name := c.Workflow
			if name == "" {
				name = "(none known)"
			}
			rows = append(rows, []string{name, strconv.Itoa(c.Flows), strconv.Itoa(c.Critical)})
		}
		if err := printTable(w, rows, terminalWidth(w)); err != nil {
			return err
		}
	}
	if len(sim.Blocked) == 0 {
		return nil
	}
	vs := make([]segment.Violation, len(sim.Blocked))
	for i, c := range sim.Blocked {
		vs[i] = c.Violation
	}
	fmt.Fprintln(w)
	return printTable(w, violationRows(vs, "WORKFLOW"), terminalWidth(w))
}

func (r *segmentRun) signoff(ctx context.Context) error {
	defer r.close()
	if *r.o.policy == "" || *r.o.user == "" || strings.TrimSpace(*r.o.hazard) == "" ||
		strings.TrimSpace(*r.o.reasoning) == "" {
		return usagef("segment", "signoff needs -policy, -user, -hazard and -reasoning")
	}
	p, _, err := readPolicy(*r.o.policy)
	if err != nil {
		return err
	}
	svc, err := r.service(ctx)
	if err != nil {
		return err
	}
	if err := mayClinicallySignOff(ctx, r.data.db, *r.o.user); err != nil {
		return err
	}
	so, err := svc.SignOff(ctx, p, *r.o.user, *r.o.hazard, *r.o.reasoning)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.e.stdout, "signed off %s by %s at %s, covering %d critical flows\n",
		so.PolicyDigest, so.By, so.At.Format(time.RFC3339), len(so.Flows))
	return nil
}

// mayClinicallySignOff checks that the named Ward user exists, is enabled
// and holds the clinical-safety-officer permission for every site.
func mayClinicallySignOff(ctx context.Context, db *store.DB, name string) error {
	u, err := db.UserByName(ctx, name)
	if isNotFound(err) {
		return fmt.Errorf("no Ward user %q", name)
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return fmt.Errorf("user %q is disabled", name)
	}
	for _, g := range u.Grants {
		if g.SiteID == 0 && auth.Allowed(g.Role, auth.PermClinicalSafety) {
			return nil
		}
	}
	return fmt.Errorf("user %q does not hold the clinical-safety-officer permission for every "+
		"site (grant the role with ward user)", name)
}

func (r *segmentRun) importPolicy(ctx context.Context) error {
	defer r.close()
	if *r.o.policy == "" {
		return usagef("segment", "import needs -policy FILE")
	}
	b, err := os.ReadFile(*r.o.policy)
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	if _, err := segment.Parse(b, *r.o.policy); err != nil {
		return err // nothing stored
	}
	svc, err := r.service(ctx)
	if err != nil {
		return err
	}
	v, err := svc.SavePolicy(ctx, b, cliActor(), *r.o.note)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.e.stdout, "policy version %d (%s) is in force\n", v.ID, v.Digest)
	return nil
}

func (r *segmentRun) show(ctx context.Context) error {
	defer r.close()
	d, err := r.openStore(ctx)
	if err != nil {
		return err
	}
	v, err := d.db.CurrentPolicy(ctx)
	if isNotFound(err) {
		return errors.New("no policy is in force in the store")
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(r.e.stdout, v.YAML)
	return err
}

func (r *segmentRun) template() error {
	b, err := segment.Marshal(segment.Template())
	if err != nil {
		return err
	}
	_, err = r.e.stdout.Write(b)
	return err
}
