// Command ward finds, identifies and watches the devices on a hospital's
// network. Run "ward help" for its subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and maps it to the process's exit code:
// 0 success, 2 a usage error, a command's own status (exitStatus), 1
// anything else.
func exitCode(err error, stderr *os.File) int {
	if err == nil {
		return 0
	}
	var st *exitStatus
	if errors.As(err, &st) {
		fmt.Fprintf(stderr, "ward: %v\n", st.err)
		return st.code
	}
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "ward: %v\n", err)
		if u.help != "" {
			fmt.Fprintf(stderr, "run 'ward help %s' for usage\n", u.help)
		}
		return 2
	}
	if !errors.Is(err, errSilent) {
		fmt.Fprintf(stderr, "ward: %v\n", err)
	}
	return 1
}
