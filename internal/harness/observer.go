package harness

import (
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// observer receives every replica's observable changes (kvstore.Observer) and
// the simulator's host events (a trace sink), and fans them out to the online
// invariant checker, the trace hash and the report's node timeline.
type observer struct {
	w   *sim.World
	inv *checker.Invariants
	// unknownPeer counts messages refused as from outside a configuration.
	unknownPeer uint64

	nodeEvents []report.NodeEvent
	messages   []report.Message // node-to-node messages, when kept
	keepMsgs   bool
	answer     string         // what the reply being sent says (nodeEnv.Send), for its record
	inFlight   map[msgKey]int // kept messages not yet delivered, by planned arrival
	nodes      int            // node addresses are 1..nodes

	reports    []selfReport    // the nodes' own safety assertions, the first maxAnomalies
	reported   int             // every assertion reported, kept or not
	conf       committedConf   // the voters as of the latest applied configuration entry
	leaderSeen bool            // some node has been leader: setup is over
	crashed    []bool          // by node id: crashed and not yet recovered
	inbound    []sim.Time      // by node id: when the last message sent to it so far arrives
	outbound   []sim.Time      // by node id: when the last message it sent so far arrives
	entries    []checker.Entry // reused conversion buffer

	// confSem is when the implementation under test adopts a configuration
	// entry: it decides where a node's active configuration is reported
	// (LogAppended or CommitAdvanced, see checker.Invariants.ActiveConfig).
	confSem checker.ConfSemantics
	// servers is each node's running server, by id, registered before it
	// starts (the host knows its process only once start returns, and the
	// first Ready is taken inside it): the source of Status().Voters.
	servers []*kvstore.Server
	// confChanges is every configuration entry's first application, in
	// order, with the size of the voter set after it: election churn is
	// not judged around membership changes.
	confChanges []confChange
	voterBuf    []int // reused conversion buffer
	// disks is what each node's disk holds, by id: whether a wiped node
	// may come back under its id yet (simFaults.reuseBlocker).
	disks diskLog
}

// confChange is the first application of a configuration entry anywhere.
type confChange struct {
	t      int64
	voters int // the committed configuration's size after it
}

var (
	_ kvstore.Observer       = (*observer)(nil)
	_ kvstore.AnswerObserver = (*observer)(nil)
)

// maxAnomalies bounds the anomalies kept (the first ones are what matters).
const maxAnomalies = 32

// maxKeptMessages bounds the memory the timeline's messages take on a long
// run; the report samples them further (report.DefaultMessageCap).
const maxKeptMessages = 400_000

// newObserver builds the observer of a cluster of nodes whose Raft adopts
// configurations as sem says.
func newObserver(w *sim.World, nodes int, keepMsgs bool, sem checker.ConfSemantics) *observer {
	o := &observer{w: w, inv: checker.NewInvariants(), keepMsgs: keepMsgs, nodes: nodes, inFlight: map[msgKey]int{}, crashed: make([]bool, nodes+1), inbound: make([]sim.Time, nodes+1), outbound: make([]sim.Time, nodes+1),
		confSem: sem, servers: make([]*kvstore.Server, nodes+1), disks: make(diskLog, nodes+1)}
	o.inv.SetConfSemantics(sem)
	// Only the kinds record looks at: deliveries, timers, writes and syncs
	// are most records and need no call.
	kinds := []sim.Kind{sim.KindCrash, sim.KindWipe, sim.KindCorrupt, sim.KindRestart, sim.KindPause, sim.KindResume, sim.KindSend, sim.KindDuplicate}
	if keepMsgs {
		kinds = append(kinds, sim.KindDrop, sim.KindDeliver)
	}
	w.Trace().SetSink(o.record, kinds...)
	return o
}

func (o *observer) now() int64 { return int64(o.w.Now()) }

// entryDigest identifies an entry's contents (type and data) for log matching
// and state-machine safety; FNV-1a is enough: a collision can only hide a bug.
func entryDigest(e *raft.Entry) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(e.Type)
	h *= 1099511628211
	for _, b := range e.Data {
		h ^= uint64(b)
		h *= 1099511628211
	}
	return h
}

// RoleChanged implements kvstore.Observer.
func (o *observer) RoleChanged(node uint64, role raft.Role, term, lead uint64) {
	t := o.now()
	o.inv.Role(t, int(node), role.String(), term)
	if role == raft.Leader {
		o.leaderSeen = true
	}
	o.w.Trace().Emit(sim.KindRole, int(node), int(lead), int64(term), int64(role))
	o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: t, Node: int(node), Kind: report.EventRole, Role: role.String(), Term: term})
}

