package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/raftcheck/raftcheck"
)

// maxSweepSeeds bounds one sweep (a typo like 1..1e12 should not run for a year).
const maxSweepSeeds = 10_000_000

// parseSeeds parses "A..B" (inclusive) or a comma-separated list.
func parseSeeds(s string) ([]uint64, error) {
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		a, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 64)
		b, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 64)
		if err1 != nil || err2 != nil || b < a {
			return nil, fmt.Errorf("--seeds: want A..B with A ≤ B, got %q", s)
		}
		if b-a >= maxSweepSeeds {
			return nil, fmt.Errorf("--seeds: %q is more than %d seeds", s, maxSweepSeeds)
		}
		out := make([]uint64, 0, b-a+1)
		for x := a; ; x++ {
			out = append(out, x)
			if x == b {
				break
			}
		}
		return out, nil
	}
	var out []uint64
	for _, p := range splitList(s) {
		v, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--seeds: %q is not a seed", p)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--seeds: no seeds in %q", s)
	}
	return out, nil
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

// sweepSummary is the `sweep --json` object.
type sweepSummary struct {
	Seeds       int            `json:"seeds"`
	Valid       int            `json:"valid"`
	Invalid     int            `json:"invalid"`
	Unknown     int            `json:"unknown"`
	Errors      int            `json:"errors"`
	Interrupted bool           `json:"interrupted"`
	Failures    []sweepFailure `json:"failures"`
	WallSeconds float64        `json:"wall_seconds"`
}

type sweepFailure struct {
	Seed    uint64   `json:"seed"`
	Label   string   `json:"label,omitempty"`
	Verdict string   `json:"verdict"`
	Reasons []string `json:"reasons"`
	Replay  string   `json:"replay"`
	Store   string   `json:"store,omitempty"`
}

func cmdSweep(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("sweep")
	var rf runFlags
	addRunFlags(fs, &rf)
	seedsFlag := fs.String("seeds", "", "seeds to run: A..B or a comma-separated list (default 1..count)")
	count := fs.Int("count", 100, "run seeds 1..count when --seeds is not given")
	workers := fs.Int("workers", 0, "parallel runs (0 = GOMAXPROCS)")
	failFast := fs.Bool("fail-fast", false, "stop at the first failing seed")
	shard := fs.String("shard", os.Getenv("RAFTCHECK_SHARD"), "run shard i/n of the seeds (also from $RAFTCHECK_SHARD)")
	keepAll := fs.Bool("keep-all", false, "store every run, not only failing ones")
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
	if _, err := newLogger(stderr, rf.logLevel); err != nil {
		return exitUsage, err
	}
	var seeds []uint64
	var err error
	if *seedsFlag != "" {
		if seeds, err = parseSeeds(*seedsFlag); err != nil {
			return exitUsage, usageError{err}
		}
	} else {
		if *count < 1 || *count > maxSweepSeeds {
			return exitUsage, usagef("--count: %d is outside 1..%d", *count, maxSweepSeeds)
		}
		seeds, _ = parseSeeds("1.." + strconv.Itoa(*count))
	}
	if *shard != "" {
		i, n, err := parseShard(*shard)
		if err != nil {
			return exitUsage, usageError{err}
		}
		seeds = shardSeeds(seeds, i, n)
	}
	if *workers < 0 {
		return exitUsage, usagef("--workers: %d is negative", *workers)
	}
	if err := rf.cfg.Validate(); err != nil {
		return exitUsage, usageError{err}
	}
	jobs := make([]job, len(seeds))
	for k, s := range seeds {
		cfg := rf.cfg
		cfg.Seed = s
		jobs[k] = job{Index: k, Label: "seed " + strconv.FormatUint(s, 10), Cfg: cfg, KeepAll: *keepAll}
	}
	sum, err := sweepJobs(jobs, *workers, *failFast, *progress, stderr)
	if err != nil {
		return exitUsage, err
	}
	if rf.jsonOut {
		if err := writeJSON(stdout, sum); err != nil {
			return exitInternal, err
		}
	} else {
		printSweep(stdout, sum)
	}
	return sweepCode(sum), nil
}

