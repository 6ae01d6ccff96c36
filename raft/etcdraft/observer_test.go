package etcdraft_test

import (
	"fmt"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// observer feeds every server's observable changes to the online invariant
// checker (election safety, log matching, durable state...) and to the trace,
// so the trace hash covers roles, commits and applied entries, and counts
// what the tests assert on.
type observer struct {
	w       *sim.World
	inv     *checker.Invariants
	crashed map[int]bool // crashed and not yet recovered

	anomalies   []string
	leaderTerms map[uint64]uint64 // term → its leader
	installed   int               // snapshots installed from a leader
	compacted   int               // snapshots a node took of its own state
	unknownPeer int
	applied     map[uint64]uint64 // node → last applied index
	confApplied int               // configuration entries applied (all nodes)
	restarts    int               // recoveries after a crash
	lostWrites  int               // unsynced disk writes crashes threw away
}

var _ kvstore.Observer = (*observer)(nil)

func newObserver(w *sim.World) *observer {
	o := &observer{w: w, inv: checker.NewInvariants(), crashed: map[int]bool{},
		leaderTerms: map[uint64]uint64{}, applied: map[uint64]uint64{}}
	w.Trace().SetSink(o.record, sim.KindCrash)
	return o
}

func (o *observer) now() int64 { return int64(o.w.Now()) }

// record is the trace sink: the invariants must know of crashes.
func (o *observer) record(r sim.Record) {
	if r.Kind == sim.KindCrash && r.A < clientBase {
		o.inv.Crash(int64(r.At), r.A)
		o.crashed[r.A] = true
		kept := int(r.Y >> 32) // X: unsynced writes; Y: kept whole << 32 | torn bytes
		o.lostWrites += int(r.X) - kept
	}
}

func digest(e *raft.Entry) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(e.Type)
	h *= 1099511628211
	for _, b := range e.Data {
		h ^= uint64(b)
		h *= 1099511628211
	}
	return h
}

func (o *observer) RoleChanged(node uint64, role raft.Role, term, lead uint64) {
	o.inv.Role(o.now(), int(node), role.String(), term)
	if role == raft.Leader {
		o.leaderTerms[term] = node
	}
	o.w.Trace().Emit(sim.KindRole, int(node), int(lead), int64(term), int64(role))
}

func (o *observer) LogAppended(node uint64, entries []raft.Entry) {
	es := make([]checker.Entry, len(entries))
	for i := range entries {
		es[i] = checker.Entry{Index: entries[i].Index, Term: entries[i].Term, Digest: digest(&entries[i])}
	}
	o.inv.Append(o.now(), int(node), es)
}

func (o *observer) SnapshotInstalled(node uint64, meta raft.SnapshotMeta) {
	o.installed++
	o.inv.Snapshot(o.now(), int(node), meta.Index, meta.Term)
}

func (o *observer) LogCompacted(uint64, raft.SnapshotMeta) { o.compacted++ }

func (o *observer) Synced(node uint64, hs raft.HardState) {
	o.inv.Durable(o.now(), int(node), hs.Term, hs.Vote)
}

func (o *observer) CommitAdvanced(node uint64, commit uint64) {
	o.inv.Commit(o.now(), int(node), commit)
	o.w.Trace().Emit(sim.KindCommit, int(node), 0, int64(commit), 0)
}

func (o *observer) VoteGranted(node uint64, term, candidate uint64) {
	o.inv.Vote(o.now(), int(node), term, candidate)
}

func (o *observer) Applied(node uint64, e raft.Entry) {
	d := digest(&e)
	o.inv.Apply(o.now(), int(node), e.Index, e.Term, d)
	o.applied[node] = e.Index
	if e.Type == raft.EntryConfChange {
		o.confApplied++
	}
	o.w.Trace().Emit(sim.KindApply, int(node), int(e.Term), int64(e.Index), int64(d))
}

func (o *observer) Recovered(node uint64, hs raft.HardState, snapIndex, lastIndex, lastTerm uint64) {
	if !o.crashed[int(node)] {
		return
	}
	o.crashed[int(node)] = false
	o.restarts++
	o.inv.Restart(o.now(), int(node), checker.Recovered{Term: hs.Term, Vote: hs.Vote, Commit: hs.Commit,
		SnapIndex: snapIndex, LastIndex: lastIndex, LastTerm: lastTerm})
}

func (o *observer) UnknownPeer(uint64, uint64, uint64) { o.unknownPeer++ }

func (o *observer) Anomaly(node uint64, term uint64, err error) {
	o.w.Trace().Emit(sim.KindAnomaly, int(node), 0, int64(term), 0)
	if len(o.anomalies) < 16 {
		o.anomalies = append(o.anomalies, fmt.Sprintf("%v node %d term %d: %v", o.w.Now(), node, term, err))
	}
}