// serving registers node's server, before it starts.
func (o *observer) serving(node int, s *kvstore.Server) {
	if node >= 1 && node < len(o.servers) {
		o.servers[node] = s
	}
}

// activeConfig reports node's voter set (Status().Voters) to the invariants.
// Call it only where the checker knows everything that set depends on under
// the run's semantics (see checker.Invariants.ActiveConfig).
func (o *observer) activeConfig(node uint64) {
	if node >= uint64(len(o.servers)) || o.servers[node] == nil {
		return
	}
	voters := o.servers[node].Status().Voters
	o.voterBuf = o.voterBuf[:0]
	for _, v := range voters {
		o.voterBuf = append(o.voterBuf, int(v))
	}
	o.inv.ActiveConfig(o.now(), int(node), o.voterBuf)
}

// intsOf converts raft ids to the checker's ints.
func intsOf(ids []uint64) []int {
	out := make([]int, len(ids))
	for i, v := range ids {
		out[i] = int(v)
	}
	return out
}

// LogAppended implements kvstore.Observer. A configuration entry carries its
// decoded change (one that does not decode carries none: the checker then
// sees an ordinary entry, and the apply reports the anomaly). Under on-append
// semantics the node's voters must now be its log's latest configuration.
func (o *observer) LogAppended(node uint64, entries []raft.Entry) {
	o.disks.appended(node, len(entries))
	o.entries = o.entries[:0]
	for i := range entries {
		e := &entries[i]
		ce := checker.Entry{Index: e.Index, Term: e.Term, Digest: entryDigest(e)}
		if e.Type == raft.EntryConfChange {
			if cc, err := raft.UnmarshalConfChange(e.Data); err == nil {
				ce.Conf = &checker.ConfChange{Node: int(cc.NodeID), Remove: cc.Type == raft.RemoveNode}
			}
		}
		o.entries = append(o.entries, ce)
	}
	o.inv.Append(o.now(), int(node), o.entries)
	if o.confSem == checker.ConfOnAppend {
		o.activeConfig(node)
	}
}

// SnapshotInstalled implements kvstore.Observer.
func (o *observer) SnapshotInstalled(node uint64, meta raft.SnapshotMeta) {
	o.disks.snapshot(node, meta)
	o.inv.Snapshot(o.now(), int(node), meta.Index, meta.Term)
	o.inv.ConfBase(o.now(), int(node), meta.Index, intsOf(meta.ConfState.Voters))
}

// LogCompacted implements kvstore.Observer: a node's own snapshot changes
// no entry the invariants look at (the entries it covers stay committed),
// but the configuration it records must be the one the log has there.
func (o *observer) LogCompacted(node uint64, meta raft.SnapshotMeta) {
	o.disks.snapshot(node, meta)
	o.inv.ConfBase(o.now(), int(node), meta.Index, intsOf(meta.ConfState.Voters))
}

// Synced implements kvstore.Observer.
func (o *observer) Synced(node uint64, hs raft.HardState) {
	o.disks.synced(node)
	o.inv.Durable(o.now(), int(node), hs.Term, hs.Vote)
}

// CommitAdvanced implements kvstore.Observer. Under on-apply semantics the
// node's voters must now be those of a committed configuration entry.
func (o *observer) CommitAdvanced(node uint64, commit uint64) {
	o.inv.Commit(o.now(), int(node), commit)
	o.w.Trace().Emit(sim.KindCommit, int(node), 0, int64(commit), 0)
	if o.confSem == checker.ConfOnApply {
		o.activeConfig(node)
	}
}

// Applied implements kvstore.Observer. The trace record carries the entry's
// digest, so two runs that apply different commands hash differently: A the
// node, B the entry's term, X its index, Y its digest (entryDigest).
func (o *observer) Applied(node uint64, e raft.Entry) {
	d := entryDigest(&e)
	o.inv.Apply(o.now(), int(node), e.Index, e.Term, d)
	fresh := e.Type == raft.EntryConfChange && e.Index > o.conf.index
	if err := o.conf.applied(&e); err != nil {
		o.Anomaly(node, e.Term, err)
	} else if fresh {
		o.confChanges = append(o.confChanges, confChange{t: o.now(), voters: len(o.conf.voters)})
	}
	o.w.Trace().Emit(sim.KindApply, int(node), int(e.Term), int64(e.Index), int64(d))
}

// Answered implements kvstore.AnswerObserver: node told a client ok from e,
// which holds the cluster to e.
func (o *observer) Answered(node uint64, e raft.Entry) {
	o.inv.Acknowledged(o.now(), int(node), e.Index, e.Term, entryDigest(&e))
}

