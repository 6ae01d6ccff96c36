package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/nemesis"
)

// suiteOutput is the `suite --json` object: the sweep summary plus the matrix
// (scenario → one verdict per seed, in seed order; "" for a seed not run).
type suiteOutput struct {
	Scenarios map[string][]string `json:"scenarios"`
	SeedsPer  int                 `json:"seeds_per"`
	*sweepSummary
}

// suiteRefused lists the run flags that choose faults: every scenario brings
// its own, so suite refuses them (and leaves them out of its help).
func suiteRefused() []string {
	return []string{"chaos-scenario", "nemesis", "chaos", "swarm", "nemesis-interval", "max-crashed"}
}

func cmdSuite(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("suite")
	var rf runFlags
	addRunFlags(fs, &rf)
	for _, name := range append(suiteRefused(), "name") {
		_ = fs.MarkHidden(name) // refused below; registered so the refusal can name them
	}
	seedsPer := fs.Int("seeds-per", 5, "seeds per scenario (seeds 1..N, offset by --seed - 1)")
	only := fs.String("scenarios", "", "comma-separated scenarios to run (default: all)")
	workers := fs.Int("workers", 0, "parallel runs (0 = GOMAXPROCS)")
	failFast := fs.Bool("fail-fast", false, "stop at the first failing run")
	progress := fs.Bool("progress", isTerminal(stderr), "show a progress bar on stderr (default: when stderr is a terminal)")
	if done, err := parseArgs(fs, args, "suite [flags]", stdout, stderr); done || err != nil {
		return exitValid, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fs.Arg(0))
	}
	// Every scenario brings its own faults: a flag choosing faults would be
	// silently ignored. Said before finish, whose conflicts between those
	// flags would be a less useful message here.
	for _, name := range suiteRefused() {
		if fs.Changed(name) {
			return exitUsage, usagef("--%s: suite runs every named scenario, each with its own faults; choose scenarios with --scenarios a,b (see: raftcheck scenarios), or use `raftcheck sweep --%s ...`", name, name)
		}
	}
	if err := rf.finish(fs); err != nil {
		return exitUsage, usageError{err}
	}
	if err := rf.manyRuns("suite"); err != nil {
		return exitUsage, err
	}
	if fs.Changed("name") {
		return exitUsage, usagef("--name: suite names each run suite-<scenario>")
	}
	if *seedsPer < 1 || *seedsPer > 100000 {
		return exitUsage, usagef("--seeds-per: %d is outside 1..100000", *seedsPer)
	}
	if last := rf.cfg.Seed + uint64(*seedsPer-1); last < rf.cfg.Seed {
		return exitUsage, usagef("--seed %d with --seeds-per %d: the seeds would run past the largest seed, %d; use --seed %d or less", rf.cfg.Seed, *seedsPer, uint64(math.MaxUint64), uint64(math.MaxUint64)-uint64(*seedsPer-1))
	}
	var names []string
	for _, s := range nemesis.Scenarios() {
		names = append(names, s.Name)
	}
	if *only != "" {
		var want []string
		for _, n := range splitList(*only) {
			if !slices.Contains(names, n) {
				return exitUsage, usagef("--scenarios: unknown scenario %q (known: %s)", n, strings.Join(names, ", "))
			}
			if !slices.Contains(want, n) {
				want = append(want, n)
			}
		}
		names = want
	}
	w, err := capWorkers(*workers, stderr)
	if err != nil {
		return exitUsage, err
	}
	if err := rf.cfg.Validate(); err != nil {
		return exitUsage, usageError{err}
	}
	if err := checkStore(rf.cfg.Store, "suite-"+names[0]); err != nil {
		return exitUsage, err
	}
	limitMemory(rf.cfg.CheckMemory)
	w = fitWorkers(w, rf.cfg, stderr)
	var jobs []job
	for _, n := range names {
		for k := 0; k < *seedsPer; k++ {
			cfg := rf.cfg
			cfg.ChaosScenario = raftcheck.Scenario(n)
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
	sum, err := sweepJobsWith(jobs, w, *failFast, *progress, stderr, func(o outcome) {
		v := "error"
		if o.Res != nil {
			v = o.Res.Verdict
		}
		matrix[string(o.Cfg.ChaosScenario)][int(o.Cfg.Seed-rf.cfg.Seed)] = v
	})
	if err != nil {
		return exitUsage, err
	}
	if rf.jsonOut {
		out := suiteOutput{Scenarios: matrix, SeedsPer: *seedsPer, sweepSummary: sum}
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
		for _, v := range matrix[n] {
			fmt.Fprintf(stdout, " %-7s", suiteCell(v))
		}
		fmt.Fprintln(stdout, " "+suiteRow(matrix[n]))
	}
	fmt.Fprintln(stdout)
	printSweep(stdout, sum)
	return sweepCode(sum), nil
}

// suiteCell is one seed's cell of the matrix.
func suiteCell(verdict string) string {
	switch verdict {
	case "valid":
		return "pass"
	case "invalid":
		return "FAIL"
	case "unknown":
		return "unknown"
	case "":
		return "-" // not run: --fail-fast or Ctrl-C
	}
	return "ERROR"
}

// suiteRow is a scenario's result: FAIL if any seed failed or errored, else
// unknown if any was unknown, else "incomplete" if any did not run, else pass.
func suiteRow(verdicts []string) string {
	row := "pass"
	for _, v := range verdicts {
		switch {
		case v != "valid" && v != "unknown" && v != "":
			return "FAIL"
		case v == "unknown":
			row = "unknown"
		case v == "" && row == "pass":
			row = "incomplete"
		}
	}
	return row
}
