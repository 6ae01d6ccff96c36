package kvstore

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
)

// recObserver records what servers report and checks, as it goes, the
// properties the real invariant checker relies on: every node applies the same
// entry at an index (state-machine safety), applied indices are contiguous
// between snapshots, commit only rises, and no anomaly is reported unless the
// test expects some.
type recObserver struct {
	t             testing.TB
	allowAnomaly  bool
	anomalies     []error
	roles         []roleEvent
	appliedAt     map[uint64]raft.Entry // index → first entry applied there by any node
	lastApplied   map[uint64]uint64
	commit        map[uint64]uint64
	appended      map[uint64]uint64 // node → last index written
	synced        map[uint64]int
	recovered     map[uint64][]recoveredEvent
	snapshots     map[uint64][]raft.SnapshotMeta
	appliedByNode map[uint64][]raft.Entry
	answered      map[uint64][]raft.Entry // node → entries it answered a client from
	// allowViolations records broken properties instead of failing (tests
	// that show a planted bug at work).
	allowViolations bool
	violations      []string
	// verbose logs every event (debugging); clock gives the simulated time.
	verbose bool
	clock   *int64
}

func (o *recObserver) logf(format string, args ...any) {
	if o.verbose {
		var now int64
		if o.clock != nil {
			now = *o.clock
		}
		o.t.Logf("%9.3fms "+format, append([]any{float64(now) / 1e6}, args...)...)
	}
}

func (o *recObserver) violation(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	o.violations = append(o.violations, msg)
	o.logf("VIOLATION %s", msg)
	if !o.allowViolations {
		o.t.Error(msg)
	}
}

type roleEvent struct {
	node, term, lead uint64
	role             raft.Role
}

type recoveredEvent struct {
	hs                   raft.HardState
	snapIndex, lastIndex uint64
}

func newRecObserver(t testing.TB) *recObserver {
	return &recObserver{
		t:             t,
		appliedAt:     map[uint64]raft.Entry{},
		lastApplied:   map[uint64]uint64{},
		commit:        map[uint64]uint64{},
		appended:      map[uint64]uint64{},
		synced:        map[uint64]int{},
		recovered:     map[uint64][]recoveredEvent{},
		snapshots:     map[uint64][]raft.SnapshotMeta{},
		appliedByNode: map[uint64][]raft.Entry{},
		answered:      map[uint64][]raft.Entry{},
	}
}

func (o *recObserver) RoleChanged(node uint64, role raft.Role, term, lead uint64) {
	o.logf("n%d %v term %d lead %d", node, role, term, lead)
	o.roles = append(o.roles, roleEvent{node: node, role: role, term: term, lead: lead})
}

func (o *recObserver) LogAppended(node uint64, entries []raft.Entry) {
	o.logf("n%d append %d..%d (last term %d)", node, entries[0].Index, entries[len(entries)-1].Index, entries[len(entries)-1].Term)
	for i := 1; i < len(entries); i++ {
		if entries[i].Index != entries[i-1].Index+1 {
			o.t.Errorf("node %d: appended entries not contiguous: %d then %d", node, entries[i-1].Index, entries[i].Index)
		}
	}
	o.appended[node] = entries[len(entries)-1].Index
}

func (o *recObserver) SnapshotInstalled(node uint64, meta raft.SnapshotMeta) {
	o.logf("n%d snapshot %d term %d", node, meta.Index, meta.Term)
	o.snapshots[node] = append(o.snapshots[node], meta)
	if meta.Index > o.lastApplied[node] {
		o.lastApplied[node] = meta.Index
	}
}

func (o *recObserver) LogCompacted(node uint64, meta raft.SnapshotMeta) {
	o.SnapshotInstalled(node, meta)
}

func (o *recObserver) Synced(node uint64, hs raft.HardState) {
	o.logf("n%d synced %+v", node, hs)
	o.synced[node]++
}

func (o *recObserver) CommitAdvanced(node uint64, commit uint64) {
	o.logf("n%d commit %d", node, commit)
	if commit <= o.commit[node] {
		o.t.Errorf("node %d: commit went from %d to %d", node, o.commit[node], commit)
	}
	if commit > o.appended[node] && len(o.snapshots[node]) == 0 && len(o.recovered[node]) == 0 {
		o.t.Errorf("node %d: commit %d beyond the last appended entry %d", node, commit, o.appended[node])
	}
	o.commit[node] = commit
}

func (o *recObserver) Applied(node uint64, e raft.Entry) {
	o.logf("n%d apply %d term %d", node, e.Index, e.Term)
	if last := o.lastApplied[node]; e.Index != last+1 {
		o.t.Errorf("node %d: applied %d after %d", node, e.Index, last)
	}
	o.lastApplied[node] = e.Index
	if prev, ok := o.appliedAt[e.Index]; ok {
		if prev.Term != e.Term || !bytes.Equal(prev.Data, e.Data) || prev.Type != e.Type {
			o.violation("state-machine safety: node %d applied (%d, term %d) that differs from another node's (term %d)",
				node, e.Index, e.Term, prev.Term)
		}
	} else {
		o.appliedAt[e.Index] = e
	}
	o.appliedByNode[node] = append(o.appliedByNode[node], e)
}

// Answered implements AnswerObserver: the answer comes from the entry the
// node applied last, once per entry.
func (o *recObserver) Answered(node uint64, e raft.Entry) {
	o.logf("n%d answered from %d term %d", node, e.Index, e.Term)
	applied := o.appliedByNode[node]
	if len(applied) == 0 || applied[len(applied)-1].Index != e.Index || applied[len(applied)-1].Term != e.Term {
		o.t.Errorf("node %d answered from entry %d (term %d), which is not the one it applied last", node, e.Index, e.Term)
	}
	if as := o.answered[node]; len(as) > 0 && as[len(as)-1].Index >= e.Index {
		o.t.Errorf("node %d answered from entry %d after entry %d", node, e.Index, as[len(as)-1].Index)
	}
	o.answered[node] = append(o.answered[node], e)
}

func (o *recObserver) UnknownPeer(node, from, term uint64) {
	o.logf("n%d refused a message from n%d (term %d): not in its configuration", node, from, term)
}

func (o *recObserver) VoteGranted(node uint64, term, candidate uint64) {
	o.logf("n%d grants its vote in term %d to n%d", node, term, candidate)
}

func (o *recObserver) Recovered(node uint64, hs raft.HardState, snapIndex, lastIndex, _ uint64) {
	o.logf("n%d recovered %+v snapshot %d last %d", node, hs, snapIndex, lastIndex)
	o.recovered[node] = append(o.recovered[node], recoveredEvent{hs, snapIndex, lastIndex})
	// The node re-applies from its snapshot; its commit may restart lower.
	o.lastApplied[node] = snapIndex
	o.commit[node] = 0
	o.appended[node] = lastIndex
}

func (o *recObserver) Anomaly(node uint64, term uint64, err error) {
	o.logf("n%d ANOMALY %v", node, err)
	o.anomalies = append(o.anomalies, err)
	if !o.allowAnomaly {
		o.t.Errorf("anomaly at node %d term %d: %v", node, term, err)
	}
}

// leadersByTerm returns, for each term, the nodes that became leader in it.
func (o *recObserver) leadersByTerm() map[uint64][]uint64 {
	out := map[uint64][]uint64{}
	for _, r := range o.roles {
		if r.role == raft.Leader {
			out[r.term] = append(out[r.term], r.node)
		}
	}
	return out
}
