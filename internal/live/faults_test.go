package live

import (
	"context"
	"testing"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failedReads returns the completions of the reader pinned to node i
// (thread i) invoked in [from, to] and completed by to.
func pinnedReads(h histories.History, i int, from, to int64) []histories.Op {
	inv := invokeTimes(h)
	var out []histories.Op
	for _, op := range h {
		if op.Process == i && op.Type != histories.Invoke && inv[op.Index] >= from && op.Time <= to {
			out = append(out, op)
		}
	}
	return out
}

func TestExampleNodeRecoversFromKillAndPause(t *testing.T) {
	// The isolation scenario's clients, other faults: kill the leader
	// until the other two have moved on, restart it from its directory,
	// then pause another node so that the restarted one must take part in
	// every quorum.
	s := &isolation{}
	cfg := s.config(t)
	var killed, paused int
	var killAt, restartAt, pauseAt, resumeAt int64
	writesSince := func(h histories.History, since int64, not int) int {
		inv := invokeTimes(h)
		n := 0
		for _, op := range okOps(h, "write") {
			if op.Node-1 != not && inv[op.Index] >= since {
				n++
			}
		}
		return n
	}
	cfg.Phases = []Phase{
		cfg.Phases[0],
		{Name: "kill", Max: timeout,
			Start: func(c *Control) error {
				killed, _ = lastWriter(c.History())
				killAt = c.Now()
				return c.Kill(killed)
			},
			Until: func(c *Control) bool {
				h := c.History()
				return writesSince(h, killAt, killed) >= 10 && len(pinnedReads(h, killed, killAt, c.Now())) > 0
			}},
		{Name: "restart", Max: timeout,
			Start: func(c *Control) error { restartAt = c.Now(); return c.Restart(killed) },
			Until: func(c *Control) bool { return c.Ready(killed) }},
		{Name: "pause", Max: timeout,
			Start: func(c *Control) error {
				paused, _ = lastWriter(c.History())
				if paused == killed {
					paused = (killed + 1) % isolationNodes
				}
				pauseAt = c.Now()
				return c.Pause(paused)
			},
			Until: func(c *Control) bool {
				h := c.History()
				return writesSince(h, pauseAt, paused) >= 10 && len(pinnedReads(h, paused, pauseAt, c.Now())) > 0
			}},
		{Name: "resume", Max: timeout,
			Start: func(c *Control) error { resumeAt = c.Now(); return c.Resume(paused) },
			Until: func(c *Control) bool { return s.okSince(c.History(), resumeAt) >= 10 }},
	}
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	for _, p := range res.Phases {
		require.True(t, p.Until, "phase %s found its evidence (ran %v)", p.Name, p.Duration)
	}
	assert.Equal(t, checker.Valid, res.Verdict, "%v", res.Reasons)
	assert.Empty(t, res.Faults, "a kill the harness ordered is no fault of the node")

	// Each fault changed what the clients saw: the killed node's and the
	// paused node's readers got no answer while it lasted...
	for _, op := range pinnedReads(res.History, killed, killAt, restartAt) {
		assert.NotEqual(t, histories.OK, op.Type, "read of killed n%d: %+v", killed, op)
	}
	for _, op := range pinnedReads(res.History, paused, pauseAt, resumeAt) {
		assert.NotEqual(t, histories.OK, op.Type, "read of paused n%d: %+v", paused, op)
	}
	// ...and with one node paused, the restarted one was in every quorum
	// that served the pause phase's writes.
	assert.GreaterOrEqual(t, writesSince(res.History, pauseAt, paused), 10)
	var nemesis []string
	for _, op := range res.History {
		if op.Process == histories.NemesisProcess {
			nemesis = append(nemesis, op.F)
		}
	}
	assert.Equal(t, []string{"start-kill", "stop-kill", "start-pause", "stop-pause"}, nemesis)
}
