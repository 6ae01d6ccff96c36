package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/raftcheck/raftcheck"
)

// maxSweepSeeds bounds one sweep (a typo like 1..1e12 should not run for a year).
const maxSweepSeeds = 10_000_000

// parseSeeds parses a comma-separated list of seeds and inclusive ranges
// A..B, e.g. "1..3,5,9..10", into the seeds in the order given.
func parseSeeds(s string) ([]uint64, error) {
	var out []uint64
	parse := func(p string) (uint64, error) {
		v, err := strconv.ParseUint(strings.TrimSpace(p), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("--seeds: %q is not a seed (a whole number 0..%d)", strings.TrimSpace(p), uint64(math.MaxUint64))
		}
		return v, nil
	}
	for _, p := range strings.Split(s, ",") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(p, "..")
		if !isRange {
			v, err := parse(p)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		} else {
			a, err := parse(lo)
			if err != nil {
				return nil, err
			}
			b, err := parse(hi)
			if err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("--seeds: range %q runs backwards: want A..B with A ≤ B", strings.TrimSpace(p))
			}
			if b-a >= maxSweepSeeds-uint64(len(out)) {
				return nil, fmt.Errorf("--seeds: %q is more than %d seeds", s, maxSweepSeeds)
			}
			out = append(out, seedRange(a, b)...)
		}
		if len(out) > maxSweepSeeds {
			return nil, fmt.Errorf("--seeds: %q is more than %d seeds", s, maxSweepSeeds)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--seeds: no seeds in %q: give A..B, a list like 1..3,5,9..10, or use --count N", s)
	}
	// A seed listed twice would run twice, count twice and break the shards'
	// promise to cover every seed exactly once.
	sorted := slices.Clone(out)
	slices.Sort(sorted)
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return nil, fmt.Errorf("--seeds: seed %d is listed more than once in %q", sorted[i], s)
		}
	}
	return out, nil
}

// seedRange returns the seeds lo..hi (lo ≤ hi, at most maxSweepSeeds of
// them); the loop ends at hi itself, so hi may be the largest uint64.
func seedRange(lo, hi uint64) []uint64 {
	out := make([]uint64, 0, hi-lo+1)
	for x := lo; ; x++ {
		out = append(out, x)
		if x == hi {
			return out
		}
	}
}

// parseShard parses "i/n" (1-based): the shard keeps every n-th seed starting at i.
func parseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard: want i/n with 1 ≤ i ≤ n, got %q", s)
	}
	return i, n, nil
}

// shardSeeds keeps the seeds at positions i-1, i-1+n, ... so n shards cover every seed once.
func shardSeeds(seeds []uint64, i, n int) []uint64 {
	var out []uint64
	for k := i - 1; k < len(seeds); k += n {
		out = append(out, seeds[k])
	}
	return out
}

// sweepSummary is the `sweep --json` object: the keys issue 7 lists (seeds,
// valid, invalid, unknown, failures, wall_seconds) plus planned, errors and
// interrupted.
type sweepSummary struct {
	// Seeds is how many seeds finished (with a verdict or an error).
	Seeds int `json:"seeds"`
	// Planned is how many seeds the sweep (this shard of it) was asked to run:
	// more than Seeds after --fail-fast or Ctrl-C.
	Planned int `json:"planned"`
	Valid   int `json:"valid"`
	Invalid int `json:"invalid"`
	Unknown int `json:"unknown"`
	// Errors counts seeds that could not be run, or whose reports could not
	// be written (those also count under their verdict).
	Errors      int            `json:"errors"`
	Interrupted bool           `json:"interrupted"`
	Failures    []sweepFailure `json:"failures"`
	WallSeconds float64        `json:"wall_seconds"`
	// Shrinks, with --shrink: the failing seeds shrunk, in seed order.
	Shrinks []sweepShrink `json:"shrinks,omitempty"`
}

// sweepShrink is one failing seed that --shrink shrank.
type sweepShrink struct {
	Seed   uint64                  `json:"seed"`
	Result *raftcheck.ShrinkResult `json:"result,omitempty"`
	Store  string                  `json:"store,omitempty"`
	Error  string                  `json:"error,omitempty"`
}

