// Command raftcheck runs deterministic linearizability tests of a Raft-backed
// key-value store under injected faults, and checks recorded histories.
//
// Exit codes follow Jepsen: 0 valid, 1 invalid, 2 unknown, 254 bad arguments or
// unreadable input, 255 internal error. See README.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// version is the release name printed by `raftcheck version`.
const version = "0.1.0"

// Exit codes (Jepsen's).
const (
	exitValid    = 0
	exitInvalid  = 1
	exitUnknown  = 2
	exitUsage    = 254
	exitInternal = 255
)

// usageError marks errors caused by the user's arguments or input files (exit 254).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// command is one subcommand.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) (int, error)
}

func commands() []command {
	return []command{
		{"run", "run one seed and check it", cmdRun},
		{"sweep", "run many seeds in parallel; report failing seeds", cmdSweep},
		{"suite", "run every named scenario over several seeds; pass/fail matrix", cmdSuite},
		{"check", "check recorded histories (JSONL, Jepsen EDN, porcupine etcd logs, Knossos kv)", cmdCheck},
		{"replay", "rerun a stored run and confirm its trace hash", cmdReplay},
		{"live", "test real node processes (Maelstrom lin-kv) under faults; not reproducible bit for bit", cmdLive},
		{"shrink", "search for a smaller run that fails like a stored failing run", cmdShrink},
		{"serve", "browse the result store on localhost", cmdServe},
		{"faults", "list the fault catalog", cmdFaults},
		{"scenarios", "list the named chaos scenarios", cmdScenarios},
		{"bugs", "list the planted bugs", cmdBugs},
		{"bench", "measure the standard benchmarks and print one table", cmdBench},
		{"version", "print the version", cmdVersion},
	}
}

func main() {
	tuneGC()
	os.Exit(mainWith(os.Args[1:], os.Stdout, os.Stderr))
}

// mainWith runs the CLI and returns the exit code; it never panics on user input.
func mainWith(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "raftcheck: internal error: %v\n", r)
			code = exitInternal
		}
	}()
	switch {
	case len(args) == 0:
		// No command is a usage error: the usage goes with the errors.
		printUsage(stderr)
		return exitUsage
	case args[0] == "-h" || args[0] == "--help":
		printUsage(stdout)
		return exitValid
	case args[0] == "help":
		switch len(args) {
		case 1:
			printUsage(stdout)
			return exitValid
		case 2:
			if args[1] == "help" || args[1] == "-h" || args[1] == "--help" {
				printUsage(stdout)
				return exitValid
			}
			// `help CMD` is `CMD --help`: the command's synopsis and flags.
			args = []string{args[1], "--help"}
		default:
			fmt.Fprintf(stderr, "raftcheck help: takes at most one command, got %q\n", args[1:])
			return exitUsage
		}
	}
	for _, c := range commands() {
		if c.name == args[0] {
			code, err := c.run(args[1:], stdout, stderr)
			if err != nil {
				fmt.Fprintf(stderr, "raftcheck %s: %s\n", c.name, flagMessage(err))
				var ue usageError
				if errors.As(err, &ue) {
					return exitUsage
				}
				return exitInternal
			}
			return code
		}
	}
	fmt.Fprintf(stderr, "raftcheck: unknown command %q (try `raftcheck help`)\n", args[0])
	return exitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "raftcheck %s — Jepsen-style linearizability testing for Raft, in a deterministic simulator\n\n", version)
	fmt.Fprintln(w, "Usage: raftcheck <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `raftcheck help <command>` or `raftcheck <command> --help` for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad arguments or input, 255 internal error.")
}

func cmdVersion(args []string, stdout, stderr io.Writer) (int, error) {
	if done, err := noArgs("version", args, stdout, stderr); done || err != nil {
		return exitValid, err
	}
	fmt.Fprintln(stdout, "raftcheck", version)
	return exitValid, nil
}

// asInvoked rewrites a command line that starts with "raftcheck " (a replay
// or sweep command) to start with the program as this process was invoked,
// when that was a relative path: after `make run` the replay line reads
// "./bin/raftcheck run ...", which works pasted where make ran. A program
// found on $PATH, or named by an absolute path (a go run or test build
// that will be gone), keeps the plain "raftcheck".
func asInvoked(cmdline string) string {
	rest, ok := strings.CutPrefix(cmdline, "raftcheck ")
	if !ok {
		return cmdline
	}
	return invokedName(os.Args[0]) + " " + rest
}

// invokedName is argv0 when it is a relative path to the program, else
// "raftcheck".
func invokedName(argv0 string) string {
	if !strings.Contains(argv0, "/") || filepath.IsAbs(argv0) || strings.ContainsAny(argv0, " \t\n'\"\\$`;&|<>()*?[]#~") {
		return "raftcheck"
	}
	return argv0
}
