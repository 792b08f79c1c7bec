package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
)

// errSilent is returned by a command that has already said why it failed.
var errSilent = errors.New("failed")

// exitStatus is an outcome with an exit status of its own, for scripts
// that branch on it (ward segment check -strict exits 3 on violations).
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string { return e.err.Error() }

// usageError is a mistake in the command line.
type usageError struct {
	msg  string
	help string // the subcommand whose help to point at
}

func (e *usageError) Error() string { return e.msg }

func usagef(cmd, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), help: cmd}
}

// env is what a subcommand gets from the process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // the argument synopsis, after "ward NAME"
	flags   func(fs *flag.FlagSet) func(ctx context.Context, e *env, args []string) error
}

var commands []*command

func init() {
	commands = []*command{analyzeCommand, serveCommand, ingestCommand, demoCommand, userCommand,
		verifyCommand, matchCommand, feedsCommand, segmentCommand, versionCommand}
}

func lookup(name string) *command {
	i := slices.IndexFunc(commands, func(c *command) bool { return c.name == name })
	if i < 0 {
		return nil
	}
	return commands[i]
}

// run is the whole program: it parses the subcommand and its flags and
// runs it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printHelp(stderr)
		return &usageError{msg: "no command given"}
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return help(rest, stdout)
	case "-version", "--version":
		name = "version"
	}
	cmd := lookup(name)
	if cmd == nil {
		return &usageError{msg: fmt.Sprintf("unknown command %q", name), help: ""}
	}
	fs := flag.NewFlagSet("ward "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	level := fs.String("log-level", "warn", "log `level`: debug, info, warn or error")
	exec := cmd.flags(fs)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandHelp(cmd, stdout)
			return nil
		}
		return usagef(cmd.name, "%v", err)
	}
	log, err := newLogger(*level, stderr)
	if err != nil {
		return usagef(cmd.name, "%v", err)
	}
	return exec(ctx, &env{stdin: stdin, stdout: stdout, stderr: stderr, log: log}, fs.Args())
}

func newLogger(level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("bad -log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func help(args []string, w io.Writer) error {
	if len(args) == 0 {
		printHelp(w)
		return nil
	}
	cmd := lookup(args[0])
	if cmd == nil {
		return &usageError{msg: fmt.Sprintf("unknown command %q", args[0])}
	}
	commandHelp(cmd, w)
	return nil
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, "Ward finds and identifies the devices on a hospital network.\n\n")
	fmt.Fprint(w, "Usage:\n\n  ward <command> [flags] [arguments]\n\nCommands:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "  help       show help for a command\n\n")
	fmt.Fprint(w, "Run 'ward help <command>' for a command's flags.\n")
}

func commandHelp(cmd *command, w io.Writer) {
	fs := flag.NewFlagSet("ward "+cmd.name, flag.ContinueOnError)
	fs.String("log-level", "warn", "log `level`: debug, info, warn or error")
	cmd.flags(fs)
	fmt.Fprintf(w, "Usage: ward %s %s\n\n%s\n", cmd.name, cmd.usage, cmd.summary)
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	if b.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", b.String())
	}
}
