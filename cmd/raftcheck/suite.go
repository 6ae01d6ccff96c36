package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/nemesis"
)

func cmdSuite(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("suite")
	var rf runFlags
	addRunFlags(fs, &rf)
	seedsPer := fs.Int("seeds-per", 5, "seeds per scenario (seeds 1..N, offset by --seed - 1)")
	only := fs.String("scenarios", "", "comma-separated scenarios to run (default: all)")
	workers := fs.Int("workers", 0, "parallel runs (0 = GOMAXPROCS)")
	failFast := fs.Bool("fail-fast", false, "stop at the first failing run")
	progress := fs.Bool("progress", true, "show a progress bar on stderr")
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage, usageError{err}
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := rf.finish(fs); err != nil {
		return exitUsage, usageError{err}
	}
	if *seedsPer < 1 || *seedsPer > 100000 {
		return exitUsage, usagef("--seeds-per: %d is outside 1..100000", *seedsPer)
	}
	var names []string
	for _, s := range nemesis.Scenarios() {
		names = append(names, s.Name)
	}
	if *only != "" {
		want := splitList(*only)
		for _, n := range want {
			if !contains(names, n) {
				return exitUsage, usagef("--scenarios: unknown scenario %q (known: %s)", n, strings.Join(names, ", "))
			}
		}
		names = want
	}
	if err := rf.cfg.Validate(); err != nil {
		return exitUsage, usageError{err}
	}
	var jobs []job
	for _, n := range names {
		for k := 0; k < *seedsPer; k++ {
			cfg := rf.cfg
			cfg.ChaosScenario = n
			cfg.Swarm = false
			cfg.Seed = rf.cfg.Seed + uint64(k)
			cfg.Name = "suite-" + n
			jobs = append(jobs, job{Index: len(jobs), Label: n + " seed " + strconv.FormatUint(cfg.Seed, 10), Cfg: cfg})
		}
	}
	// Matrix: scenario → per seed verdict.
	matrix := map[string][]string{}
	for _, n := range names {
		matrix[n] = make([]string, *seedsPer)
	}
	var failures []sweepFailure
	sum, err := sweepJobsWith(jobs, *workers, *failFast, *progress, stderr, func(o outcome) {
		v := "error"
		if o.Err == nil {
			v = o.Res.Verdict
		}
		matrix[o.Cfg.ChaosScenario][int(o.Cfg.Seed-rf.cfg.Seed)] = v
	})
	if err != nil {
		return exitUsage, err
	}
	failures = sum.Failures
	if rf.jsonOut {
		out := map[string]any{"scenarios": matrix, "seeds_per": *seedsPer, "valid": sum.Valid, "invalid": sum.Invalid,
			"unknown": sum.Unknown, "errors": sum.Errors, "failures": failures, "wall_seconds": sum.WallSeconds, "interrupted": sum.Interrupted}
		if err := writeJSON(stdout, out); err != nil {
			return exitInternal, err
		}
		return sweepCode(sum), nil
	}
	fmt.Fprintf(stdout, "%-18s", "SCENARIO")
	for k := 0; k < *seedsPer; k++ {
		fmt.Fprintf(stdout, " %-7s", "s"+strconv.FormatUint(rf.cfg.Seed+uint64(k), 10))
	}
	fmt.Fprintln(stdout, " RESULT")
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(stdout, "%-18s", n)
		pass := true
		for _, v := range matrix[n] {
			cell := map[string]string{"valid": "pass", "invalid": "FAIL", "unknown": "unknown", "error": "ERROR", "": "-"}[v]
			if v != "valid" {
				pass = false
			}
			fmt.Fprintf(stdout, " %-7s", cell)
		}
		if pass {
			fmt.Fprintln(stdout, " pass")
		} else {
			fmt.Fprintln(stdout, " FAIL")
		}
	}
	fmt.Fprintln(stdout)
	printSweep(stdout, sum)
	return sweepCode(sum), nil
}
