package harness

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// crashAllRun is the power-loss run: crash-all every 2 s on a cluster whose
// fsync takes 5 ms, so acknowledgements often race the disk.
func crashAllRun(seed uint64, bugs kvstore.Bugs) options.Options {
	cfg := quick(seed)
	cfg.Disk.SyncLatency = sim.Time(5 * time.Millisecond)
	cfg.HostBugs = bugs
	return cfg
}

func crashAllNemesis() nemesis.Config {
	return nemesis.Config{Faults: []string{"crash-all"}, Interval: int64(2 * time.Second), Jitter: nemesis.Off, MaxActive: 1}
}

// TestNemesisCrashAllLosesOnlyUnsynced: crash-all takes every node down at
// once and each disk loses its unsynced writes; after the restart no
// acknowledged write is lost (the verdict is valid on every seed). The same
// seeds with the planted ack-before-fsync bug (acknowledging before the sync)
// must give an invalid verdict at least once, so the test can fail.
func TestNemesisCrashAllLosesOnlyUnsynced(t *testing.T) {
	const seeds = 20
	lost, crashes := 0, 0
	for seed := uint64(1); seed <= seeds; seed++ {
		h := newNemHarness(t, crashAllRun(seed, kvstore.Bugs{}), crashAllNemesis())
		h.onTrace = func(r sim.Record) {
			if r.Kind == sim.KindCrash && r.A >= 1 && r.A <= h.x.opts.Nodes {
				lost += int(r.X)
				kept := r.Y >> 32
				assert.Zero(t, kept, "seed %d: lose-unsynced kept %d unsynced writes of node %d", seed, kept, r.A)
			}
		}
		h.onStart = func(ev nemesis.Event) {
			crashes++
			require.Equal(t, h.x.c.nodes, ev.Targets)
			for _, id := range h.x.c.nodes {
				hs := h.host(id)
				require.False(t, hs.Alive(), "seed %d: node %d survived the power loss", seed, id)
				require.Zero(t, hs.Disk().Unsynced(), "seed %d: node %d kept unsynced writes", seed, id)
			}
		}
		h.onStop = func(nemesis.Event) {
			h.after(300*time.Millisecond, func() {
				for _, id := range h.x.c.nodes {
					assert.True(t, h.host(id).Alive(), "seed %d: node %d did not restart from its disk: %v", seed, id, h.host(id).DownReason())
				}
			})
		}
		res := h.run()
		h.requireHealthyEnd(res, fmt.Sprintf("crash-all seed %d", seed))
	}
	require.GreaterOrEqual(t, crashes, 2*seeds, "every seed has power losses")
	require.Positive(t, lost, "the power losses never caught an unsynced write: the test proves nothing")

	invalid := 0
	for seed := uint64(1); seed <= seeds; seed++ {
		h := newNemHarness(t, crashAllRun(seed, kvstore.Bugs{AckBeforeFsync: true}), crashAllNemesis())
		if res := h.run(); res.Checked.Verdict == checker.Invalid {
			invalid++
		}
	}
	require.Positive(t, invalid, "ack-before-fsync lost no acknowledged write in %d seeds of crash-all", seeds)
	t.Logf("ack-before-fsync: %d of %d seeds invalid; clean build lost %d unsynced writes in %d power losses, all valid", invalid, seeds, lost, crashes)
}

// TestNemesisPauseLeaderHoldsTimersAndMessages: pause-leader stops the node
// leading at that moment: while paused none of its timers fires and no
// message reaches it — both are held — the rest elect a new leader, and on
// resume the held items are handed over.
func TestNemesisPauseLeaderHoldsTimersAndMessages(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			h := newNemHarness(t, oneWindow(seed), singleFault("pause-leader"))
			var x int
			var term uint64
			paused := false
			var timers, delivered, heldTimers, heldMsgs, drained int
			h.onTrace = func(r sim.Record) {
				if x == 0 {
					return
				}
				switch {
				case paused && r.Kind == sim.KindTimer && r.A == x:
					timers++
				case paused && r.Kind == sim.KindDeliver && r.B == x:
					delivered++
				case paused && r.Kind == sim.KindHold && r.A == x && sim.HeldKind(r.X) == sim.HeldTimer:
					heldTimers++
				case paused && r.Kind == sim.KindHold && r.A == x && sim.HeldKind(r.X) == sim.HeldMessage:
					heldMsgs++
				case !paused && r.Kind == sim.KindDeliver && r.B == x && r.Y == 1:
					drained++
				}
			}
			h.onStart = func(ev nemesis.Event) {
				require.Len(t, ev.Targets, 1)
				x = ev.Targets[0]
				st, ok := h.status(x)
				require.True(t, ok)
				require.Equal(t, raft.Leader, st.Role, "node %d was paused but did not lead", x)
				require.True(t, h.host(x).Paused())
				term = st.Term
				paused = true
			}
			h.onStop = func(nemesis.Event) {
				paused = false
				assert.NotZero(t, h.leaderOtherThan(x, term), "the rest elected a leader above term %d", term)
				st, _ := h.status(x)
				assert.Equal(t, raft.Leader, st.Role, "the paused node wakes up still believing it leads")
				assert.False(t, h.host(x).Paused())
			}
			res := h.run()
			require.NotZero(t, x, "the fault never started")
			assert.Zero(t, timers, "timers fired on the paused node")
			assert.Zero(t, delivered, "messages reached the paused node")
			assert.Positive(t, heldTimers, "the paused node's timers were held")
			assert.Positive(t, heldMsgs, "messages to the paused node were held")
			assert.Positive(t, drained, "held messages were handed over on resume")
			h.requireHealthyEnd(res, "pause-leader")
		})
	}
}
