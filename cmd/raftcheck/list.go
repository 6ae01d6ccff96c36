package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/nemesis"
)

// noArgs parses the arguments of a command that takes none but --help;
// done reports that --help printed the synopsis.
func noArgs(name string, args []string, stdout, stderr io.Writer) (done bool, err error) {
	fs := newFlagSet(name)
	if done, err := parseArgs(fs, args, name, stdout, stderr); done || err != nil {
		return done, err
	}
	if fs.NArg() > 0 {
		return false, usagef("%s takes no arguments", name)
	}
	return false, nil
}

func cmdFaults(args []string, stdout, stderr io.Writer) (int, error) {
	if done, err := noArgs("faults", args, stdout, stderr); done || err != nil {
		return exitValid, err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tCATEGORY\tDESCRIPTION")
	for _, f := range nemesis.Catalog() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Name, f.Category, f.Description)
	}
	fmt.Fprintf(tw, "%s\t\t%s\n", nemesis.All, "every fault above")
	return exitValid, tw.Flush()
}

func cmdScenarios(args []string, stdout, stderr io.Writer) (int, error) {
	if done, err := noArgs("scenarios", args, stdout, stderr); done || err != nil {
		return exitValid, err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tDESCRIPTION")
	for _, s := range nemesis.Scenarios() {
		def := ""
		if s.Name == string(raftcheck.DefaultChaosScenario) {
			def = " (the --chaos default)"
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", s.Name, s.Description, def)
	}
	return exitValid, tw.Flush()
}
