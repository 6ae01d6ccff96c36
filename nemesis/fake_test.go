package nemesis

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeCluster models just enough of a cluster for the nemesis: nodes up,
// down or paused, directed blocked links, a leader, clocks, disk settings and
// the membership. It runs After callbacks in (time, scheduling order), like
// the simulator.
type fakeCluster struct {
	t      testing.TB
	now    int64
	seq    uint64
	timers []fakeTimer
	nodes  []int

	// Indexed by node id (ids are 1..n; slot 0 unused).
	alive, paused, member, corrupt []bool
	restartPending                 []bool
	cannotRestart                  []bool // the node's recovery fails on a clean disk
	blocked                        [][]bool
	offset                         []int64
	drift                          []float64
	mode                           []string
	modeAtCrash                    []string
	syncLatency                    []int64
	wiped, crashes, restarts       []int
	offsetSets                     []int

	leader     int
	autoElect  bool // pick a new leader whenever there is none
	loss, dup  float64
	reorder    float64
	extraDelay int64
	linkDelay  [][]int64

	corruptOK       bool // CorruptDisk finds something to corrupt
	startCorrupt    bool // a node starts even on a corrupted disk (a recovery bug)
	membershipStuck bool // RemoveMember and AddMember always fail
	// removalLag: an accepted removal commits (Members stops listing the node)
	// this long after it is proposed; 0 commits it at once.
	removalLag int64
	// loseRemovals: this many accepted removals are lost with their leader and
	// never commit (-1: every one).
	loseRemovals int
	// inFlight[node]: a removal of node was accepted and has neither committed
	// nor been lost: the node's membership is uncertain.
	inFlight []bool

	events []recorded
	hook   func() // runs after every callback
}

type fakeTimer struct {
	at  int64
	seq uint64
	fn  func()
}

type recorded struct {
	At int64
	Event
}

var (
	errNoLeader = errors.New("fake: no leader")
	errPending  = errors.New("fake: a membership change is still in flight")
)

// changePending reports whether a membership change is in flight (Raft
// accepts one at a time).
func (fc *fakeCluster) changePending() bool { return slices.Contains(fc.inFlight, true) }

func newFake(t testing.TB, n int) *fakeCluster {
	fc := &fakeCluster{t: t, autoElect: true, corruptOK: true}
	for i := 1; i <= n; i++ {
		fc.nodes = append(fc.nodes, i)
	}
	size := n + 1
	fc.alive, fc.paused, fc.member, fc.corrupt = make([]bool, size), make([]bool, size), make([]bool, size), make([]bool, size)
	fc.restartPending, fc.cannotRestart = make([]bool, size), make([]bool, size)
	fc.inFlight = make([]bool, size)
	fc.offset, fc.drift = make([]int64, size), make([]float64, size)
	fc.mode, fc.modeAtCrash, fc.syncLatency = make([]string, size), make([]string, size), make([]int64, size)
	fc.wiped, fc.crashes, fc.restarts, fc.offsetSets = make([]int, size), make([]int, size), make([]int, size), make([]int, size)
	fc.blocked, fc.linkDelay = make([][]bool, size), make([][]int64, size)
	for i := range size {
		fc.blocked[i], fc.linkDelay[i] = make([]bool, size), make([]int64, size)
	}
	for _, id := range fc.nodes {
		fc.alive[id], fc.member[id] = true, true
	}
	fc.leader = 1
	return fc
}

