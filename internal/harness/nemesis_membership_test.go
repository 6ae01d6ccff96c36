package harness

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// TestNemesisMemberChurnOnRealRaft: member-churn removes a node through the
// real Raft leader — the leader itself when asked — the membership shrinks by
// exactly that node (a removed leader hands over to another), and at the stop
// the node comes back, with its disk or with an empty one, until the
// membership is full again and the node is running.
func TestNemesisMemberChurnOnRealRaft(t *testing.T) {
	cases := []struct {
		name         string
		leader, wipe bool
	}{
		{name: "follower-keeps-disk", leader: false, wipe: false},
		{name: "follower-empty-disk", leader: false, wipe: true},
		{name: "leader-keeps-disk", leader: true, wipe: false},
		{name: "leader-empty-disk", leader: true, wipe: true},
	}
	for _, tc := range cases {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", tc.name, seed), func(t *testing.T) {
				nc := singleFault("member-churn")
				nc.Intensity.ChurnLeader, nc.Intensity.ChurnWipe = nemesis.Off, nemesis.Off
				if tc.leader {
					nc.Intensity.ChurnLeader = 1
				}
				if tc.wipe {
					nc.Intensity.ChurnWipe = 1
				}
				cfg := oneWindow(seed)
				cfg.RecoveryTime = 12 * time.Second
				h := newNemHarness(t, cfg, nc)
				all := h.x.c.nodes
				var x int
				var wasLeader, removed, handedOver, on bool
				var wipes int
				var leaderTerm uint64
				h.onTrace = func(r sim.Record) {
					if x != 0 && r.Kind == sim.KindWipe && r.A == x {
						wipes++
					}
				}
				h.onStart = func(ev nemesis.Event) {
					require.Len(t, ev.Targets, 1)
					x = ev.Targets[0]
					st, ok := h.status(x)
					require.True(t, ok)
					wasLeader = st.Role == raft.Leader
					leaderTerm = st.Term
					require.Equal(t, tc.leader, wasLeader, "%s", ev.Detail)
					require.Equal(t, tc.wipe, strings.Contains(ev.Detail, "empty disk"), "%s", ev.Detail)
					on = true
					h.every(50*time.Millisecond, func() bool {
						if !on {
							return false
						}
						m := h.x.faults.Members()
						if !slices.Contains(m, x) {
							require.Len(t, m, len(all)-1, "only node %d left: %v", x, m)
							removed = true
							if l := h.x.c.leader(); l != 0 && l != x {
								handedOver = true
							}
						}
						return true
					})
				}
				h.onStop = func(ev nemesis.Event) {
					on = false
					require.Equal(t, []int{x}, ev.Targets)
					require.Contains(t, ev.Detail, "is back as a member")
					require.Equal(t, all, h.x.faults.Members(), "the membership is full again")
					require.True(t, h.host(x).Alive(), "node %d is running", x)
					if tc.wipe {
						require.Equal(t, 1, wipes, "node %d came back on an empty disk", x)
						require.True(t, h.x.c.joining[x])
					} else {
						require.Zero(t, wipes, "node %d kept its disk", x)
					}
				}
				res := h.run()
				require.True(t, removed, "node %d never left the membership", x)
				require.True(t, handedOver, "no other node led while %d was out", x)
				if wasLeader {
					l := h.x.c.leader()
					st, _ := h.status(l)
					require.Greater(t, st.Term, leaderTerm, "a removed leader's successor leads in a later term")
				}
				require.Equal(t, 1, h.stops, "the re-add finished")
				h.requireHealthyEnd(res, tc.name)
				// The returned node caught up with the cluster.
				st, ok := h.status(x)
				require.True(t, ok)
				lst, _ := h.status(h.x.c.leader())
				assert.Equal(t, lst.Commit, st.Commit, "node %d caught up", x)
			})
		}
	}
}