// traceOp puts a client operation in the trace as the recorder takes it, so
// the trace hash covers the history's contents and not only its timing: an
// invoke is KindInvoke, a completion (ok, fail, info) KindComplete, each with
// A the process, B the node that answered (0 for an invoke or no answer), X
// the op's history index and Y its digest (histories.Op.Digest: f, key,
// value, type, error, node). Nemesis ops are left to the fault records
// (simFaults.Record), which carry their digest.
func (o *observer) traceOp(op *histories.Op) {
	switch {
	case op.Process == histories.NemesisProcess:
	case op.Type == histories.Invoke:
		o.w.Trace().Emit(sim.KindInvoke, op.Process, 0, int64(op.Index), int64(op.Digest()))
	default:
		o.w.Trace().Emit(sim.KindComplete, op.Process, op.Node, int64(op.Index), int64(op.Digest()))
	}
}

// Recovered implements kvstore.Observer. Only a start after a crash is a
// restart for the invariants; the first boot is not.
func (o *observer) Recovered(node uint64, hs raft.HardState, snapIndex, lastIndex, lastTerm uint64) {
	o.disks.recovered(node, snapIndex, lastIndex)
	if !o.crashed[node] {
		return
	}
	o.crashed[node] = false
	o.inv.Restart(o.now(), int(node), checker.Recovered{Term: hs.Term, Vote: hs.Vote, Commit: hs.Commit,
		SnapIndex: snapIndex, LastIndex: lastIndex, LastTerm: lastTerm})
}

// VoteGranted implements kvstore.Observer.
func (o *observer) VoteGranted(node uint64, term, candidate uint64) {
	o.inv.Vote(o.now(), int(node), term, candidate)
}

// UnknownPeer counts messages a node refused as from outside its
// configuration; Stats.MessagesUnknownPeer reports them.
func (o *observer) UnknownPeer(uint64, uint64, uint64) { o.unknownPeer++ }

// Anomaly implements kvstore.Observer: in simulation an impossible state is a found bug.
func (o *observer) Anomaly(node uint64, term uint64, err error) {
	o.w.Trace().Emit(sim.KindAnomaly, int(node), 0, int64(term), 0)
	o.reported++
	if len(o.reports) < maxAnomalies {
		o.reports = append(o.reports, selfReport{node: int(node), term: term, at: o.now(), text: trimNodeTerm(err.Error(), int(node), term)})
	}
}

// down records that node refused to start (fail-stop), e.g. on a corrupt disk.
func (o *observer) down(node int, _ error) {
	o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: o.now(), Node: node, Kind: report.EventDown})
}

// record is the trace sink: host lifecycle events and node-to-node messages.
func (o *observer) record(r sim.Record) {
	if (r.Kind == sim.KindSend || r.Kind == sim.KindDuplicate) && r.Y >= 0 {
		// When each node's messages, in and out, have all landed: a wiped
		// node is replaced only then (simFaults.replace).
		at := r.At + sim.Time(r.Y)
		if o.isNode(r.B) {
			o.inbound[r.B] = max(o.inbound[r.B], at)
		}
		if o.isNode(r.A) {
			o.outbound[r.A] = max(o.outbound[r.A], at)
		}
	}
	switch r.Kind {
	case sim.KindCrash:
		if o.isNode(r.A) {
			o.inv.Crash(int64(r.At), r.A)
			o.crashed[r.A] = true
			o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: int64(r.At), Node: r.A, Kind: report.EventCrash})
		}
	case sim.KindWipe:
		if o.isNode(r.A) {
			o.disks.wiped(uint64(r.A))
			o.inv.Wipe(int64(r.At), r.A)
		}
	case sim.KindCorrupt:
		if o.isNode(r.A) {
			o.inv.Corrupt(int64(r.At), r.A)
		}
	case sim.KindRestart:
		// X is the incarnation: the first boot (1) is not a restart.
		if o.isNode(r.A) && r.Y == 0 && r.X > 1 {
			o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: int64(r.At), Node: r.A, Kind: report.EventRestart})
		}
	case sim.KindPause:
		if o.isNode(r.A) {
			o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: int64(r.At), Node: r.A, Kind: report.EventPause})
		}
	case sim.KindResume:
		if o.isNode(r.A) {
			o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: int64(r.At), Node: r.A, Kind: report.EventResume})
		}
	case sim.KindSend, sim.KindDuplicate, sim.KindDrop, sim.KindDeliver:
		if o.keepMsgs && o.isNode(r.A) && o.isNode(r.B) {
			o.keepMessage(r)
		}
	}
}

func (o *observer) isNode(addr int) bool { return addr >= 1 && addr <= o.nodes }
