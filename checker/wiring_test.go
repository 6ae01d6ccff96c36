package checker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This file drives the checkers the way raftcheck's observer does, through
// the callbacks of kvstore.Observer in the order a server makes them (role
// changes, then log writes, then the commit index, then — after the sync —
// votes and applies), with plain data where the observer has raft types:
// wiredObserver is that observer without the raft and kvstore imports. The
// calls each callback makes are the wiring the report describes.

// wiredEntry is a raft.Entry as the observer sees it: a configuration entry
// carries its decoded change (raft.UnmarshalConfChange).
type wiredEntry struct {
	index, term uint64
	data        string
	conf        *ConfChange
}

type wiredObserver struct {
	inv *Invariants
	now int64
	// voters stands in for the server's Status().Voters.
	voters  func(node int) []int
	sem     ConfSemantics
	crashed map[int]bool
	faults  []FaultSpan
}

func newWiredObserver(sem ConfSemantics, voters func(node int) []int) *wiredObserver {
	inv := NewInvariants()
	inv.SetConfSemantics(sem)
	return &wiredObserver{inv: inv, voters: voters, sem: sem, crashed: map[int]bool{}}
}

func wiredDigest(e wiredEntry) uint64 {
	h := uint64(14695981039346656037)
	if e.conf != nil {
		h ^= 1
	}
	for _, b := range []byte(e.data) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}

func (o *wiredObserver) RoleChanged(node int, role string, term uint64) {
	o.inv.Role(o.now, node, role, term)
}

func (o *wiredObserver) LogAppended(node int, es []wiredEntry) {
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry{Index: e.index, Term: e.term, Digest: wiredDigest(e), Conf: e.conf}
	}
	o.inv.Append(o.now, node, out)
	if o.sem == ConfOnAppend {
		o.inv.ActiveConfig(o.now, node, o.voters(node))
	}
}

func (o *wiredObserver) SnapshotInstalled(node int, index, term uint64, voters []int) {
	o.inv.Snapshot(o.now, node, index, term)
	o.inv.ConfBase(o.now, node, index, voters)
}

func (o *wiredObserver) LogCompacted(node int, index uint64, voters []int) {
	o.inv.ConfBase(o.now, node, index, voters)
}

func (o *wiredObserver) Synced(node int, term, vote uint64) { o.inv.Durable(o.now, node, term, vote) }

func (o *wiredObserver) CommitAdvanced(node int, commit uint64) {
	o.inv.Commit(o.now, node, commit)
	if o.sem == ConfOnApply {
		o.inv.ActiveConfig(o.now, node, o.voters(node))
	}
}

func (o *wiredObserver) Applied(node int, e wiredEntry) {
	o.inv.Apply(o.now, node, e.index, e.term, wiredDigest(e))
}

// Answered is the callback the report proposes for kvstore: the server told
// a client ok from the entry it applied.
func (o *wiredObserver) Answered(node int, e wiredEntry) {
	o.inv.Acknowledged(o.now, node, e.index, e.term, wiredDigest(e))
}

func (o *wiredObserver) Crash(node int) { // the simulator's crash record
	o.inv.Crash(o.now, node)
	o.crashed[node] = true
}

func (o *wiredObserver) Recovered(node int, term, vote, commit, snapIndex, lastIndex, lastTerm uint64) {
	if !o.crashed[node] {
		return // the first boot is no restart
	}
	delete(o.crashed, node)
	o.inv.Restart(o.now, node, Recovered{Term: term, Vote: vote, Commit: commit, SnapIndex: snapIndex, LastIndex: lastIndex, LastTerm: lastTerm})
}

// Fault is the nemesis' fault record (a start, then a stop).
func (o *wiredObserver) Fault(start, end int64) { o.faults = append(o.faults, FaultSpan{start, end}) }

// check is the end of the run: churn over the fault-free stretches.
func (o *wiredObserver) check(setup, end, electionTimeout, broadcast int64) (ChurnResult, error) {
	return CheckChurn(o.inv.Roles(), ChurnOptions{ElectionTimeout: electionTimeout, Start: setup, End: end,
		Faults: o.faults, BroadcastTime: broadcast})
}

// bootWired boots nodes 1..3: the bootstrap configuration entries, appended,
// synced, committed and applied, and node 1 elected in term 2.
func bootWired(o *wiredObserver) []wiredEntry {
	var es []wiredEntry
	for n := 1; n <= 3; n++ {
		es = append(es, wiredEntry{index: uint64(n), term: 1, data: "add", conf: &ConfChange{Node: n}})
	}
	for n := 1; n <= 3; n++ {
		o.Recovered(n, 0, 0, 0, 0, 0, 0)
		o.LogAppended(n, es)
		o.CommitAdvanced(n, 3)
		o.Synced(n, 1, 0)
		for _, e := range es {
			o.Applied(n, e)
		}
	}
	o.now = 100
	o.RoleChanged(1, RoleCandidate, 2)
	o.Synced(1, 2, 1)
	for n := 2; n <= 3; n++ {
		o.RoleChanged(n, RoleFollower, 2)
		o.Synced(n, 2, 1)
	}
	o.RoleChanged(1, RoleLeader, 2)
	return es
}

