package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/nemesis"
)

func cmdFaults(args []string, stdout, _ io.Writer) (int, error) {
	if len(args) > 0 {
		return exitUsage, usagef("faults takes no arguments")
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tCATEGORY\tDESCRIPTION")
	for _, f := range nemesis.Catalog() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Name, f.Category, f.Description)
	}
	fmt.Fprintf(tw, "%s\t\t%s\n", nemesis.All, "every fault above")
	return exitValid, tw.Flush()
}

func cmdScenarios(args []string, stdout, _ io.Writer) (int, error) {
	if len(args) > 0 {
		return exitUsage, usagef("scenarios takes no arguments")
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tDESCRIPTION")
	for _, s := range nemesis.Scenarios() {
		def := ""
		if s.Name == raftcheck.DefaultChaosScenario {
			def = " (the --chaos default)"
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", s.Name, s.Description, def)
	}
	return exitValid, tw.Flush()
}
