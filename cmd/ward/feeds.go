package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/ingest"
)

var feedsCommand = &command{
	name:    "feeds",
	summary: "import advisories, KEV, EPSS, SBOMs and VEX, and match the devices",
	usage: "import [-data DIR | -database postgres://…] [-keys FILE] [-watch] PATH\n\n" +
		"PATH is a file or a folder of CSAF 2.0 advisories, NVD CVE records, CISA's KEV\n" +
		"catalogue, EPSS scores, CycloneDX SBOMs and VEX, OpenVEX. Everything is read from\n" +
		"files; nothing is fetched. A newer revision of an advisory replaces the older and\n" +
		"keeps the rulings made on it. Every device is then matched again. With -watch the\n" +
		"folder is imported again whenever a file in it changes, until interrupted.",
	flags: feedsFlags,
}

func feedsFlags(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	df := addDataFlags(fs)
	keys := fs.String("keys", "", "OpenPGP public keys `file`: check CSAF documents' .asc signatures")
	require := fs.Bool("require-signature", false, "refuse CSAF documents without a good signature")
	watch := fs.Bool("watch", false, "keep watching the folder and import again on change")
	every := fs.Duration("every", time.Minute, "with -watch, how often to look (`duration`)")
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 || args[0] != "import" {
			return usagef("feeds", "usage: ward feeds import [flags] PATH")
		}
		// Flags may come after "import" too.
		if err := fs.Parse(args[1:]); err != nil {
			return usagef("feeds", "%v", err)
		}
		if fs.NArg() != 1 {
			return usagef("feeds", "usage: ward feeds import [flags] PATH")
		}
		path := fs.Arg(0)
		opts := advisory.LoadOptions{RequireSignature: *require}
		if *keys != "" {
			k, err := readKeys(*keys)
			if err != nil {
				return err
			}
			opts.Keys = k
		}
		if isTerminal(e.stderr) {
			opts.Progress = func(done, total int, file string) {
				fmt.Fprintf(e.stderr, "\r%d/%d files", done, total)
				if done == total {
					fmt.Fprint(e.stderr, "\r\033[K")
				}
			}
		}
		d, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer d.close()
		svc := &ingest.Service{DB: d.db, Chain: d.chain(), Log: e.log}
		report := func(res ingest.FeedsResult, err error) { printFeeds(e, res, err, *jsonOut) }
		if *watch {
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			return svc.WatchFeeds(ctx, path, *every, opts, cliActor(), report)
		}
		res, err := svc.ImportFeeds(ctx, path, opts, cliActor())
		report(res, err)
		return err
	}
}

func readKeys(path string) (openpgp.EntityList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer f.Close()
	k, err := advisory.ReadKeys(f)
	if err != nil {
		return nil, fmt.Errorf("keys %s: %w", path, err)
	}
	return k, nil
}

func printFeeds(e *env, res ingest.FeedsResult, err error, asJSON bool) {
	for _, p := range res.Problems {
		fmt.Fprintf(e.stderr, "warning: skipped %s\n", p)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "ward: %v\n", err)
		return
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(res)
		return
	}
	a := res.Advisories
	fmt.Fprintf(e.stdout, "%s: %d files; advisories %d new, %d updated, %d unchanged",
		res.Path, res.Files, a.Added, a.Updated, a.Unchanged)
	if res.KEV > 0 {
		fmt.Fprintf(e.stdout, "; KEV %d entries", res.KEV)
	}
	if res.EPSS > 0 {
		fmt.Fprintf(e.stdout, "; EPSS %d scores", res.EPSS)
	}
	if res.SBOMs > 0 || res.VEX > 0 {
		fmt.Fprintf(e.stdout, "; %d SBOMs, %d VEX", res.SBOMs, res.VEX)
	}
	f := res.Findings
	fmt.Fprintf(e.stdout, "\nmatched %d devices: %d findings (%d new, %d gone)\n", f.Devices,
		f.Findings, f.Changes.New, f.Changes.Gone)
}
