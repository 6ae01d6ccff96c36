package live

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// isolation is the partition scenario of the example node's tests, on 3
// nodes: client threads 0..2 only read, each pinned to its own node, so
// every node, the isolated one included, keeps serving reads if it is
// willing to; threads 3..5 write through any node, values drawn from 1000
// so that every write is practically unique. Phases, each waiting for its
// evidence (bounded by timeout):
//
//	warm-up  until 5 writes are ok;
//	isolate  the node that served the latest write (the leader, as the
//	         clients see it) until the other two served 10 writes invoked
//	         after the cut and the reader pinned to the isolated node
//	         completed a read invoked after the cut, and, if stale is set,
//	         until the isolated node served 5 reads of a value older than
//	         such a completed write;
//	heal     until 10 more ops are ok.
type isolation struct {
	stale    bool
	isolated int
	cutAt    int64
	healAt   int64
}

const isolationNodes = 3

func (s *isolation) config(t *testing.T, args ...string) Config {
	return Config{
		Bin: exampleNode, Args: args, Nodes: isolationNodes, Dir: t.TempDir(), Seed: 1,
		Workload: clients.Register, Clients: 2 * isolationNodes, RegisterValues: 1000, OpTimeout: 500 * time.Millisecond,
		ClientConfig: func(thread int, c *clients.Config) {
			if thread < isolationNodes {
				c.Servers = []int{thread + 1}
				c.Mix = []clients.Weight{{F: "read", Weight: 1}}
			} else {
				c.Mix = []clients.Weight{{F: "write", Weight: 1}}
			}
		},
		Phases: []Phase{
			{Name: "warm-up", Max: timeout, Until: func(c *Control) bool { return len(okOps(c.History(), "write")) >= 5 }},
			{Name: "isolate", Max: timeout, Start: s.cut, Until: s.cutDone},
			{Name: "heal", Max: timeout, Start: s.heal, Until: func(c *Control) bool { return s.okSince(c.History(), s.healAt) >= 10 }},
		},
	}
}

func (s *isolation) cut(c *Control) error {
	leader, ok := lastWriter(c.History())
	if !ok {
		return assert.AnError
	}
	s.isolated, s.cutAt = leader, c.Now()
	return c.Isolate(leader)
}

func (s *isolation) heal(c *Control) error {
	c.Heal()
	s.healAt = c.Now()
	return nil
}

func (s *isolation) okSince(h histories.History, since int64) int {
	inv := invokeTimes(h)
	n := 0
	for _, op := range okOps(h, "") {
		if inv[op.Index] >= since {
			n++
		}
	}
	return n
}

// majorityWrites returns the ok writes the other nodes served, invoked
// after the cut.
func (s *isolation) majorityWrites(h histories.History) []histories.Op {
	inv := invokeTimes(h)
	var out []histories.Op
	for _, op := range okOps(h, "write") {
		if op.Node-1 != s.isolated && inv[op.Index] >= s.cutAt {
			out = append(out, op)
		}
	}
	return out
}

// staleReads counts the reads the isolated node served, invoked after the
// completion of a majority write of another value: a correct node cannot
// serve them (the write completed first, and it is not the value read).
func (s *isolation) staleReads(h histories.History) int {
	inv := invokeTimes(h)
	writes := s.majorityWrites(h)
	n := 0
	for _, r := range okOps(h, "read") {
		if r.Node-1 != s.isolated || inv[r.Index] < s.cutAt {
			continue
		}
		for _, w := range writes {
			if w.Time < inv[r.Index] && w.Value != r.Value {
				n++
				break
			}
		}
	}
	return n
}

// isolatedReads returns the completions of the reader pinned to the
// isolated node (its thread, and so its process: reads never end info)
// invoked after the cut and completed before until.
func (s *isolation) isolatedReads(h histories.History, until int64) []histories.Op {
	inv := invokeTimes(h)
	var out []histories.Op
	for _, op := range h {
		if op.Process == s.isolated && op.Type != histories.Invoke && inv[op.Index] >= s.cutAt && op.Time <= until {
			out = append(out, op)
		}
	}
	return out
}

func (s *isolation) cutDone(c *Control) bool {
	h := c.History()
	if len(s.majorityWrites(h)) < 10 || len(s.isolatedReads(h, c.Now())) == 0 {
		return false
	}
	return !s.stale || s.staleReads(h) >= 5
}

func runIsolation(t *testing.T, stale bool, args ...string) (*Result, *isolation) {
	t.Helper()
	s := &isolation{stale: stale}
	res, err := Run(context.Background(), s.config(t, args...))
	require.NoError(t, err)
	for _, p := range res.Phases {
		require.True(t, p.Until, "phase %s found its evidence (ran %v)", p.Name, p.Duration)
	}
	return res, s
}

func TestExampleNodeSurvivesAnIsolatedLeader(t *testing.T) {
	res, s := runIsolation(t, false)
	assert.Equal(t, checker.Valid, res.Verdict, "%v", res.Reasons)
	assert.Equal(t, checker.LinOK, res.Lin.Result)
	assert.Empty(t, res.Faults, "the example node follows the protocol")
	assert.NotZero(t, res.Stats.PeerMessages)
	assert.NotZero(t, res.Net.DroppedPartition, "the partition dropped real traffic")
	// The partition acted on what the clients saw: no read the reader
	// pinned to the isolated node asked for during the cut succeeded.
	reads := s.isolatedReads(res.History, s.healAt)
	require.NotEmpty(t, reads)
	for _, op := range reads {
		assert.NotEqual(t, histories.OK, op.Type, "op %d: a read of the isolated node succeeded: %+v", op.Index, op)
	}
	assert.Zero(t, s.staleReads(res.History), "a correct node serves no stale read")
}

func TestUnsafeReadsAreCaught(t *testing.T) {
	res, s := runIsolation(t, true, "--unsafe-reads")
	assert.Equal(t, checker.Invalid, res.Verdict, "stale reads of n%d under the partition: %d", s.isolated, s.staleReads(res.History))
	assert.Equal(t, checker.LinIllegal, res.Lin.Result)
	require.NotEmpty(t, res.Reasons)
	// The anomaly's sentence first when it was classified, then the verdict.
	assert.True(t, strings.HasPrefix(res.Reasons[0], "linearizability: "), "first reason: %q", res.Reasons[0])
	assert.True(t, slices.ContainsFunc(res.Reasons, func(r string) bool { return strings.Contains(r, "not linearizable") }), "%v", res.Reasons)
}