// sweepJobs runs jobs in parallel with a progress bar and Ctrl-C handling.
func sweepJobs(jobs []job, workers int, failFast, progress bool, stderr io.Writer) (*sweepSummary, error) {
	return sweepJobsWith(jobs, workers, failFast, progress, stderr, nil)
}

// sweepJobsWith is sweepJobs with a hook called on every finished job.
func sweepJobsWith(jobs []job, workers int, failFast, progress bool, stderr io.Writer, each func(outcome)) (*sweepSummary, error) {
	start := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
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
	sum := &sweepSummary{Failures: []sweepFailure{}}
	var firstErr error
	runPool(ctx, jobs, workers, failFast, func(o outcome) {
		if each != nil {
			each(o)
		}
		sum.Seeds++
		switch {
		case o.Err != nil:
			sum.Errors++
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", o.Label, o.Err)
			}
			sum.Failures = append(sum.Failures, sweepFailure{Seed: o.Cfg.Seed, Label: o.Label, Verdict: "error",
				Reasons: []string{o.Err.Error()}, Replay: raftcheck.ReplayCommand(o.Cfg)})
		case o.Res.Verdict == raftcheck.Valid:
			sum.Valid++
		default:
			if o.Res.Verdict == raftcheck.Invalid {
				sum.Invalid++
			} else {
				sum.Unknown++
			}
			sum.Failures = append(sum.Failures, sweepFailure{Seed: o.Res.Seed, Label: o.Label, Verdict: o.Res.Verdict,
				Reasons: o.Res.Reasons, Replay: o.Res.Replay, Store: o.Res.Store})
		}
		if bar != nil {
			bar.Describe(fmt.Sprintf("sweep (%d failing)", len(sum.Failures)))
			_ = bar.Add(1)
		}
	})
	if bar != nil {
		_ = bar.Finish()
	}
	sum.Interrupted = ctx.Err() != nil
	sum.WallSeconds = time.Since(start).Seconds()
	sort.Slice(sum.Failures, func(i, j int) bool { return sum.Failures[i].Seed < sum.Failures[j].Seed })
	if sum.Errors > 0 && sum.Errors == sum.Seeds {
		// Every run failed to start: a configuration problem, not a finding.
		return nil, usageError{firstErr}
	}
	return sum, nil
}

func sweepCode(s *sweepSummary) int {
	switch {
	case s.Errors > 0:
		return exitInternal
	case s.Invalid > 0:
		return exitInvalid
	case s.Unknown > 0 || s.Interrupted:
		return exitUnknown
	}
	return exitValid
}

func printSweep(w io.Writer, s *sweepSummary) {
	state := ""
	if s.Interrupted {
		state = " (interrupted: finished seeds only)"
	}
	fmt.Fprintf(w, "%d seeds in %.1f s%s: %d valid, %d invalid, %d unknown, %d errors\n",
		s.Seeds, s.WallSeconds, state, s.Valid, s.Invalid, s.Unknown, s.Errors)
	if len(s.Failures) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%-12s %-8s %s\n", "SEED", "VERDICT", "FIRST REASON / REPLAY")
	for _, f := range s.Failures {
		reason := ""
		if len(f.Reasons) > 0 {
			reason = f.Reasons[0]
		}
		label := strconv.FormatUint(f.Seed, 10)
		if f.Label != "" && !strings.HasPrefix(f.Label, "seed ") {
			label = f.Label
		}
		fmt.Fprintf(w, "%-12s %-8s %s\n%-12s %-8s replay: %s\n", label, f.Verdict, reason, "", "", f.Replay)
		if f.Store != "" {
			fmt.Fprintf(w, "%-12s %-8s reports: %s\n", "", "", f.Store)
		}
	}
}
