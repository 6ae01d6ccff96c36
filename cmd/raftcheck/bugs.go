package main

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/raftcheck/raftcheck"
)

// cmdBugs lists the planted bugs with the sweep that exposes each, or with
// --measure sweeps independent seed ranges of every exposure and prints the
// table of docs/bugs.md: how many seeds and how much simulated time it takes to catch
// each bug. Exit codes with --measure: 0 every trial caught its bug, 1 some
// bug escaped a trial, 2 interrupted (the finished bugs are printed).
func cmdBugs(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("bugs")
	measure := fs.Bool("measure", false, "sweep every bug's exposure and print the markdown table of seeds and simulated time to the first catch")
	trials := fs.Int("trials", 10, "--measure: independent seed ranges per bug (trial k sweeps seeds k·1000000+1...)")
	maxSeeds := fs.Int("max-seeds", 200, "--measure: seeds per trial at most")
	workers := fs.Int("workers", 0, "--measure: parallel runs (0 = GOMAXPROCS)")
	only := fs.StringSlice("bug", nil, "--measure: only these bugs (repeatable)")
	jsonOut := fs.Bool("json", false, "--measure: print the measures as JSON instead of the table")
	swarm := fs.Bool("swarm", false, "--measure: sweep the whole-configuration swarm with only the bug named (sweep --swarm --bug NAME), not the bug's exposure recipe; any finding of an invalid run catches it")
	impl := fs.String("raft", raftcheck.DefaultRaft, "--measure: the Raft implementation to plant them in ("+strings.Join(raftcheck.RaftNames(), " | ")+"); protocol bugs need the built-in")
	done, err := parseArgs(fs, args, "bugs [--measure [--swarm] [--trials N] [--max-seeds N] [--bug NAME]...]", stdout, stderr)
	if err != nil {
		return exitUsage, err
	}
	if done {
		return exitValid, nil
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("bugs: unexpected argument %q", fs.Arg(0))
	}
	if !*measure {
		if *swarm {
			return exitUsage, usagef("--swarm: only with --measure")
		}
		printBugs(stdout)
		return exitValid, nil
	}
	switch {
	case *trials < 1 || *trials > 1000:
		return exitUsage, usagef("--trials: %d is outside 1..1000", *trials)
	case *maxSeeds < 1 || *maxSeeds > 100_000:
		return exitUsage, usagef("--max-seeds: %d is outside 1..100000", *maxSeeds)
	}
	w, err := capWorkers(*workers, stderr)
	if err != nil {
		return exitUsage, err
	}
	base := raftcheck.DefaultConfig()
	base.Raft = *impl
	if err := base.Validate(); err != nil {
		return exitUsage, usageError{err}
	}
	limitMemory(base.CheckMemory)
	bugs := raftcheck.Bugs()
	if len(*only) > 0 {
		bugs = bugs[:0:0]
		for _, n := range *only {
			b, ok := raftcheck.LookupBug(raftcheck.BugName(n))
			if !ok {
				_, err := raftcheck.BugConfig(raftcheck.BugName(n))
				return exitUsage, usageError{fmt.Errorf("--bug: %w", err)}
			}
			if err := hostable(b, *impl); err != nil {
				return exitUsage, usageError{err}
			}
			bugs = append(bugs, b)
		}
	} else {
		// Every bug the implementation can host; say which are left out.
		var kept []raftcheck.Bug
		for _, b := range bugs {
			if err := hostable(b, *impl); err != nil {
				// The reason names what is missing: the built-in's code
				// (protocol bugs) or a capability (lease-wall-clock).
				fmt.Fprintf(stderr, "skipping %s (%s bug): %v\n", b.Name, b.Layer, err)
				continue
			}
			kept = append(kept, b)
		}
		bugs = kept
	}
	// Ctrl-C or SIGTERM (a CI runner's) finishes the runs in progress and
	// prints the bugs measured so far, as sweep does.
	ctx, _, stop := interruptContext(stderr)
	defer stop()
	var ms []*raftcheck.BugMeasure
	code := exitValid
	for _, b := range bugs {
		measure := raftcheck.MeasureBugOn
		if *swarm {
			measure = raftcheck.MeasureBugSwarm
		}
		m, err := measure(ctx, *impl, b, *trials, *maxSeeds, w, func(k int, c raftcheck.Catch) {
			fmt.Fprintln(stderr, trialNote(string(b.Name), k, *trials, c))
		})
		if err != nil {
			if ctx.Err() != nil {
				fmt.Fprintf(stderr, "interrupted: printing the bugs measured so far\n")
				code = exitUnknown
				break
			}
			return exitInternal, err
		}
		if m.Caught() < len(m.Seeds) {
			code = exitInvalid
		}
		ms = append(ms, m)
	}
	if *jsonOut {
		if err := writeJSON(stdout, ms); err != nil {
			return exitInternal, err
		}
		return code, nil
	}
	if *swarm {
		if w == 0 {
			w = runtime.GOMAXPROCS(0)
		}
		printSwarmBugTable(stdout, ms, *impl, *trials, *maxSeeds, w)
		return code, nil
	}
	printBugTable(stdout, ms, *impl, *trials, *maxSeeds)
	return code, nil
}

// trialNote is the progress line of trial k (0-based) of trials.
func trialNote(bug string, k, trials int, c raftcheck.Catch) string {
	unknown := ""
	if c.Unknown > 0 {
		unknown = fmt.Sprintf(", %s before", plural(c.Unknown, "unknown verdict"))
	}
	if c.Seed == 0 {
		return fmt.Sprintf("%s trial %d/%d: not caught in %s%s", bug, k+1, trials, plural(c.Seeds, "seed"), unknown)
	}
	return fmt.Sprintf("%s trial %d/%d: caught at seed %d (%s%s) by %s at %v",
		bug, k+1, trials, c.Seed, plural(c.Seeds, "seed"), unknown, strings.Join(c.Found, ", "), c.At.Round(time.Millisecond))
}

