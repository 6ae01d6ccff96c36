package live

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pyNode returns the Python test subject (testdata/pynode/primary.py: every
// request serialized by the first node; with --stale-reads, reads served
// from each node's lagging copy), or skips the test without python3. It is
// written from Maelstrom's protocol documents, apart from raftcheck's own
// node, to show live mode working with a node in another language.
func pyNode(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: the foreign-node tests need it")
	}
	p, err := filepath.Abs("testdata/pynode/primary.py")
	require.NoError(t, err)
	return p
}

// pyConfig runs the Python node on 3 nodes with the kv workload (two keys,
// unique values): client threads 0..2 read only, each pinned to its own
// node (n0, n1, n2); threads 3..5 write through any node.
func pyConfig(t *testing.T, args ...string) Config {
	return Config{
		Bin: pyNode(t), Args: args, Nodes: 3, Dir: t.TempDir(), Seed: 1,
		Workload: clients.KV, Keys: 2, Clients: 6, OpTimeout: 300 * time.Millisecond,
		ClientConfig: func(thread int, c *clients.Config) {
			if thread < 3 {
				c.Servers = []int{thread + 1}
				c.Mix = []clients.Weight{{F: "get", Weight: 1}}
			} else {
				c.Mix = []clients.Weight{{F: "put", Weight: 1}}
			}
		},
	}
}

// completions returns the completions of process p (a pinned reader's
// thread: reads never end info, so its process never changes) invoked in
// [from, to).
func completions(h histories.History, p int, from, to int64) []histories.Op {
	inv := invokeTimes(h)
	var out []histories.Op
	for _, op := range h {
		if op.Process == p && op.Type != histories.Invoke && inv[op.Index] >= from && inv[op.Index] < to {
			out = append(out, op)
		}
	}
	return out
}

func countOK(ops []histories.Op) int {
	n := 0
	for _, op := range ops {
		if op.Type == histories.OK {
			n++
		}
	}
	return n
}

// TestNemesisFaultsChangeWhatClientsSee drives the nemesis's interface to
// the live cluster (liveFaults: what nemesis.New acts through) by hand:
// partition, crash and restart, pause and resume n1 in turn. Every node
// forwards to n0, so n1's pinned reader gets answers before each fault, none
// while it lasts, and answers again after it: each fault changed what the
// clients saw. The history stays linearizable throughout, n0's state
// surviving nothing (it is never hit).
func TestNemesisFaultsChangeWhatClientsSee(t *testing.T) {
	cfg := pyConfig(t)
	const target = 2 // n1's address; its pinned reader is process 1
	var f *liveFaults
	var marks []int64 // phase starts
	mark := func(c *Control) { marks = append(marks, c.Now()) }
	// okSince: n1's reader completed n ok reads invoked since the last mark.
	okSince := func(n int) func(c *Control) bool {
		return func(c *Control) bool {
			return countOK(completions(c.History(), target-1, marks[len(marks)-1], c.Now())) >= n
		}
	}
	// failedSince: n1's reader completed a read invoked since the last
	// mark: it failed (checked after the run).
	failedSince := func(c *Control) bool {
		return len(completions(c.History(), target-1, marks[len(marks)-1], c.Now())) > 0
	}
	start := func(act func()) func(c *Control) error {
		return func(c *Control) error {
			if f == nil {
				f = newLiveFaults(c.r)
			}
			mark(c)
			act()
			return nil
		}
	}
	cfg.Phases = []Phase{
		{Name: "before", Max: timeout, Start: start(func() {}), Until: okSince(5)},
		{Name: "partition", Max: timeout, Start: start(func() {
			for _, other := range []int{1, 3} {
				f.Block(target, other)
				f.Block(other, target)
			}
		}), Until: failedSince},
		{Name: "heal", Max: timeout, Start: start(func() { f.HealNetwork() }), Until: okSince(5)},
		{Name: "crash", Max: timeout, Start: start(func() { f.Crash(target) }), Until: failedSince},
		{Name: "restart", Max: timeout, Start: start(func() { f.Restart(target, 0) }), Until: okSince(5)},
		{Name: "pause", Max: timeout, Start: start(func() { f.Pause(target) }), Until: failedSince},
		{Name: "resume", Max: timeout, Start: start(func() { f.Resume(target) }), Until: okSince(5)},
	}
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	for _, p := range res.Phases {
		require.True(t, p.Until, "phase %s found its evidence (ran %v)", p.Name, p.Duration)
	}
	assert.Equal(t, checker.Valid, res.Verdict, "%v", res.Reasons)
	assert.Empty(t, res.Faults, "a kill the harness ordered is no fault of the node")
	assert.Empty(t, f.errs)
	marks = append(marks, res.History[len(res.History)-1].Time+1)
	for i, p := range res.Phases {
		ops := completions(res.History, target-1, marks[i], marks[i+1])
		switch p.Name {
		case "partition", "crash", "pause":
			// What was invoked and completed while the fault lasted.
			var during []histories.Op
			for _, op := range ops {
				if op.Time < marks[i+1] {
					during = append(during, op)
				}
			}
			ops = during
			require.NotEmpty(t, ops, p.Name)
			assert.Zero(t, countOK(ops), "%s: n1's reader got no answer while it lasted: %v", p.Name, ops)
		default:
			assert.GreaterOrEqual(t, countOK(ops), 5, "%s: n1's reader was answered", p.Name)
		}
	}
	assert.NotZero(t, res.Net.DroppedPartition, "the partition dropped real traffic")
}

