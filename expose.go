package raftcheck

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/internal/harness"
	"github.com/raftcheck/raftcheck/internal/pool"
)

// Exposing a planted bug: BugConfig gives the run that shows it, Findings
// names what a run's checkers found, and SweepUntilCaught runs seeds until one
// of them catches the bug with the checker its catalog entry expects.

// BugConfig returns the standard run with bug name planted and its exposure
// recipe applied: the faults, workload and knobs that make it show up (see
// Bug.Exposure). Sweeping its seeds catches the bug within Bug.Budget seeds.
func BugConfig(name BugName) (Config, error) {
	b, ok := LookupBug(name)
	if !ok {
		return Config{}, fmt.Errorf("bug: %w", errUnknownBug(name))
	}
	cfg := DefaultConfig()
	b.Apply(&cfg)
	return cfg, nil
}

// LookupBug returns the catalog entry of the bug called name.
func LookupBug(name BugName) (Bug, bool) {
	for _, b := range bugCatalog {
		if b.Name == name {
			return b, true
		}
	}
	return Bug{}, false
}

// Apply plants b in cfg and applies its exposure recipe; cfg.Name becomes
// "bug-<name>" so stored runs group by bug. Other planted bugs stay.
func (b Bug) Apply(cfg *Config) {
	cfg.Name = "bug-" + string(b.Name)
	cfg.Bugs = append(append([]BugName(nil), cfg.Bugs...), b.Name)
	if b.expose != nil {
		b.expose(cfg)
	}
	if cfg.CheckSteps == 0 || cfg.CheckSteps > exposeCheckSteps {
		cfg.CheckSteps = exposeCheckSteps
	}
}

// exposeCheckSteps bounds each porcupine search of an exposure run's check
// (Config.CheckSteps). A broken cluster leaves many operations of unknown
// outcome, which can send porcupine's search exponential (tens of seconds on
// a 2,000-op history); such a run's linearizability verdict is unknown —
// never valid — and the sweep goes on to the next seed unless another
// checker caught the bug. A step bound rather than a timeout, so that which
// seed catches a bug does not depend on the machine's speed: two million
// steps take one to three seconds on a 2-core machine, and the verdicts of
// the catalog's exposures (and of their controls) up to their catching seed
// need under 10,000 per segment. The run's own
// timeout (60s by default) stays as a safety net.
const exposeCheckSteps = 2_000_000

// controlConfig is cfg, an exposure of b, without the bug: the same faults and
// knobs on a correct system, which must pass (else the recipe, not the bug,
// fails the run).
func (b Bug) controlConfig(cfg Config) Config {
	var kept []BugName
	for _, n := range cfg.Bugs {
		if n != b.Name {
			kept = append(kept, n)
		}
	}
	cfg.Bugs = kept
	if b.control != nil {
		b.control(&cfg)
	}
	return cfg
}

// Finding labels, besides the invariant names (checker.ElectionSafety, ...)
// and the cheap checks' names (checker.CheckDigest, checker.CheckAppendLost,
// ...), as Findings reports them.
const (
	FindLinearizability = harness.FindLinearizability // the history is not linearizable
	FindLiveness        = harness.FindLiveness        // no leader or no progress after the final heal
	FindAnomaly         = harness.FindAnomaly         // a node's own safety assertion fired (an impossible message or state)
	FindPanic           = harness.FindPanic           // the Raft under test panicked on a failed assertion (raft.AssertionFailure); the run stopped there
	FindChurn           = harness.FindChurn           // election churn: terms kept rising or leaders kept changing with no fault active
)