// hostable says why the Raft implementation impl cannot host b (nil: it can).
func hostable(b raftcheck.Bug, impl string) error {
	cfg, err := raftcheck.BugConfig(b.Name)
	if err != nil {
		return err
	}
	cfg.Raft = impl
	return cfg.Validate()
}

// printBugs lists the catalog and, for each bug, the sweep that exposes it.
func printBugs(w io.Writer) {
	fmt.Fprintln(w, "Planted bugs are deliberately unsafe defects (off unless named with --bug) that prove the checkers catch real mistakes.")
	fmt.Fprintln(w, "Host bugs live in the replica around Raft and act on any --raft; protocol bugs live in the built-in Raft's code and need --raft builtin.")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BUG\tLAYER\tCAUGHT BY\tWHAT BREAKS")
	for _, b := range raftcheck.Bugs() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", b.Name, b.Layer, b.Checker, b.Breaks)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Each bug's exposure (the scenario that shows it); the sweep catches it within the seeds given:")
	for _, b := range raftcheck.Bugs() {
		fmt.Fprintf(w, "\n  %s: %s\n    %s\n", b.Name, b.Exposure, exposeCommand(b))
	}
	fmt.Fprintln(w, "\nMeasure how fast each is caught: raftcheck bugs --measure [--trials N].")
}

// exposeCommand is the sweep that catches b within its budget.
func exposeCommand(b raftcheck.Bug) string {
	cfg, err := raftcheck.BugConfig(b.Name)
	if err != nil {
		return err.Error()
	}
	args := cfg.Args()[2:] // drop --seed: the sweep sets it
	for i := range args {
		if args[i] == "--name" {
			args = append(args[:i], args[i+2:]...)
			break
		}
	}
	return asInvoked("raftcheck sweep --count " + strconv.Itoa(b.Budget) + " " + strings.Join(args, " "))
}

// printBugTable prints the measures as the markdown table of docs/bugs.md.
func printBugTable(w io.Writer, ms []*raftcheck.BugMeasure, impl string, trials, maxSeeds int) {
	fmt.Fprintf(w, "| Bug | Layer | What breaks | Scenario that exposes it | Caught by | Median seeds to first catch | Simulated time to catch (median) | Caught in |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---:|---:|---:|\n")
	for _, m := range ms {
		seeds := fmt.Sprintf("> %d", maxSeeds)
		if v, ok := m.MedianSeeds(); ok {
			seeds = strconv.FormatFloat(v, 'f', -1, 64)
		}
		at := "—"
		if m.Caught() > 0 {
			at = fmt.Sprintf("%.1f s", m.MedianTime().Seconds())
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s | %s | %d/%d |\n", m.Name, m.Bug.Layer, m.Bug.Breaks, m.Bug.Exposure,
			strings.Join(m.Found, ", "), seeds, at, m.Caught(), len(m.Seeds))
	}
	fmt.Fprintf(w, "\n%s per bug on raft %s, each sweeping its own seed range (trial k: seeds k·%d+1 onwards) until the first catch, at most %s.\n",
		plural(trials, "trial"), impl, raftcheck.TrialStride, plural(maxSeeds, "seed"))
}

// printSwarmBugTable prints the swarm measures as the README's second bug
// table: seeds and wall time to the first catch by `sweep --swarm --bug`.
func printSwarmBugTable(w io.Writer, ms []*raftcheck.BugMeasure, impl string, trials, maxSeeds, workers int) {
	fmt.Fprintf(w, "| Bug | Caught by (swarm) | Median seeds to first catch | Per trial | Wall time to catch (median) | Simulated time to catch (median) | Caught in |\n")
	fmt.Fprintf(w, "|---|---|---:|---|---:|---:|---:|\n")
	for _, m := range ms {
		seeds := fmt.Sprintf("> %d", maxSeeds)
		if v, ok := m.MedianSeeds(); ok {
			seeds = strconv.FormatFloat(v, 'f', -1, 64)
		}
		per := make([]string, len(m.Seeds))
		for i, s := range m.Seeds {
			per[i] = strconv.Itoa(s)
			if s == 0 {
				per[i] = fmt.Sprintf(">%d", maxSeeds)
			}
		}
		wall, at := "—", "—"
		if m.Caught() > 0 {
			wall = fmt.Sprintf("%.1f s", m.MedianWall().Seconds())
			at = fmt.Sprintf("%.1f s", m.MedianTime().Seconds())
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s | %d/%d |\n", m.Name, strings.Join(m.Found, ", "),
			seeds, strings.Join(per, ", "), wall, at, m.Caught(), len(m.Seeds))
	}
	fmt.Fprintf(w, "\n%s per bug on raft %s of `raftcheck sweep --swarm --fail-fast --bug NAME` (trial k: seeds k·%d+1 onwards, at most %s, %s, linearizability bounded at %d steps); wall times are of this machine and its load.\n",
		plural(trials, "trial"), impl, raftcheck.TrialStride, plural(maxSeeds, "seed"), plural(workers, "worker"), swarmCheckSteps())
}

// swarmCheckSteps is the step bound of the linearizability search in the
// swarm measure's runs.
func swarmCheckSteps() int64 {
	cfg, err := raftcheck.SwarmBugConfig(raftcheck.Bugs()[0].Name)
	if err != nil {
		return 0
	}
	return cfg.CheckSteps
}