// sweepFailure is one seed that was not valid or hit an error.
type sweepFailure struct {
	Seed uint64 `json:"seed"`
	// Label is the suite's name of the run ("<scenario> seed <n>"); a plain
	// sweep has none, so its failures carry no "label" key.
	Label   string   `json:"label,omitempty"`
	Verdict string   `json:"verdict"` // invalid | unknown | error (could not run) | valid (reports failed)
	Reasons []string `json:"reasons"`
	Replay  string   `json:"replay"`
	Store   string   `json:"store,omitempty"` // the run's reports
	Error   string   `json:"error,omitempty"`

	index int // the job's position: failures are listed in job order
}

func cmdSweep(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("sweep")
	var rf runFlags
	addRunFlags(fs, &rf)
	_ = fs.MarkHidden("seed") // refused below: a sweep's seeds come from --seeds or --count
	seedsFlag := fs.String("seeds", "", "seeds to run: comma-separated seeds and inclusive ranges A..B, e.g. 1..3,5,9..10 (default 1..count)")
	count := fs.Int("count", 100, "run seeds 1..count when --seeds is not given")
	workers := fs.Int("workers", 0, "parallel runs (0 = GOMAXPROCS)")
	failFast := fs.Bool("fail-fast", false, "stop starting seeds after the first one that is not valid")
	envShard := os.Getenv(shardEnv)
	shard := fs.String("shard", envShard, "run shard i/n of the seeds: every n-th seed from the i-th (default $"+shardEnv+")")
	keepAll := fs.Bool("keep-all", false, "store every run, not only failing ones")
	progress := fs.Bool("progress", isTerminal(stderr), "show a progress bar on stderr (default: when stderr is a terminal)")
	shrink := fs.Bool("shrink", false, "shrink the failing (invalid) seeds after the sweep: search for a smaller run that fails the same way (see raftcheck shrink)")
	shrinkSeeds := fs.Int("shrink-seeds", 3, "with --shrink: how many failing seeds to shrink, lowest first")
	var sf shrinkFlags
	fs.IntVar(&sf.maxRuns, "shrink-runs", raftcheck.DefaultShrinkRuns, "with --shrink: most runs per shrink")
	fs.DurationVar(&sf.timeLimit, "shrink-time", defaultShrinkTime, "with --shrink: most wall time per shrink (0 = no bound)")
	if done, err := parseArgs(fs, args, "sweep [flags]", stdout, stderr); done || err != nil {
		return exitValid, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := rf.finish(fs); err != nil {
		return exitUsage, usageError{err}
	}
	if err := rf.manyRuns("sweep"); err != nil {
		return exitUsage, err
	}
	if _, err := newLogger(stderr, rf.logLevel); err != nil {
		return exitUsage, err
	}
	var seeds []uint64
	var err error
	switch {
	case fs.Changed("seeds") && fs.Changed("count"):
		return exitUsage, usagef("--seeds and --count: give one or the other")
	case fs.Changed("seed"):
		return exitUsage, usagef("--seed: sweep runs the seeds --seeds lists (e.g. --seeds 7..20) or seeds 1..--count")
	case fs.Changed("seeds"):
		if seeds, err = parseSeeds(*seedsFlag); err != nil {
			return exitUsage, usageError{err}
		}
	default:
		if *count < 1 || *count > maxSweepSeeds {
			return exitUsage, usagef("--count: %d is outside 1..%d", *count, maxSweepSeeds)
		}
		seeds = seedRange(1, uint64(*count))
	}
	if *shard != "" {
		i, n, err := parseShard(*shard)
		if err != nil {
			if !fs.Changed("shard") {
				err = fmt.Errorf("$%s: %w", shardEnv, err)
			}
			return exitUsage, usageError{err}
		}
		seeds = shardSeeds(seeds, i, n)
	}
	w, err := capWorkers(*workers, stderr)
	if err != nil {
		return exitUsage, err
	}
	shrinkOpts, err := sf.options("shrink-", *workers)
	if err != nil {
		return exitUsage, err
	}
	if *shrinkSeeds < 1 {
		return exitUsage, usagef("--shrink-seeds: %d is not a positive number of seeds", *shrinkSeeds)
	}
	if err := rf.cfg.Validate(); err != nil {
		return exitUsage, usageError{err}
	}
	if err := checkStore(rf.cfg.Store, rf.cfg.Name); err != nil {
		return exitUsage, err
	}
	limitMemory(rf.cfg.CheckMemory)
	w = fitWorkers(w, rf.cfg, stderr)
	jobs := make([]job, len(seeds))
	for k, s := range seeds {
		cfg := rf.cfg
		cfg.Seed = s
		jobs[k] = job{Index: k, Cfg: cfg, KeepAll: *keepAll}
	}
	sum, err := sweepJobs(jobs, w, *failFast, *progress, stderr)
	if err != nil {
		return exitUsage, err
	}
	if !rf.jsonOut {
		printSweep(stdout, sum)
	}
	if *shrink && !sum.Interrupted {
		shrinkFailures(sum, rf.cfg, shrinkOpts, *shrinkSeeds, !rf.jsonOut, stdout, stderr)
	}
	if rf.jsonOut {
		if err := writeJSON(stdout, sum); err != nil {
			return exitInternal, err
		}
	}
	return sweepCode(sum), nil
}

// shardEnv names the environment variable that gives `sweep` its shard when
// --shard is not set: a CI matrix sets it once per job.
const shardEnv = "RAFTCHECK_SHARD"

// sweepJobs runs jobs in parallel with a progress bar and Ctrl-C handling.
func sweepJobs(jobs []job, workers int, failFast, progress bool, stderr io.Writer) (*sweepSummary, error) {
	return sweepJobsWith(jobs, workers, failFast, progress, stderr, nil)
}

// interruptContext is cancelled by the first SIGINT or SIGTERM; it then
// restores the default handling, so a second Ctrl-C kills the process at once.
// interrupted reports whether a signal came.
func interruptContext(stderr io.Writer) (ctx context.Context, interrupted func() bool, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case sig := <-sigs:
			got.Store(true)
			signal.Stop(sigs)
			fmt.Fprintf(stderr, "\nraftcheck: %v: finishing the runs in progress, then summarizing (Ctrl-C again to abort)\n", sig)
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, got.Load, func() {
		signal.Stop(sigs)
		cancel()
		<-done
	}
}

// sweepJobsWith is sweepJobs with a hook called on every finished job.
func sweepJobsWith(jobs []job, workers int, failFast, progress bool, stderr io.Writer, each func(outcome)) (*sweepSummary, error) {
	start := time.Now()
	ctx, interrupted, stop := interruptContext(stderr)
	defer stop()
	var bar *progressbar.ProgressBar
	if progress {
		bar = progressbar.NewOptions(len(jobs),
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("sweep"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	sum := &sweepSummary{Planned: len(jobs), Failures: []sweepFailure{}}
	var firstErr error
	runErrors := 0 // seeds that produced no result at all
	runPool(ctx, jobs, workers, failFast, func(o outcome) {
		if each != nil {
			each(o)
		}
		sum.Seeds++
		if o.Res == nil {
			sum.Errors++
			runErrors++
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", o.name(), o.Err)
			}
			sum.Failures = append(sum.Failures, sweepFailure{Seed: o.Cfg.Seed, Label: o.Label, Verdict: "error",
				Reasons: []string{o.Err.Error()}, Replay: raftcheck.ReplayCommand(o.Cfg), Error: o.Err.Error(), index: o.Index})
		} else {
			switch o.Res.Verdict {
			case raftcheck.Valid:
				sum.Valid++
			case raftcheck.Invalid:
				sum.Invalid++
			default:
				sum.Unknown++
			}
			if o.Res.Failed() || o.Err != nil {
				f := sweepFailure{Seed: o.Res.Seed, Label: o.Label, Verdict: o.Res.Verdict,
					Reasons: o.Res.Reasons, Replay: o.Res.Replay, Store: o.Res.Store, index: o.Index}
				if o.Err != nil {
					// The run has its verdict, but its reports are incomplete.
					sum.Errors++
					f.Error = o.Err.Error()
				}
				sum.Failures = append(sum.Failures, f)
			}
		}
		if bar != nil {
			bar.Describe(fmt.Sprintf("sweep (%d failing)", len(sum.Failures)))
			_ = bar.Add(1)
		}
	})
	if bar != nil {
		_ = bar.Finish()
	}
	sum.Interrupted = interrupted()
	sum.WallSeconds = time.Since(start).Seconds()
	sort.Slice(sum.Failures, func(i, j int) bool { return sum.Failures[i].index < sum.Failures[j].index })
	if runErrors > 0 && runErrors == sum.Seeds && !errors.Is(firstErr, raftcheck.ErrInternal) {
		// Every run failed to start: a configuration problem, not a finding.
		return nil, usageError{firstErr}
	}
	return sum, nil
}

// sweepCode is the exit code of a sweep or suite: 1 if any seed is invalid (a
// finding outranks everything); else 255 if any seed hit an error; else 2 if
// any is unknown or the sweep was interrupted; else 0.
func sweepCode(s *sweepSummary) int {
	switch {
	case s.Invalid > 0:
		return exitInvalid
	case s.Errors > 0:
		return exitInternal
	case s.Unknown > 0 || s.Interrupted:
		return exitUnknown
	}
	return exitValid
}

// plural is "1 seed", "2 seeds": n and word, pluralized with an s.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func printSweep(w io.Writer, s *sweepSummary) {
	state := ""
	switch {
	case s.Interrupted:
		state = fmt.Sprintf(" (interrupted: %d of %s finished)", s.Seeds, plural(s.Planned, "seed"))
	case s.Seeds < s.Planned:
		state = fmt.Sprintf(" (stopped early: %d of %s run)", s.Seeds, plural(s.Planned, "seed"))
	}
	fmt.Fprintf(w, "%s in %.1f s%s: %d valid, %d invalid, %d unknown, %s\n",
		plural(s.Seeds, "seed"), s.WallSeconds, state, s.Valid, s.Invalid, s.Unknown, plural(s.Errors, "error"))
	if len(s.Failures) == 0 {
		return
	}
	labels := make([]string, len(s.Failures))
	width := len("SEED")
	for i, f := range s.Failures {
		labels[i] = strconv.FormatUint(f.Seed, 10)
		if f.Label != "" {
			labels[i] = f.Label
		}
		width = max(width, len(labels[i]))
	}
	fmt.Fprintf(w, "\n%-*s  %-8s %s\n", width, "SEED", "VERDICT", "FIRST REASON")
	for i, f := range s.Failures {
		reason := ""
		if len(f.Reasons) > 0 {
			reason = f.Reasons[0]
		}
		fmt.Fprintf(w, "%-*s  %-8s %s\n", width, labels[i], f.Verdict, reason)
		fmt.Fprintf(w, "%-*s  %-8s replay: %s\n", width, "", "", asInvoked(f.Replay))
		if f.Store != "" {
			fmt.Fprintf(w, "%-*s  %-8s reports: %s\n", width, "", "", f.Store)
		}
		if f.Error != "" && f.Verdict != "error" {
			fmt.Fprintf(w, "%-*s  %-8s error: %s\n", width, "", "", f.Error)
		}
	}
}

// shrinkFailures shrinks the first n invalid seeds of sum (cfg is the
// sweep's configuration), storing each shrunk run in cfg.Store, and records
// them in sum; with text it prints each shrink's report as it ends.
func shrinkFailures(sum *sweepSummary, cfg raftcheck.Config, opts raftcheck.ShrinkOptions, n int, text bool, stdout, stderr io.Writer) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, f := range sum.Failures {
		if len(sum.Shrinks) >= n || ctx.Err() != nil {
			return
		}
		if f.Verdict != raftcheck.Invalid {
			continue
		}
		c := cfg
		c.Seed = f.Seed
		if text {
			fmt.Fprintf(stdout, "\nshrinking seed %d ...\n", f.Seed)
			opts.Progress = func(st raftcheck.ShrinkStep) {
				fmt.Fprintf(stderr, "  [%s] %s (run %d)\n", st.Pass, st.Change, st.Runs)
			}
		}
		sh := sweepShrink{Seed: f.Seed}
		res, err := raftcheck.Shrink(ctx, c, opts)
		if err == nil && cfg.Store != "" {
			var r *raftcheck.Result
			if r, err = raftcheck.StoreShrink(res, cfg.Store); r != nil {
				sh.Store = r.Store
			}
		}
		sh.Result = res
		if err != nil {
			sh.Error = err.Error()
		}
		sum.Shrinks = append(sum.Shrinks, sh)
		if !text {
			continue
		}
		if res != nil {
			_ = res.WriteText(stdout)
		}
		if sh.Store != "" {
			fmt.Fprintf(stdout, "reports:  %s (shrink.txt, shrink.json)\n", sh.Store)
		}
		if err != nil {
			fmt.Fprintf(stdout, "shrink of seed %d: %v\n", f.Seed, err)
		}
	}
}
