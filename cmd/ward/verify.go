package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/wardhq/ward/internal/audit"
)

var verifyCommand = &command{
	name:    "verify",
	summary: "check the integrity of the store and of the audit log",
	usage: "[-data DIR | -database postgres://…] [-checkpoint FILE]\n\n" +
		"Reports every edited, removed, reordered or (against a checkpoint) truncated\n" +
		"audit entry; exits 1 when anything is wrong.",
	flags: verifyFlags,
}

func verifyFlags(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	df := addDataFlags(fs)
	checkpoint := fs.String("checkpoint", "", "a signed audit checkpoint `file` taken earlier "+
		"(from the audit page or -write-checkpoint), to catch entries cut off the end")
	write := fs.String("write-checkpoint", "", "after verifying, write a signed checkpoint of "+
		"the log's head to `file`, to keep away from the server")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("verify", "verify takes no arguments")
		}
		d, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer d.close()
		return verify(ctx, e, d, *checkpoint, *write)
	}
}

func verify(ctx context.Context, e *env, d *data, cpPath, writePath string) error {
	var cp *audit.Checkpoint
	if cpPath != "" {
		b, err := os.ReadFile(cpPath)
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if cp, err = audit.ParseCheckpoint(b); err != nil {
			return err
		}
		pub := d.keys.Signer.Public().(ed25519.PublicKey)
		if err := audit.VerifyCheckpoint(pub, cp); err != nil {
			return fmt.Errorf("checkpoint %s: %w", cpPath, err)
		}
	}
	bad := 0
	if err := d.db.Check(ctx); err != nil {
		fmt.Fprintf(e.stdout, "store: %v\n", err)
		bad++
	} else {
		fmt.Fprintf(e.stdout, "store: integrity check passed\n")
	}
	entries, err := d.db.AuditEntries(ctx)
	if err != nil {
		return err
	}
	problems := d.chain().Verify(entries, cp)
	for _, p := range problems {
		fmt.Fprintf(e.stdout, "audit: %s\n", p)
	}
	bad += len(problems)
	if len(problems) == 0 {
		fmt.Fprintf(e.stdout, "audit: %d entries, chain intact", len(entries))
		if cp != nil {
			fmt.Fprintf(e.stdout, ", checkpoint %d present", cp.Seq)
		}
		fmt.Fprintln(e.stdout)
	}
	if bad > 0 {
		fmt.Fprintf(e.stdout, "%d problems found\n", bad)
		return errSilent
	}
	if writePath != "" && len(entries) > 0 {
		head := entries[len(entries)-1]
		b, err := audit.MarshalCheckpoint(audit.Sign(d.keys.Signer, head, time.Now()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(writePath, b, 0o644); err != nil {
			return fmt.Errorf("write checkpoint: %w", err)
		}
		fmt.Fprintf(e.stdout, "checkpoint of entry %d written to %s\n", head.Seq, writePath)
	}
	return nil
}
