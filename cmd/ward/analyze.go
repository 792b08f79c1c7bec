package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/observe"
)

var analyzeCommand = &command{
	name:    "analyze",
	summary: "read packet captures and print the devices in them",
	usage: "[-format table|json|csv] [-flows] FILE...\n\n" +
		"FILE is a pcap or pcapng capture, optionally gzip-compressed; - reads standard input.",
	flags: analyzeFlags,
}

func analyzeFlags(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	format := fs.String("format", "table", "output `format`: table, json or csv")
	flows := fs.Bool("flows", false, "also print the flows (conversations) between addresses")
	external := fs.Bool("external", false,
		"keep hosts with public addresses seen only behind a router")
	workers := fs.Int("workers", 0, "decoding goroutines (`n`); 0 means one per CPU")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to `file` (for performance reports)")
	progress := fs.String("progress", "auto",
		"progress bar on stderr (`mode`): auto (when stderr is a terminal), always or never")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("analyze", "analyze needs at least one capture file (or - for stdin)")
		}
		out, err := newWriter(*format)
		if err != nil {
			return usagef("analyze", "%v", err)
		}
		if *progress != "auto" && *progress != "always" && *progress != "never" {
			return usagef("analyze", "bad -progress %q: want auto, always or never", *progress)
		}
		if *cpuprofile != "" {
			stop, err := startProfile(*cpuprofile)
			if err != nil {
				return err
			}
			defer stop()
		}
		tuneGC()
		cfg := observe.Config{Workers: *workers, Logger: e.log, Stdin: e.stdin}
		bar := newProgressBar(e.stderr, *progress, args)
		if bar != nil {
			cfg.Progress = bar.update
		}
		start := time.Now()
		res, runErr := observe.Run(ctx, cfg, args)
		if bar != nil {
			bar.done(res, time.Since(start))
		}
		if res == nil || errors.Is(runErr, observe.ErrNothingRead) {
			return runErr // nothing to report
		}
		read := time.Since(start)
		inv := inventory.Build(res, inventory.Options{External: *external})
		built := time.Since(start)
		if err := out.write(e.stdout, report{inv: inv, res: res, flows: *flows}); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		e.log.Info("analyzed", "component", "analyze", "packets", res.Stats.Packets,
			"bytes", res.Stats.Bytes, "devices", len(inv.Devices), "flows", len(res.Flows),
			"read_seconds", read.Seconds(), "inventory_seconds", (built - read).Seconds(),
			"output_seconds", (time.Since(start) - built).Seconds())
		return analyzeError(e, res, runErr)
	}
}

// analyzeError decides the outcome once the output is written: problems in
// the input are reported, but only a run that read nothing fails.
func analyzeError(e *env, res *observe.Result, runErr error) error {
	if runErr == nil {
		return nil
	}
	if errors.Is(runErr, observe.ErrNothingRead) || res.Stats.Packets == 0 {
		return runErr
	}
	fmt.Fprintf(e.stderr, "ward: warning: some input could not be read (%d packets were):\n%v\n",
		res.Stats.Packets, runErr)
	return nil
}

func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
