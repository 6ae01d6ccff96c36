package nemesis

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startOnce starts fault name at t=1s on a fresh n-node fake with the given
// leader and returns the fake, the nemesis and the start event.
func startOnce(t *testing.T, name string, nodes, leader int, seed uint64) (*fakeCluster, *Nemesis, recorded) {
	t.Helper()
	fc := newFake(t, nodes)
	fc.leader = leader
	nm := newNemesis(t, fc, single(name), seed)
	require.NoError(t, nm.Start(100*Second))
	fc.run(Second)
	require.Len(t, fc.events, 1, "one start at 1s")
	require.True(t, fc.events[0].Start)
	require.Equal(t, name, fc.events[0].Fault)
	return fc, nm, fc.events[0]
}

// stopOnce runs to the scheduled stop at t=2s and checks it was recorded.
func stopOnce(t *testing.T, fc *fakeCluster) {
	t.Helper()
	fc.run(2 * Second)
	require.Len(t, fc.events, 2)
	require.False(t, fc.events[1].Start)
	require.Equal(t, fc.events[0].Fault, fc.events[1].Fault)
}

func TestIsolateLeaderCutsEveryLinkOfTheLeaderAndNoOther(t *testing.T) {
	for _, leader := range []int{1, 3, 5} {
		t.Run(fmt.Sprintf("leader=%d", leader), func(t *testing.T) {
			fc, _, ev := startOnce(t, "partition-isolate-leader", 5, leader, 1)
			assert.Equal(t, []int{leader}, ev.Targets)
			for _, a := range fc.nodes {
				for _, b := range fc.nodes {
					want := a != b && (a == leader || b == leader)
					assert.Equal(t, want, fc.blocked[a][b], "link %d→%d", a, b)
				}
			}
			stopOnce(t, fc)
			assert.Empty(t, fc.blockedLinks())
		})
	}
}

func TestIsolateLeaderFollowsTheCurrentLeader(t *testing.T) {
	fc, _, _ := startOnce(t, "partition-isolate-leader", 5, 2, 1)
	stopOnce(t, fc)
	fc.leader = 4
	fc.run(3 * Second) // second start
	require.Len(t, fc.events, 3)
	assert.Equal(t, []int{4}, fc.events[2].Targets)
	assert.Equal(t, []int{4}, sortedCopy(fc.reach(4)))
}

func TestMajoritiesRingGivesEveryNodeADistinctMajority(t *testing.T) {
	for _, size := range []int{4, 5, 6, 7, 9} {
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("n=%d/seed=%d", size, seed), func(t *testing.T) {
				fc, _, _ := startOnce(t, "partition-majorities-ring", size, 1, seed)
				majority := size/2 + 1
				var seen [][]int
				for _, node := range fc.nodes {
					r := fc.reach(node)
					require.GreaterOrEqual(t, len(r), majority, "node %d sees %v", node, r)
					require.Less(t, len(r), size, "node %d sees everyone", node)
					for _, other := range seen {
						require.NotEqual(t, other, r, "two nodes see the same majority")
					}
					seen = append(seen, r)
				}
				// Links stay symmetric: the ring's point is distinct majorities,
				// not asymmetry.
				for _, l := range fc.blockedLinks() {
					require.True(t, fc.blocked[l.to][l.from], "ring link %v blocked one way only", l)
				}
				if size == 5 || size == 7 {
					// The smallest symmetric majority: 3 of 5 (exact), and 5 of 7
					// (4 of 7 would need an odd-degree regular graph on 7 nodes).
					want := map[int]int{5: 3, 7: 5}[size]
					for _, node := range fc.nodes {
						assert.Len(t, fc.reach(node), want, "node %d", node)
					}
				}
				stopOnce(t, fc)
				assert.Empty(t, fc.blockedLinks())
			})
		}
	}
}

func TestOneWayBlocksOneDirectionOnly(t *testing.T) {
	directions := map[string]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		fc, _, ev := startOnce(t, "partition-one-way", 5, 1, seed)
		require.Len(t, ev.Targets, 1)
		x := ev.Targets[0]
		in, out := 0, 0
		for _, l := range fc.blockedLinks() {
			switch {
			case l.to == x:
				in++
			case l.from == x:
				out++
			default:
				t.Fatalf("seed %d: link %v does not touch the one-way node %d", seed, l, x)
			}
		}
		require.True(t, (in == 4 && out == 0) || (in == 0 && out == 4), "seed %d: in=%d out=%d", seed, in, out)
		directions[fmt.Sprint(in > 0)] = true
		stopOnce(t, fc)
		require.Empty(t, fc.blockedLinks())
	}
	assert.Len(t, directions, 2, "both directions occur over 20 seeds")
}

