package raftchecktest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck"
)

// Check runs cfg and fails t unless the verdict is valid. A failing run's
// reports are kept in ArtifactsDir(t) and the failure message gives the
// seed, every reason, where the reports are, the go test command that
// reruns t and a go run command that replays the run (ReplayCommand). A
// passing run writes nothing and logs its seed (shown by go test -v).
// cfg.Store and cfg.StoreFailuresOnly are ignored: the Artifacts option and
// $RAFTCHECK_ARTIFACTS choose the directory.
//
// A config that cannot run, and a run stopped by the test's deadline or the
// Context option, stop the test (t.Fatalf) with the seed and the commands.
// Under go test -short, cfg.MaxTime is capped (see ShortMaxTime,
// SkipShort). Check returns the result for further assertions; nil when the
// run did not finish.
func Check(t testing.TB, cfg raftcheck.Config, opts ...Option) *raftcheck.Result {
	t.Helper()
	return check(t, cfg, collect(opts))
}

// Sweep runs cfg once per seed, each as a parallel subtest
// sweep/seed=<seed> that checks it as Check does, and returns when all have
// finished, with their results in the order of seeds (nil for a seed whose
// run did not finish). go test -run 'TestX/sweep/seed=7' reruns one seed,
// and each failure's message says so. Under go test -short only the first
// ShortSeeds seeds run, each shortened as Check shortens it; go test
// -parallel bounds how many run at once.
func Sweep(t *testing.T, cfg raftcheck.Config, seeds []uint64, opts ...Option) []*raftcheck.Result {
	t.Helper()
	o := collect(opts)
	if isShort(t) && o.skipShort {
		t.Skipf("raftcheck: skipped under -short")
	}
	if isShort(t) && len(seeds) > o.shortSeeds {
		t.Logf("raftcheck: -short: running %d of the %d seeds", max(o.shortSeeds, 0), len(seeds))
		seeds = seeds[:max(o.shortSeeds, 0)]
	}
	results := make([]*raftcheck.Result, len(seeds))
	t.Run("sweep", func(t *testing.T) {
		for i, seed := range seeds {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				c := cfg
				c.Seed = seed
				results[i] = check(t, c, o)
			})
		}
	})
	return results
}

// Seeds returns n seeds from first on: first, first+1, ...
func Seeds(first uint64, n int) []uint64 {
	out := make([]uint64, 0, max(n, 0))
	for i := range max(n, 0) {
		out = append(out, first+uint64(i))
	}
	return out
}

// Replay reruns the run stored at path (a run directory, as a failure
// message names it, or its results.json) and checks it as Check does: a
// regression test for a failure once found, e.g. one a CI job uploaded and
// you copied into testdata. It logs whether the rerun's trace hash is the
// recorded one: it differs once the code under test has changed, which is
// the point of a regression test, so that is not a failure. -short does not
// shorten it. A path that holds no stored run stops the test.
func Replay(t testing.TB, path string, opts ...Option) *raftcheck.Result {
	t.Helper()
	stored, cfg, err := raftcheck.LoadRun(path)
	if err != nil {
		t.Fatalf("raftcheck: replay: %v", err)
		return nil
	}
	o := collect(opts)
	o.noShort = true
	res := check(t, cfg, o)
	switch {
	case res == nil:
	case res.TraceHash == stored.TraceHash:
		t.Logf("raftcheck: replay of %s: the same run, trace hash %s", path, res.TraceHash)
	default:
		t.Logf("raftcheck: replay of %s: trace hash %s, recorded %s: the code under test (or raftcheck) changed since the run was recorded", path, res.TraceHash, stored.TraceHash)
	}
	return res
}

// check is Check with its options collected.
func check(t testing.TB, cfg raftcheck.Config, o *options) *raftcheck.Result {
	t.Helper()
	if isShort(t) && !o.noShort {
		if o.skipShort {
			t.Skipf("raftcheck: seed %d: skipped under -short", cfg.Seed)
			return nil
		}
		if o.shortMaxTime > 0 && time.Duration(cfg.MaxTime) > o.shortMaxTime {
			t.Logf("raftcheck: -short: max time %v instead of %v", o.shortMaxTime, time.Duration(cfg.MaxTime))
			cfg.MaxTime = raftcheck.Duration(o.shortMaxTime)
		}
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("raftcheck: seed %d: %v", cfg.Seed, err)
		return nil
	}
	cfg.Store, cfg.StoreFailuresOnly = artifactsDir(t, o.artifacts), true
	ctx, stop, g := runContext(t, o)
	defer stop()
	res, err := raftcheck.RunContext(ctx, cfg)
	switch {
	case res == nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		t.Fatalf("raftcheck: seed %d: %s:\n  %v\n%s", cfg.Seed, stoppedBy(err, g), err, commands(t, cfg, g))
		return nil
	case res == nil:
		t.Fatalf("raftcheck: seed %d: %v\n%s", cfg.Seed, err, commands(t, cfg, 0))
		return nil
	case err != nil:
		// The run finished but its reports could not all be written.
		t.Errorf("raftcheck: seed %d: keeping the reports: %v", cfg.Seed, err)
	}
	if res.Failed() {
		t.Errorf("%s", failure(t, cfg, res, g))
	} else {
		t.Logf("raftcheck: seed %d: %s: %d ops over %.0fs simulated, trace %s", res.Seed, res.Verdict, res.Stats.Ops.Invoked, res.Stats.SimSeconds, res.TraceHash)
	}
	return res
}

// failure is the message of a failing run.
func failure(t testing.TB, cfg raftcheck.Config, res *raftcheck.Result, g time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "raftcheck: seed %d: verdict %s\n", res.Seed, res.Verdict)
	for _, r := range res.Reasons {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	if res.Store != "" {
		fmt.Fprintf(&b, "  reports: %s\n", res.Store)
	}
	b.WriteString(commands(t, cfg, g))
	return b.String()
}

// commands are the lines that rerun the test and replay the run. When the
// test has a deadline, finding the replay's version (go list) gets at most
// half the grace g, so the failure is reported before the deadline.
func commands(t testing.TB, cfg raftcheck.Config, g time.Duration) string {
	limit := goListTimeout
	if g > 0 {
		limit = min(limit, g/2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	return "  rerun:  " + RerunCommand(t) + "\n  replay: " + replayCommand(ctx, cfg)
}
