package harness

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// deliveryCounter counts node-to-node deliveries per directed link while on.
type deliveryCounter struct {
	on    bool
	count map[[2]int]int
	nodes int
}

func newDeliveryCounter(nodes int) *deliveryCounter {
	return &deliveryCounter{count: map[[2]int]int{}, nodes: nodes}
}

func (d *deliveryCounter) record(r sim.Record) {
	if d.on && r.Kind == sim.KindDeliver && r.A >= 1 && r.A <= d.nodes && r.B >= 1 && r.B <= d.nodes {
		d.count[[2]int{r.A, r.B}]++
	}
}

// TestNemesisIsolateLeaderOnRealCluster: partition-isolate-leader cuts off
// exactly the node that leads when it starts — every link to and from it
// blocked, no other link — nothing crosses those links, the isolated leader
// steps down (CheckQuorum) and the rest elect a new leader in a higher term.
func TestNemesisIsolateLeaderOnRealCluster(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			h := newNemHarness(t, oneWindow(seed), singleFault("partition-isolate-leader"))
			dc := newDeliveryCounter(h.x.opts.Nodes)
			h.onTrace = dc.record
			var isolated int
			var term uint64
			h.onStart = func(ev nemesis.Event) {
				require.Len(t, ev.Targets, 1)
				isolated = ev.Targets[0]
				st, ok := h.status(isolated)
				require.True(t, ok, "the isolated node is up")
				require.Equal(t, raft.Leader, st.Role, "node %d was chosen but is not the leader", isolated)
				require.Equal(t, isolated, h.x.c.leader(), "the isolated node is the cluster's current leader")
				require.Contains(t, ev.Detail, "isolated leader")
				term = st.Term
				var want [][2]int
				for _, other := range h.x.c.nodes {
					if other != isolated {
						want = append(want, [2]int{isolated, other}, [2]int{other, isolated})
					}
				}
				require.ElementsMatch(t, want, h.blockedLinks(), "exactly the links to and from the leader are blocked")
				dc.on = true
			}
			h.onStop = func(nemesis.Event) {
				dc.on = false
				st, _ := h.status(isolated)
				assert.NotEqual(t, raft.Leader, st.Role, "the isolated leader stepped down (CheckQuorum)")
				assert.NotZero(t, h.leaderOtherThan(isolated, term), "the rest elected a new leader above term %d", term)
				assert.Empty(t, h.blockedLinks(), "the stop unblocks every link")
			}
			res := h.run()
			require.Equal(t, 1, h.starts)
			require.Equal(t, 1, h.stops)
			for link, n := range dc.count {
				assert.False(t, link[0] == isolated || link[1] == isolated, "%d messages crossed the blocked link %v", n, link)
			}
			h.requireHealthyEnd(res, "isolate-leader")
		})
	}
}

// TestNemesisMajoritiesRingOnRealNetwork: for 5 and 7 nodes the ring blocks
// links symmetrically so that every node sees a majority (itself included),
// no node sees everyone, and no two nodes see the same set.
func TestNemesisMajoritiesRingOnRealNetwork(t *testing.T) {
	for _, nodes := range []int{5, 7} {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("nodes%d/seed%d", nodes, seed), func(t *testing.T) {
				cfg := oneWindow(seed)
				cfg.Nodes = nodes
				h := newNemHarness(t, cfg, singleFault("partition-majorities-ring"))
				dc := newDeliveryCounter(nodes)
				h.onTrace = dc.record
				seen := map[string]int{}
				var blocked [][2]int
				h.onStart = func(nemesis.Event) {
					net := h.x.w.Net()
					for _, a := range h.x.c.nodes {
						var sees []string
						for _, b := range h.x.c.nodes {
							require.Equal(t, net.Blocked(a, b), net.Blocked(b, a), "link %d-%d is not symmetric", a, b)
							if a == b || !net.Blocked(a, b) {
								sees = append(sees, fmt.Sprint(b))
							}
						}
						require.GreaterOrEqual(t, len(sees), nodes/2+1, "node %d sees %v: not a majority", a, sees)
						require.Less(t, len(sees), nodes, "node %d sees every node", a)
						key := strings.Join(sees, ",")
						prev, dup := seen[key]
						require.False(t, dup, "nodes %d and %d see the same majority {%s}", prev, a, key)
						seen[key] = a
					}
					blocked = h.blockedLinks()
					dc.on = true
				}
				h.onStop = func(nemesis.Event) { dc.on = false }
				res := h.run()
				require.Len(t, seen, nodes, "the ring never started")
				require.NotEmpty(t, dc.count, "nodes still talk inside the ring")
				for _, link := range blocked {
					assert.Zero(t, dc.count[link], "messages crossed the blocked link %v", link)
				}
				h.requireHealthyEnd(res, "majorities-ring")
			})
		}
	}
}

// TestNemesisOneWayBlocksOneDirection: partition-one-way blocks either every
// link into one node or every link out of it, and nothing else; messages flow
// the other way (the node keeps sending, or keeps receiving).
func TestNemesisOneWayBlocksOneDirection(t *testing.T) {
	directions := map[string]bool{}
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			h := newNemHarness(t, oneWindow(seed), singleFault("partition-one-way"))
			dc := newDeliveryCounter(h.x.opts.Nodes)
			h.onTrace = dc.record
			var x int
			var inbound bool
			h.onStart = func(ev nemesis.Event) {
				require.Len(t, ev.Targets, 1)
				x = ev.Targets[0]
				inbound = strings.Contains(ev.Detail, "but not receive")
				var want [][2]int
				for _, y := range h.x.c.nodes {
					switch {
					case y == x:
					case inbound:
						want = append(want, [2]int{y, x})
					default:
						want = append(want, [2]int{x, y})
					}
				}
				require.ElementsMatch(t, want, h.blockedLinks(), "%s", ev.Detail)
				dc.on = true
			}
			h.onStop = func(nemesis.Event) { dc.on = false }
			res := h.run()
			require.NotZero(t, x, "the fault never started")
			in, out := 0, 0
			for link, n := range dc.count {
				if link[1] == x {
					in += n
				}
				if link[0] == x {
					out += n
				}
			}
			if inbound {
				directions["in"] = true
				assert.Zero(t, in, "node %d received through blocked links", x)
				assert.Positive(t, out, "node %d still sends", x)
			} else {
				directions["out"] = true
				assert.Zero(t, out, "node %d sent through blocked links", x)
				assert.Positive(t, in, "node %d still receives", x)
			}
			h.requireHealthyEnd(res, "one-way")
		})
	}
	assert.Len(t, directions, 2, "the seeds should exercise both directions")
}