func TestBridgeNodeSeesBothHalvesWhichDoNotSeeEachOther(t *testing.T) {
	for _, size := range []int{3, 5, 6, 7} {
		for seed := uint64(1); seed <= 5; seed++ {
			fc, _, ev := startOnce(t, "partition-bridge", size, 1, seed)
			require.Len(t, ev.Targets, 1)
			bridge := ev.Targets[0]
			require.Equal(t, fc.nodes, fc.reach(bridge), "the bridge reaches everyone")
			// The others split into two sides: each node sees its own side and
			// the bridge, never the other side.
			var sides [][]int
			for _, node := range fc.nodes {
				if node == bridge {
					continue
				}
				r := fc.reach(node)
				require.Contains(t, r, bridge)
				if !slices.ContainsFunc(sides, func(s []int) bool { return slices.Equal(s, r) }) {
					sides = append(sides, r)
				}
			}
			require.Len(t, sides, 2, "n=%d seed=%d: two halves", size, seed)
			for _, x := range sides[0] {
				if x != bridge {
					require.NotContains(t, sides[1], x, "halves overlap beyond the bridge")
				}
			}
			stopOnce(t, fc)
		}
	}
}

func TestHalvesCutAMinorityFromAMajority(t *testing.T) {
	for _, name := range []string{"partition-halves", "partition-random-halves", "partition-leader-minority"} {
		for _, size := range []int{3, 4, 5, 7} {
			t.Run(fmt.Sprintf("%s/n=%d", name, size), func(t *testing.T) {
				fc, _, ev := startOnce(t, name, size, size, 3)
				minority := ev.Targets
				require.Len(t, minority, (size-1)/2)
				if name == "partition-halves" {
					require.Equal(t, fc.nodes[:(size-1)/2], minority, "fixed halves: lowest ids")
				}
				if name == "partition-leader-minority" {
					require.Contains(t, minority, size, "the leader is on the minority side")
				}
				for _, x := range fc.nodes {
					want := minority
					if !slices.Contains(minority, x) {
						want = slices.DeleteFunc(slices.Clone(fc.nodes), func(v int) bool { return slices.Contains(minority, v) })
					}
					require.Equal(t, want, fc.reach(x), "node %d", x)
				}
				stopOnce(t, fc)
				require.Empty(t, fc.blockedLinks())
			})
		}
	}
}

func TestIsolateOneIsolatesExactlyOneNode(t *testing.T) {
	fc, _, ev := startOnce(t, "partition-isolate-one", 5, 1, 9)
	require.Len(t, ev.Targets, 1)
	x := ev.Targets[0]
	require.Equal(t, []int{x}, fc.reach(x))
	require.Len(t, fc.blockedLinks(), 8)
}

func TestEveryPartitionLeavesSomeNodeAMajority(t *testing.T) {
	for _, info := range Catalog() {
		if info.Category != CategoryPartition {
			continue
		}
		for size := max(info.MinNodes, 3); size <= 7; size++ {
			for seed := uint64(1); seed <= 4; seed++ {
				fc, _, _ := startOnce(t, info.Name, size, 1+int(seed)%size, seed)
				best := 0
				for _, node := range fc.nodes {
					best = max(best, len(fc.reach(node)))
				}
				require.GreaterOrEqual(t, best, size/2+1, "%s n=%d seed=%d: no node reaches a majority", info.Name, size, seed)
				require.NotEmpty(t, fc.blockedLinks(), "%s n=%d: nothing blocked", info.Name, size)
			}
		}
	}
}

func TestPartitionsNeverOverlap(t *testing.T) {
	fc := newFake(t, 5)
	cfg := Config{Faults: []string{CategoryPartition}, Interval: 500 * Millisecond, MaxActive: 3}
	nm := newNemesis(t, fc, cfg, 4)
	fc.hook = func() {
		require.LessOrEqual(t, len(fc.activeFaults()), 1, "two partitions at once: %v", fc.activeFaults())
	}
	require.NoError(t, nm.Start(120*Second))
	fc.run(120 * Second)
	require.Greater(t, len(fc.events), 50)
}