// TestWiringAckBeforeFsync: the leader appends, commits, applies and
// answers a write before its sync completes (kvstore's ack-before-fsync),
// then crashes losing the unsynced write: acknowledged-entry-lost, with
// the client acknowledgement in the evidence.
func TestWiringAckBeforeFsync(t *testing.T) {
	o := newWiredObserver(ConfOnAppend, func(int) []int { return []int{1, 2, 3} })
	bootWired(o)
	w := wiredEntry{index: 4, term: 2, data: "put x 1"}
	o.now = 200
	o.LogAppended(1, []wiredEntry{w})
	for n := 2; n <= 3; n++ { // the followers ack before their syncs too
		o.LogAppended(n, []wiredEntry{w})
	}
	o.CommitAdvanced(1, 4)
	o.Applied(1, w)
	o.Answered(1, w)
	o.now = 210
	o.Crash(1)
	o.now = 300
	o.Recovered(1, 2, 1, 3, 0, 3, 1)
	require.Equal(t, []string{AckLost}, invariantsOf(o.inv))
	assert.Contains(t, o.inv.Violations()[0].Evidence, "told to a client by node 1 at 200ns")
}

// TestWiringConfTruncation: on-append semantics; the leader of term 2
// appends AddNode(4) on node 2 and is deposed before committing it; the
// leader of term 3 replaces it. The server's status keeps voter 4 (the
// planted ConfKeepTruncated): configuration-divergence at the next write.
func TestWiringConfTruncation(t *testing.T) {
	voters := map[int][]int{1: {1, 2, 3}, 2: {1, 2, 3}, 3: {1, 2, 3}}
	o := newWiredObserver(ConfOnAppend, func(n int) []int { return voters[n] })
	bootWired(o)
	o.now = 200
	voters[2] = []int{1, 2, 3, 4}
	o.LogAppended(2, []wiredEntry{{index: 4, term: 2, data: "add 4", conf: &ConfChange{Node: 4}}})
	require.Empty(t, o.inv.Violations())
	o.now = 300
	o.RoleChanged(3, RoleLeader, 3)
	o.LogAppended(3, []wiredEntry{{index: 4, term: 3, data: "noop"}})
	o.RoleChanged(2, RoleFollower, 3)
	o.LogAppended(2, []wiredEntry{{index: 4, term: 3, data: "noop"}}) // voters[2] not reverted
	require.Equal(t, []string{ConfDivergence}, invariantsOf(o.inv))
	assert.Contains(t, o.inv.Violations()[0].Evidence, "so the change was not undone")
}

// TestWiringChurn: after a partition heals and the cluster settles, a new
// leader every ~1.2 election timeouts is churn; the elections during the
// partition are not counted.
func TestWiringChurn(t *testing.T) {
	const timeout = 1000
	o := newWiredObserver(ConfOnAppend, func(int) []int { return []int{1, 2, 3} })
	bootWired(o)
	o.Fault(1000, 3000)
	term := uint64(2)
	for at := int64(1200); at < 30_000; at += 1200 {
		o.now = at
		term++
		n := 1 + int(term)%3
		o.RoleChanged(n, RoleCandidate, term)
		o.RoleChanged(n, RoleLeader, term)
	}
	r, err := o.check(100, 30_000, timeout, 30)
	require.NoError(t, err)
	require.Equal(t, LivenessFailed, r.Status)
	assert.Equal(t, 9, r.MaxTerms, "ten timeouts hold about eight elections; the window starts at one")
	assert.GreaterOrEqual(t, r.WindowStart, int64(3000+5*timeout), "not before the settle time after the fault")
	assert.Equal(t, 9, r.MaxLeaders)
	assert.Contains(t, Combine(Checks{Churn: &r}).Reasons[0], "election-churn: 9 new terms and 9 leaders elected within 10µs")
}

// TestWiringConfOnApply: an implementation that adopts configurations when
// it applies them (etcd's) may use the new one as soon as the Ready that
// commits it is taken, never while the entry is only appended.
func TestWiringConfOnApply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		early bool // the node adopts AddNode(4) on append
		want  []string
	}{
		{"adopted once committed", false, nil},
		{"adopted on append", true, []string{ConfDivergence}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			voters := map[int][]int{1: {1, 2, 3}, 2: {1, 2, 3}, 3: {1, 2, 3}}
			o := newWiredObserver(ConfOnApply, func(n int) []int { return voters[n] })
			bootWired(o)
			put := wiredEntry{index: 4, term: 2, data: "put x 1"}
			add := wiredEntry{index: 5, term: 2, data: "add 4", conf: &ConfChange{Node: 4}}
			o.now = 200
			if tc.early {
				voters[2] = []int{1, 2, 3, 4}
			}
			o.LogAppended(2, []wiredEntry{put, add})
			o.CommitAdvanced(2, 4) // the put is committed, the change not yet
			o.Synced(2, 2, 1)
			o.Applied(2, put)
			o.now = 300
			voters[2] = []int{1, 2, 3, 4}
			o.CommitAdvanced(2, 5)
			o.Applied(2, add)
			assert.Equal(t, tc.want, invariantsOf(o.inv))
		})
	}
}