// TestForeignPrimaryNodeSurvivesItsCrash kills the Python node's primary
// and restarts it from its directory: the history stays linearizable, and
// reads after the restart return what was written before the kill (the
// state survived on disk, and the check saw it). The writers stop, and
// their last operations complete, before the kill, so that what the
// restarted primary must hold is settled.
func TestForeignPrimaryNodeSurvivesItsCrash(t *testing.T) {
	cfg := pyConfig(t)
	var killAt, restartAt int64
	// carried returns the ok gets invoked after the restart that read a
	// value put (ok) before the kill.
	carried := func(h histories.History) []histories.Op {
		inv := invokeTimes(h)
		before := map[any]bool{}
		for _, op := range okOps(h, "put") {
			if op.Time < killAt {
				before[op.Value] = true
			}
		}
		var out []histories.Op
		for _, op := range okOps(h, "get") {
			if v := op.Value; inv[op.Index] >= restartAt && v != nil && before[v] {
				out = append(out, op)
			}
		}
		return out
	}
	writers := func(c *Control) []*clients.Client { return c.r.clients[3:] }
	cfg.Phases = []Phase{
		{Name: "warm-up", Max: timeout, Until: func(c *Control) bool { return len(okOps(c.History(), "put")) >= 20 }},
		{Name: "quiesce", Max: timeout,
			Start: func(c *Control) error {
				for _, w := range writers(c) {
					w.Stop()
				}
				return nil
			},
			Until: func(c *Control) bool {
				for _, w := range writers(c) {
					if w.Busy() {
						return false
					}
				}
				return true
			}},
		{Name: "kill", Max: timeout, Start: func(c *Control) error { killAt = c.Now(); return c.Kill(0) },
			Until: func(c *Control) bool { return len(completions(c.History(), 1, killAt, c.Now())) > 0 }},
		{Name: "restart", Max: timeout, Start: func(c *Control) error { restartAt = c.Now(); return c.Restart(0) },
			Until: func(c *Control) bool { return len(carried(c.History())) >= 10 }},
	}
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	for _, p := range res.Phases {
		require.True(t, p.Until, "phase %s found its evidence (ran %v)", p.Name, p.Duration)
	}
	assert.Equal(t, checker.Valid, res.Verdict, "%v", res.Reasons)
	assert.Equal(t, checker.LinOK, res.Lin.Result)
	assert.Empty(t, res.Faults)
	var down []histories.Op // n1's reads invoked and completed while n0 was down
	for _, op := range completions(res.History, 1, killAt, restartAt) {
		if op.Time < restartAt {
			down = append(down, op)
		}
	}
	require.NotEmpty(t, down)
	assert.Zero(t, countOK(down), "with the primary down, n1 could answer nothing")
}

// staleGets returns the ok gets that are provably stale: each read a value
// (or nothing) while a put of another value on its key had completed before
// it was invoked, and the put of the value it read (values are unique) had
// completed before that put was invoked. No linearization can order them.
func staleGets(h histories.History) []histories.Op {
	inv := invokeTimes(h)
	type put struct{ invoked, done int64 }
	puts := map[string]map[any]put{} // key → value → its put
	for _, op := range okOps(h, "put") {
		if puts[op.Key] == nil {
			puts[op.Key] = map[any]put{}
		}
		puts[op.Key][op.Value] = put{inv[op.Index], op.Time}
	}
	var out []histories.Op
	for _, op := range okOps(h, "get") {
		read, ok := puts[op.Key][op.Value]
		if op.Value != nil && !ok {
			continue // its put ended info: it may have applied any time
		}
		for v, w := range puts[op.Key] {
			if v != op.Value && w.done < inv[op.Index] && (op.Value == nil || read.done < w.invoked) {
				out = append(out, op)
				break
			}
		}
	}
	return out
}

// TestForeignStaleReadsAreCaught runs the Python node broken on purpose
// (--stale-reads: nodes answer reads from a copy refreshed every 0.5 s)
// until the clients have observed a provably stale read: the checker must
// call the history not linearizable.
func TestForeignStaleReadsAreCaught(t *testing.T) {
	cfg := pyConfig(t, "--stale-reads")
	cfg.Phases = []Phase{{Name: "run", Max: timeout, Until: func(c *Control) bool { return len(staleGets(c.History())) > 0 }}}
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.True(t, res.Phases[0].Until, "a stale read was observed (ran %v)", res.Phases[0].Duration)
	assert.Equal(t, checker.Invalid, res.Verdict, "stale: %v", staleGets(res.History))
	assert.Equal(t, checker.LinIllegal, res.Lin.Result)
	assert.Empty(t, res.Faults, "the node breaks linearizability, not the protocol")
}