// TestAdapterWipesOnlyCommittedRemovals: the adapter may wipe a node's disk
// only once the cluster has committed its removal. A removal a cut-off
// leader appended but cannot commit leaves the node a voter in the surviving
// history: wiping it then would erase acknowledgements that committed
// entries count on and let it vote again in terms it already voted in.
func TestAdapterWipesOnlyCommittedRemovals(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			cfg := quick(seed)
			cfg.MaxTime = 6 * time.Second
			h := newNemHarness(t, cfg, nemesis.Config{})
			wiped := false
			var x int
			h.onTrace = func(r sim.Record) {
				if x != 0 && r.Kind == sim.KindWipe && r.A == x {
					wiped = true
				}
			}
			h.every(100*time.Millisecond, func() bool {
				l := h.x.c.leader()
				if l == 0 || h.now() < 3*time.Second {
					return true // setup: wait for a settled leader
				}
				// Cut the leader off from everyone, then remove a follower
				// through it: the removal is appended but cannot commit.
				for _, o := range h.x.c.nodes {
					if o != l {
						h.p.Block(l, o)
						h.p.Block(o, l)
						if x == 0 {
							x = o
						}
					}
				}
				require.NoError(t, h.p.RemoveMember(x))
				st, _ := h.status(l)
				require.NotContains(t, st.Voters, uint64(x), "the cut-off leader's log already excludes %d", x)
				err := h.p.AddMember(x, true)
				require.Error(t, err, "the removal of %d is not committed: re-adding it with a wiped disk must wait", x)
				require.False(t, wiped, "node %d was wiped while still a voter", x)
				require.True(t, h.host(x).Alive())
				h.p.HealNetwork()
				return false
			})
			res := h.run()
			require.NotZero(t, x)
			require.Equal(t, checker.Valid, res.Checked.Verdict, "%v", res.Checked.Reasons)
		})
	}
}

// TestAdapterReplacesOnlyAfterOldMessagesLand: a wiped node restarts, and is
// proposed for re-adding, only after every message its old process sent or
// was sent has landed. Delivered to the new, empty process, an old heartbeat
// would commit entries it never saw; delivered to the leader, an old
// acknowledgement would make the leader believe the new process holds them.
func TestAdapterReplacesOnlyAfterOldMessagesLand(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			cfg := quick(seed)
			cfg.MaxTime = 12 * time.Second
			h := newNemHarness(t, cfg, nemesis.Config{})
			var x, l int
			var wipedAt, restartedAt sim.Time
			var lastOld sim.Time // latest planned arrival of a message to or from x's old process
			addedAt := sim.Time(-1)
			h.onTrace = func(r sim.Record) {
				if x == 0 {
					return
				}
				switch {
				case (r.Kind == sim.KindSend || r.Kind == sim.KindDuplicate) && r.Y >= 0 && (r.A == x || r.B == x) && wipedAt == 0:
					lastOld = max(lastOld, r.At+sim.Time(r.Y))
				case r.Kind == sim.KindWipe && r.A == x:
					wipedAt = r.At
				case r.Kind == sim.KindRestart && r.A == x && wipedAt != 0 && restartedAt == 0:
					restartedAt = r.At
				}
			}
			phase := 0
			h.every(50*time.Millisecond, func() bool {
				switch phase {
				case 0: // a settled leader: slow x's link to it
					if l = h.x.c.leader(); l == 0 || h.now() < 3*time.Second {
						return true
					}
					x = l%cfg.Nodes + 1
					h.p.SetLinkDelay(l, x, int64(time.Second))
					phase = -1
				case -1: // messages are on the slow link: remove x
					if h.now() < 3500*time.Millisecond {
						return true
					}
					require.NoError(t, h.p.RemoveMember(x))
					phase = 1
				case 1: // once the removal is committed, replace x
					if slices.Contains(h.p.Members(), x) {
						return true
					}
					err := h.p.AddMember(x, true)
					require.Error(t, err, "re-added with the old process's messages still in flight")
					require.NotZero(t, wipedAt)
					require.Greater(t, lastOld, h.x.w.Now(), "nothing was in flight: the test proves nothing")
					h.p.ResetNetwork()
					phase = 2
				case 2:
					if err := h.p.AddMember(x, false); err == nil {
						addedAt = h.x.w.Now()
						return false
					}
				}
				return true
			})
			res := h.run()
			require.Equal(t, 2, phase, "the replacement never started")
			require.NotZero(t, restartedAt, "node %d never restarted", x)
			assert.Greater(t, restartedAt, lastOld, "node %d restarted before its old messages landed", x)
			require.GreaterOrEqual(t, addedAt, restartedAt, "node %d was re-added before its old messages landed", x)
			require.Equal(t, checker.Valid, res.Checked.Verdict, "%v", res.Checked.Reasons)
			require.Contains(t, h.x.faults.Members(), x)
		})
	}
}