// Findings names what r's checkers found, sorted: FindLinearizability, every
// violated invariant, FindLiveness, FindChurn, and the name of every cheap check that
// reported a problem (FindAnomaly among them).
func Findings(r *Result) []string {
	var out []string
	if r.Linearizability == string(checker.LinIllegal) {
		out = append(out, FindLinearizability)
	}
	for _, v := range r.Invariants {
		out = append(out, v.Invariant)
	}
	if r.Liveness == checker.LivenessFailed {
		out = append(out, FindLiveness)
	}
	if r.Churn == checker.LivenessFailed {
		out = append(out, FindChurn)
	}
	for _, p := range r.Problems {
		out = append(out, p.Check)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Caught returns the findings of r that catch b (those its entry expects).
func (b Bug) Caught(r *Result) []string {
	var out []string
	for _, f := range Findings(r) {
		if slices.Contains(b.Catches, f) {
			out = append(out, f)
		}
	}
	return out
}

// Catch is the outcome of sweeping seeds until a run catches a bug.
type Catch struct {
	Seed  uint64   // the first catching seed; 0 when none did
	Seeds int      // seeds run up to and including Seed (all of them when none caught)
	Found []string // the expected findings of the catching run
	// At is the simulated time at which the first of them became visible:
	// an invariant's first breach, a node's first failed assertion, the
	// completion of the last operation of a linearizability counterexample,
	// the end of the recovery window for liveness.
	At     time.Duration
	Result *Result // the catching run
	// Unknown counts the runs before the catch (or of the whole sweep) whose
	// verdict was unknown: a sweep with --fail-fast stops at the first.
	Unknown int
}

// SweepUntilCaught runs cfg on seeds in order, workers at a time (0: GOMAXPROCS),
// until a run catches b, and returns the first (lowest-position) catching
// seed: the answer does not depend on workers. Runs are not stored. An error
// is a run that could not be carried out, or ctx ending (with the seeds
// finished so far in the Catch).
func SweepUntilCaught(ctx context.Context, cfg Config, b Bug, seeds []uint64, workers int) (Catch, error) {
	return sweepUntil(ctx, cfg, b, seeds, workers, b.Caught)
}

// sweepUntil is SweepUntilCaught with the findings that count as a catch
// chosen by caught.
func sweepUntil(ctx context.Context, cfg Config, b Bug, seeds []uint64, workers int, caught func(*Result) []string) (Catch, error) {
	cfg.Store = ""
	type outcome struct {
		res   *Result
		found []string
		at    time.Duration
		err   error
		done  bool
	}
	outs := make([]outcome, len(seeds))
	// The pool starts seeds in order and stops starting them at the first
	// catch (or error): every seed before a catch has run, so the lowest
	// catch is the same whatever the workers.
	pool.Run(ctx, len(seeds), workers,
		func(i int) outcome {
			c := cfg
			c.Seed = seeds[i]
			res, at, err := runTimed(ctx, c, caught)
			o := outcome{res: res, err: err, done: true}
			if err == nil {
				o.found = caught(res)
				o.at = at
			}
			return o
		},
		func(_ int, o outcome) bool { return o.err != nil || len(o.found) > 0 },
		func(i int, o outcome) { outs[i] = o })
	unknown := 0
	for i := range outs {
		o := &outs[i]
		if !o.done {
			return Catch{Seeds: i}, fmt.Errorf("bug %s: sweep stopped at seed %d: %w", b.Name, seeds[i], ctx.Err())
		}
		if o.err != nil {
			return Catch{Seeds: i + 1}, fmt.Errorf("bug %s: seed %d: %w", b.Name, seeds[i], o.err)
		}
		if len(o.found) > 0 {
			return Catch{Seed: seeds[i], Seeds: i + 1, Found: o.found, At: o.at, Result: o.res, Unknown: unknown}, nil
		}
		if o.res.Verdict == Unknown {
			unknown++
		}
	}
	return Catch{Seeds: len(seeds), Unknown: unknown}, nil
}

// runTimed is RunContext without the store, that also reports when the
// first of the findings caught picks became visible in simulated time (0
// when none did).
func runTimed(ctx context.Context, cfg Config, caught func(*Result) []string) (*Result, time.Duration, error) {
	x, out, res, err := execute(ctx, cfg, time.Now())
	if err != nil {
		return nil, 0, err
	}
	first := int64(-1)
	for _, f := range caught(res) {
		if t := x.FindingTime(out, f); t >= 0 && (first < 0 || t < first) {
			first = t
		}
	}
	return res, time.Duration(max(first, 0)), nil
}
