package harness

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// panicky wraps the built-in node: node 2 panics with what its panic
// function returns at its 1000th Step (a fixed point in a seeded run).
type panicky struct {
	raft.Consensus
	id    uint64
	steps *int
	with  func(term uint64) any
}

func (p panicky) Step(m raft.Message) error {
	if p.id == 2 {
		*p.steps++
		if *p.steps == 1000 {
			panic(p.with(p.Status().Term))
		}
	}
	return p.Consensus.Step(m)
}

// panickyRun runs a short standard run on the built-in, node 2 panicking
// with what with returns.
func panickyRun(with func(term uint64) any) (*Execution, *Outcome, error) {
	o := quick(4)
	o.MaxTime = 10 * time.Second
	steps := 0 // across node 2's restarts
	o.Raft.Factory = func(cfg raft.Config, p raft.Persisted) (raft.Consensus, error) {
		n, err := raft.New(cfg, p)
		if err != nil {
			return nil, err
		}
		return panicky{Consensus: n, id: cfg.ID, steps: &steps, with: with}, nil
	}
	return Execute(context.Background(), o)
}

// TestImplementationPanicIsAFinding: a failed assertion of the Raft under
// test (a raft.AssertionFailure, also wrapped in an error) stops the run
// where it happened and is an invalid verdict naming the node, its term, the
// message and the seed; the history recorded until then is still checked,
// liveness is not; the node table and the timeline show the node down; the
// run reproduces (same trace hash).
func TestImplementationPanicIsAFinding(t *testing.T) {
	for name, with := range map[string]func(term uint64) any{
		"assertion": func(term uint64) any {
			return &raft.AssertionError{Node: 2, Term: term, Detail: "log compacted without a snapshot"}
		},
		"wrapped": func(term uint64) any {
			return errors.Join(errors.New("while stepping"), &raft.AssertionError{Node: 2, Term: term, Detail: "log compacted without a snapshot"})
		},
	} {
		t.Run(name, func(t *testing.T) {
			x, out, err := panickyRun(with)
			require.NoError(t, err, "the implementation's panic is no internal error")
			res := &out.Checked
			assert.Equal(t, checker.Invalid, res.Verdict)
			require.Len(t, res.Problems, 1, "%v", res.Reasons)
			p := res.Problems[0]
			assert.Equal(t, FindPanic, p.Check)
			assert.Equal(t, []int{2}, p.Nodes)
			assert.Contains(t, p.Detail, "node 2 (term ")
			assert.Contains(t, p.Detail, "(seed 4)")
			assert.Contains(t, p.Detail, "assertion failed: log compacted without a snapshot")
			assert.Contains(t, res.Reasons, p.String())

			assert.Equal(t, string(checker.LinOK), res.Linearizability, "the history up to the panic is checked")
			assert.Equal(t, checker.LivenessSkipped, res.Liveness)
			h := x.History()
			require.NotEmpty(t, h)
			assert.Positive(t, res.Stats.OK)
			for _, op := range h {
				assert.LessOrEqual(t, op.Time, int64(x.endTime), "nothing recorded after the panic")
			}
			assert.Zero(t, x.healTime, "the run stopped at the panic, before the final heal")
			assert.Less(t, x.endTime, x.setupTime+sim.Time(10*time.Second))
			at := x.FindingTime(out, FindPanic)
			assert.Equal(t, int64(x.endTime), at)

			var row2 bool
			for _, r := range out.Nodes {
				if r.ID == 2 {
					row2 = true
					assert.Equal(t, "panicked", r.State)
					assert.False(t, r.Alive)
				} else {
					assert.NotEqual(t, "panicked", r.State)
				}
			}
			assert.True(t, row2)
			last := x.obs.nodeEvents[len(x.obs.nodeEvents)-1]
			assert.Equal(t, 2, last.Node)
			assert.Equal(t, "down", last.Kind.String())

			_, again, err := panickyRun(with)
			require.NoError(t, err)
			assert.Equal(t, res.Stats.TraceHash, again.Checked.Stats.TraceHash)
		})
	}
}

// TestOwnPanicIsInternal: a panic with anything but an implementation's
// failed assertion — raftcheck's own failure, including a plain panic in
// the built-in's code — is an internal error naming the seed.
func TestOwnPanicIsInternal(t *testing.T) {
	for name, with := range map[string]func(uint64) any{
		"string": func(uint64) any { return "kvstore: exec of an unknown operation" },
		"error":  func(uint64) any { return errors.New("index out of range") },
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := panickyRun(with)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInternal)
			assert.ErrorContains(t, err, "seed 4 at ")
			assert.ErrorContains(t, err, "panic: "+fmt.Sprint(with(0)))
		})
	}
}