// run processes callbacks due by until, in time order; now is until after.
func (fc *fakeCluster) run(until int64) {
	for steps := 0; ; steps++ {
		require.Less(fc.t, steps, 5_000_000, "fake: runaway timer chain")
		best := -1
		for i, tm := range fc.timers {
			if tm.at <= until && (best < 0 || tm.at < fc.timers[best].at || (tm.at == fc.timers[best].at && tm.seq < fc.timers[best].seq)) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		tm := fc.timers[best]
		fc.timers = slices.Delete(fc.timers, best, best+1)
		fc.now = tm.at
		tm.fn()
		if fc.autoElect {
			fc.elect()
		}
		if fc.hook != nil {
			fc.hook()
		}
	}
	fc.now = until
}

// elect makes the lowest-id healthy member leader when there is none.
func (fc *fakeCluster) elect() {
	if fc.Leader() != 0 {
		return
	}
	for _, id := range fc.nodes {
		if fc.alive[id] && !fc.paused[id] && fc.member[id] {
			fc.leader = id
			return
		}
	}
}

// --- Faults ---

func (fc *fakeCluster) Now() int64 { return fc.now }
func (fc *fakeCluster) After(d int64, fn func()) {
	require.GreaterOrEqual(fc.t, d, int64(0), "After with a negative delay")
	fc.seq++
	fc.timers = append(fc.timers, fakeTimer{fc.now + d, fc.seq, fn})
}
func (fc *fakeCluster) Nodes() []int { return slices.Clone(fc.nodes) }
func (fc *fakeCluster) Members() []int {
	var out []int
	for _, id := range fc.nodes {
		if fc.member[id] {
			out = append(out, id)
		}
	}
	return out
}
func (fc *fakeCluster) Leader() int {
	l := fc.leader
	if l != 0 && fc.alive[l] && !fc.paused[l] && fc.member[l] {
		return l
	}
	return 0
}
func (fc *fakeCluster) Block(from, to int)   { fc.blocked[from][to] = true }
func (fc *fakeCluster) Unblock(from, to int) { fc.blocked[from][to] = false }
func (fc *fakeCluster) HealNetwork() {
	for _, row := range fc.blocked {
		clear(row)
	}
}
func (fc *fakeCluster) SetLoss(p float64)        { fc.loss = p }
func (fc *fakeCluster) SetDuplicate(p float64)   { fc.dup = p }
func (fc *fakeCluster) SetReorder(p float64)     { fc.reorder = p }
func (fc *fakeCluster) SetExtraDelay(mean int64) { fc.extraDelay = mean }
func (fc *fakeCluster) SetLinkDelay(a, b int, mean int64) {
	fc.linkDelay[a][b], fc.linkDelay[b][a] = mean, mean
}
func (fc *fakeCluster) ResetNetwork() {
	fc.loss, fc.dup, fc.reorder, fc.extraDelay = 0, 0, 0, 0
	for _, row := range fc.linkDelay {
		clear(row)
	}
}
func (fc *fakeCluster) Crash(node int) {
	require.True(fc.t, fc.alive[node], "crash of node %d, which is down", node)
	fc.alive[node], fc.paused[node] = false, false
	fc.modeAtCrash[node] = fc.mode[node]
	fc.crashes[node]++
}
func (fc *fakeCluster) Restart(node int, delay int64) {
	require.False(fc.t, fc.restartPending[node], "node %d restarted twice", node)
	fc.restartPending[node] = true
	fc.After(delay, func() {
		fc.restartPending[node] = false
		if fc.alive[node] {
			return
		}
		fc.restarts[node]++
		if fc.cannotRestart[node] || (fc.corrupt[node] && !fc.startCorrupt) {
			return // fail-stop
		}
		fc.alive[node] = true
	})
}
func (fc *fakeCluster) Pause(node int) {
	require.True(fc.t, fc.alive[node] && !fc.paused[node], "pause of node %d, which is down or paused", node)
	fc.paused[node] = true
}
func (fc *fakeCluster) Resume(node int)      { fc.paused[node] = false }
func (fc *fakeCluster) Alive(node int) bool  { return fc.alive[node] }
func (fc *fakeCluster) Paused(node int) bool { return fc.paused[node] }
func (fc *fakeCluster) SetClockOffset(node int, off int64) {
	fc.offset[node] = off
	fc.offsetSets[node]++
}
func (fc *fakeCluster) SetClockDrift(node int, ppm float64) { fc.drift[node] = ppm }
func (fc *fakeCluster) ResetClocks() {
	clear(fc.offset)
	clear(fc.drift)
}
func (fc *fakeCluster) SetDiskCrashMode(node int, mode string) { fc.mode[node] = mode }
func (fc *fakeCluster) SetSyncLatency(node int, d int64)       { fc.syncLatency[node] = d }
func (fc *fakeCluster) CorruptDisk(node int) bool {
	require.False(fc.t, fc.alive[node], "corrupting the disk of running node %d", node)
	if !fc.corruptOK {
		return false
	}
	fc.corrupt[node] = true
	return true
}
func (fc *fakeCluster) RemoveMember(node int) error {
	if fc.membershipStuck || fc.Leader() == 0 {
		return errNoLeader
	}
	if fc.changePending() {
		return errPending
	}
	switch {
	case fc.loseRemovals != 0:
		if fc.loseRemovals > 0 {
			fc.loseRemovals--
		}
	case fc.removalLag > 0:
		fc.inFlight[node] = true
		fc.After(fc.removalLag, func() {
			fc.inFlight[node] = false
			fc.member[node] = false
		})
	default:
		fc.member[node] = false
	}
	return nil
}
func (fc *fakeCluster) AddMember(node int, wipe bool) error {
	if fc.membershipStuck || fc.Leader() == 0 {
		return errNoLeader
	}
	if fc.changePending() {
		return errPending
	}
	if wipe {
		require.False(fc.t, fc.member[node], "wiping node %d while it is a voter", node)
		fc.corrupt[node] = false
		fc.wiped[node]++
		fc.alive[node], fc.paused[node] = true, false
	}
	fc.member[node] = true
	return nil
}
func (fc *fakeCluster) Record(ev Event) {
	require.True(fc.t, slices.IsSorted(ev.Targets), "targets not sorted: %v", ev)
	require.NotEmpty(fc.t, ev.Detail, "event without detail: %v", ev)
	fc.events = append(fc.events, recorded{fc.now, ev})
}

// --- helpers for tests ---

// down counts nodes that are down for the budget: crashed (and not about to
// restart), paused, or out of the membership.
func (fc *fakeCluster) down() int {
	c := 0
	for _, id := range fc.nodes {
		if (!fc.alive[id] && !fc.restartPending[id]) || fc.paused[id] || !fc.member[id] {
			c++
		}
	}
	return c
}

// outOfService counts the nodes a correct budget must count as down: down
// (or fail-stopped), paused, out of the membership, or with a removal in
// flight that may still take effect.
func (fc *fakeCluster) outOfService() int {
	c := 0
	for _, id := range fc.nodes {
		if !fc.alive[id] || fc.paused[id] || !fc.member[id] || fc.inFlight[id] {
			c++
		}
	}
	return c
}

// reach returns the nodes node can exchange messages with both ways, itself
// included.
func (fc *fakeCluster) reach(node int) []int {
	var out []int
	for _, j := range fc.nodes {
		if j == node || (!fc.blocked[node][j] && !fc.blocked[j][node]) {
			out = append(out, j)
		}
	}
	return out
}

// blockedLinks lists every blocked directed link.
func (fc *fakeCluster) blockedLinks() []link {
	var out []link
	for _, a := range fc.nodes {
		for _, b := range fc.nodes {
			if fc.blocked[a][b] {
				out = append(out, link{a, b})
			}
		}
	}
	return out
}

// activeFaults replays the recorded events into the set of started faults.
func (fc *fakeCluster) activeFaults() []string {
	var out []string
	for _, r := range fc.events {
		if r.Start {
			out = append(out, r.Fault)
		} else {
			out = slices.DeleteFunc(out, func(s string) bool { return s == r.Fault })
		}
	}
	return out
}

// requireHealthy checks that nothing the nemesis can do is left in place.
func (fc *fakeCluster) requireHealthy(t testing.TB) {
	t.Helper()
	for _, id := range fc.nodes {
		require.True(t, fc.alive[id], "node %d down", id)
		require.False(t, fc.paused[id], "node %d paused", id)
		require.True(t, fc.member[id], "node %d not a member", id)
		require.Zero(t, fc.offset[id], "node %d clock offset", id)
		require.Zero(t, fc.drift[id], "node %d clock drift", id)
		require.Empty(t, fc.mode[id], "node %d disk crash mode", id)
		require.Zero(t, fc.syncLatency[id], "node %d sync latency", id)
	}
	require.Empty(t, fc.blockedLinks(), "links still blocked")
	require.Zero(t, fc.loss)
	require.Zero(t, fc.dup)
	require.Zero(t, fc.reorder)
	require.Zero(t, fc.extraDelay)
	for _, row := range fc.linkDelay {
		for _, d := range row {
			require.Zero(t, d, "link delay left")
		}
	}
}

// requirePaired checks that each fault's events alternate start, stop, ...
// and end with a stop.
func requirePaired(t testing.TB, events []recorded) {
	t.Helper()
	open := map[string]bool{}
	for i, r := range events {
		require.NotEqual(t, r.Start, open[r.Fault], "event %d %+v: start/stop out of turn", i, r)
		open[r.Fault] = r.Start
	}
	for name, o := range open {
		require.False(t, o, "fault %s never stopped", name)
	}
}

func testRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6e656d65)) }

// newNemesis builds a nemesis on fc, failing the test on error.
func newNemesis(t testing.TB, fc *fakeCluster, cfg Config, seed uint64) *Nemesis {
	t.Helper()
	n, err := New(cfg, fc, testRNG(seed))
	require.NoError(t, err)
	return n
}

// single is a config that starts name at 1 s, stops it at 2 s, starts it
// again at 3 s, and so on.
func single(name string) Config {
	return Config{Faults: []string{name}, Interval: Second, Jitter: Off, MaxActive: 1}
}
