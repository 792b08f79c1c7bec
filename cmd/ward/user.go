package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
	"github.com/wardhq/ward/internal/web"
)

var userCommand = &command{
	name:    "user",
	summary: "add a user (prints a first password once)",
	usage: "add [-data DIR] -role ROLE [-site ID] NAME\n\nROLE is admin, security, " +
		"clinical-engineering, network, auditor or clinical-safety-officer\n(the Clinical " +
		"Safety Officer, who alone signs off segmentation that blocks critical flows).",
	flags: userFlags,
}

func userFlags(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	df := addDataFlags(fs)
	role := fs.String("role", "", "the user's `role`")
	site := fs.Int64("site", 0, "limit the user to the site with this `id` (0: every site)")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) < 1 || args[0] != "add" {
			return usagef("user", "the only user command is: ward user add -role ROLE NAME")
		}
		// Flags may come after "add": parse them again.
		if err := fs.Parse(args[1:]); err != nil {
			return usagef("user", "%v", err)
		}
		rest := fs.Args()
		if len(rest) != 1 {
			return usagef("user", "user add needs exactly one user name")
		}
		r, err := auth.ParseRole(*role)
		if err != nil {
			return usagef("user", "%v", err)
		}
		d, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer d.close()
		u, pw, err := web.CreateUser(ctx, d.db, rest[0], store.Grant{Role: r, SiteID: *site})
		if errors.Is(err, store.ErrExists) {
			return fmt.Errorf("there is already a user called %q", rest[0])
		}
		if err != nil {
			return err
		}
		recordCLI(ctx, e, d, "user.add", u.Name, map[string]any{"role": r, "site_id": strconv.FormatInt(*site, 10)})
		fmt.Fprintf(e.stdout, "Added %s (%s). Their first password, shown only now:\n\n    %s\n\n", u.Name, r, pw)
		return nil
	}
}
