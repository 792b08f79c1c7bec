package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/demo"
	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/store"
	"github.com/wardhq/ward/internal/web"
)

var demoCommand = &command{
	name:    "demo",
	summary: "serve a demo NHS trust: a generated capture and an out-of-date asset register",
	usage: "[-listen ADDR] [-data DIR] [-seed N]\n\n" +
		"Without -data the demo lives in a temporary directory, removed on exit.",
	flags: demoFlags,
}

func demoFlags(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	so := addServeFlags(fs)
	dir := fs.String("data", "", "keep the demo's data in this `directory` (default: a temporary one)")
	seed := fs.Int64("seed", 1, "`seed` of the demo trust's addresses, serials and timings")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("demo", "demo takes no arguments")
		}
		start := time.Now()
		path := *dir
		if path == "" {
			tmp, err := os.MkdirTemp("", "ward-demo-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			path = tmp
		}
		empty := ""
		d, err := dataFlags{dir: &path, database: &empty}.open(ctx, e)
		if err != nil {
			return err
		}
		defer d.close()
		logins, err := seedDemo(ctx, e, d, *seed)
		if err != nil {
			return err
		}
		if err := demoFeeds(ctx, e, d, so); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Demo trust ready in %.1f s.\n", time.Since(start).Seconds())
		for _, l := range logins {
			fmt.Fprintf(e.stdout, "  sign in as %-9s password %s  (%s)\n", l[0], l[1], l[2])
		}
		return serve(ctx, e, d, so, nil)
	}
}

// demoAdvisories is where a clone of the repository keeps CISA's 144 ICS
// medical advisories; run from the clone, the demo imports them.
const demoAdvisories = "internal/match/testdata/advisories/icsma"

// demoFeeds imports the advisories the demo matches its devices against:
// -feeds when given (and watched while serving), else demoAdvisories when
// the demo runs from a clone of the repository.
func demoFeeds(ctx context.Context, e *env, d *data, so serveOptions) error {
	dir := *so.feeds
	if dir == "" {
		if st, err := os.Stat(demoAdvisories); err != nil || !st.IsDir() {
			return nil
		}
		dir = demoAdvisories
	}
	svc := &ingest.Service{DB: d.db, Chain: d.chain(), Log: e.log}
	res, err := svc.ImportFeeds(ctx, dir, advisory.LoadOptions{}, "demo")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Imported %d advisories from %s: %d device vulnerabilities found.\n",
		res.Advisories.Added+res.Advisories.Updated+res.Advisories.Unchanged, dir, res.Findings.Findings)
	return nil
}

// seedDemo fills an empty store with the demo trust: its capture, its
// sites and wards with most devices placed, its register, and two users.
// It returns the users' names, passwords and roles.
func seedDemo(ctx context.Context, e *env, d *data, seed int64) ([][3]string, error) {
	users, err := d.db.Users(ctx)
	if err != nil {
		return nil, err
	}
	if len(users) > 0 {
		return nil, fmt.Errorf("demo: %s already holds data; give an empty -data directory", d.dir)
	}
	var pcap bytes.Buffer
	opts := demo.Options{Seed: seed, Start: time.Now().Add(-time.Hour).Truncate(time.Second)}
	devs, err := demo.Write(&pcap, opts)
	if err != nil {
		return nil, err
	}
	svc := &ingest.Service{DB: d.db, Chain: d.chain(), Log: e.log}
	if _, err := svc.Capture(ctx, &pcap, "ward-valley-trust.pcap", "demo"); err != nil {
		return nil, err
	}
	if err := placeDemo(ctx, d.db, devs); err != nil {
		return nil, err
	}
	reg := demo.Register(devs, seed)
	if _, err := svc.Register(ctx, bytes.NewReader(reg), "cmms-export-2025-09.csv", "", "demo"); err != nil {
		return nil, err
	}
	var out [][3]string
	for _, u := range []struct {
		name string
		role auth.Role
	}{{"admin", auth.RoleAdmin}, {"auditor", auth.RoleAuditor}} {
		_, pw, err := web.CreateUser(ctx, d.db, u.name, store.Grant{Role: u.role})
		if err != nil {
			return nil, err
		}
		out = append(out, [3]string{u.name, pw, string(u.role)})
	}
	return out, nil
}

// placeDemo builds the trust's location tree and places nine devices in
// ten where the plan put them; the rest wait for someone to place them.
func placeDemo(ctx context.Context, db *store.DB, devs []demo.Device) error {
	ids := map[string]int64{}
	place := func(kind store.LocationKind, parent int64, key, name string) (int64, error) {
		if id, ok := ids[key]; ok {
			return id, nil
		}
		l, err := db.AddLocation(ctx, store.Location{Kind: kind, ParentID: parent, Name: name})
		if err != nil {
			return 0, err
		}
		ids[key] = l.ID
		return l.ID, nil
	}
	for i, dv := range devs {
		site, err := place(store.Site, 0, dv.Site, dv.Site)
		if err != nil {
			return err
		}
		b, err := place(store.Building, site, dv.Site+"/"+dv.Building, dv.Building)
		if err != nil {
			return err
		}
		w, err := place(store.Ward, b, dv.Site+"/"+dv.Building+"/"+dv.Ward, dv.Ward)
		if err != nil {
			return err
		}
		if i%10 == 9 {
			continue
		}
		id := "mac:" + dissect.MAC(dv.MAC).String()
		if err := db.SetDeviceLocation(ctx, id, w); err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}
