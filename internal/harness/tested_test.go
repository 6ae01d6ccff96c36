package harness

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/sim"
)

// TestRunThatTestedNothingIsUnknown: issue 15 part 3. A run whose history
// constrains nothing is never valid, and a cluster that could never serve
// an operation (no leader, every operation timed out) is not reported as
// a liveness bug found: the verdict is unknown, with the reason first.
func TestRunThatTestedNothingIsUnknown(t *testing.T) {
	for _, c := range []struct {
		name   string
		edit   func(o *options.Options)
		reason string
	}{
		{"no operation invoked", func(o *options.Options) { o.Rate = 1e-12 }, "nothing was tested: no client invoked an operation"},
		{"only overlapping operations", func(o *options.Options) {
			o.MaxTime, o.RecoveryTime, o.Rate = 1, 0, 0
		}, "too little was tested: the 10 ok operations all overlap in time"},
		{"every operation timed out", func(o *options.Options) { o.OpTimeout = time.Microsecond }, "nothing was tested: no operation completed ok"},
		{"no leader ever", func(o *options.Options) {
			o.Net.Latency = sim.Dist{Kind: sim.Constant, Mean: 3 * sim.Second}
		}, "the cluster could not elect a leader under this config"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := quick(1)
			o.MaxTime = 5 * time.Second
			c.edit(&o)
			_, out := execute(t, o)
			cr := out.Checked
			assert.Equal(t, checker.Unknown, cr.Verdict, "reasons: %q", cr.Reasons)
			require.NotEmpty(t, cr.Reasons)
			assert.Contains(t, cr.Reasons[0], c.reason, "the reason comes first")
			assert.NotEqual(t, checker.LivenessFailed, cr.Liveness, "no liveness failure counted against a run that tested nothing")
			for _, r := range cr.Reasons[1:] {
				if strings.HasPrefix(r, "liveness") {
					assert.True(t, strings.HasPrefix(r, "liveness (not counted: nothing was tested): "), r)
				}
			}
		})
	}
}

// TestStandardRunTestedSomething: the rule leaves an ordinary run alone.
func TestStandardRunTestedSomething(t *testing.T) {
	_, out := execute(t, quick(1))
	assert.Equal(t, checker.Valid, out.Checked.Verdict, "%q", out.Checked.Reasons)
}

// TestUntestedKeepsSafetyFindings: a violated invariant is a bug found even
// in a run whose clients got nothing done; only liveness is set aside.
func TestUntestedKeepsSafetyFindings(t *testing.T) {
	checks := checker.Checks{
		Invariants: []checker.Violation{{Invariant: checker.ElectionSafety, Evidence: "two leaders", Count: 1}},
		Liveness:   &checker.LivenessResult{Status: checker.LivenessFailed, Reasons: []string{"no node became leader"}},
	}
	why := "nothing was tested: no operation completed ok"
	setAside := judgeUntested(why, &checks)
	cr := checker.Combine(checks)
	markUntested(why, setAside, &cr)
	assert.Equal(t, checker.Invalid, cr.Verdict)
	assert.Equal(t, checker.LivenessSkipped, cr.Liveness)
	require.Len(t, cr.Reasons, 3)
	assert.Equal(t, why, cr.Reasons[0])
	assert.Contains(t, cr.Reasons[1], checker.ElectionSafety)
	assert.Equal(t, "liveness (not counted: nothing was tested): no node became leader", cr.Reasons[2])

	// Nothing untested: nothing changes.
	checks = checker.Checks{Liveness: &checker.LivenessResult{Status: checker.LivenessFailed, Reasons: []string{"x"}}}
	assert.Nil(t, judgeUntested("", &checks))
	cr = checker.Combine(checks)
	markUntested("", nil, &cr)
	assert.Equal(t, checker.Invalid, cr.Verdict)
	assert.Equal(t, []string{"liveness: x"}, cr.Reasons)
}

// TestRealTimeOrdered: two ok operations are ordered when one was invoked
// after the other completed; fail completions and the nemesis do not count.
func TestRealTimeOrdered(t *testing.T) {
	op := func(p int, typ histories.Type, at int64) histories.Op {
		return histories.Op{Process: p, Type: typ, F: "get", Key: "k", Time: at}
	}
	inv, ok, fail := histories.Invoke, histories.OK, histories.Fail
	for _, c := range []struct {
		name string
		h    histories.History
		want bool
	}{
		{"empty", nil, false},
		{"one op", histories.History{op(0, inv, 1), op(0, ok, 2)}, false},
		{"overlapping", histories.History{op(0, inv, 1), op(1, inv, 2), op(0, ok, 3), op(1, ok, 4)}, false},
		{"sequential", histories.History{op(0, inv, 1), op(0, ok, 2), op(0, inv, 3), op(0, ok, 4)}, true},
		{"across processes", histories.History{op(0, inv, 1), op(0, ok, 2), op(1, inv, 3), op(1, ok, 4)}, true},
		{"after a fail only", histories.History{op(0, inv, 1), op(0, fail, 2), op(1, inv, 3), op(1, ok, 4)}, false},
		{"nemesis between", histories.History{op(0, inv, 1), op(0, ok, 2), op(histories.NemesisProcess, histories.Info, 3), op(1, inv, 4), op(1, fail, 5)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, realTimeOrdered(c.h))
		})
	}
}

// TestSetupErrorsNameTheirPackageOnce: an error from the clients' or the
// nemesis' own validation is not prefixed twice ("clients: clients: ...").
func TestSetupErrorsNameTheirPackageOnce(t *testing.T) {
	o := quick(1)
	o.Rate = 2e9
	_, _, err := Execute(context.Background(), o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "clients: Rate")
	assert.NotContains(t, err.Error(), "clients: clients:")

	o = quick(1)
	o.Nemesis.Interval = 1 // under nemesis.MinInterval
	_, _, err = Execute(context.Background(), o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nemesis: interval")
	assert.NotContains(t, err.Error(), "nemesis: nemesis:")
}
