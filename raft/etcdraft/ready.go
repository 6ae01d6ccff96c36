package etcdraft

import (
	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"

	"github.com/raftcheck/raftcheck/raft"
)

// HasReady reports whether a Ready is waiting; false while one is outstanding.
func (n *Node) HasReady() bool {
	if n.outstanding {
		return false
	}
	defer n.exit(n.enter())
	return n.rn.HasReady()
}

// Ready takes etcd's Ready, mirrors it into the storage (etcd reads its log
// back from there; the host's disk is the durable copy) and translates it.
// Its slices stay valid until Advance.
func (n *Node) Ready() raft.Ready {
	if n.outstanding {
		return raft.Ready{}
	}
	defer n.exit(n.enter())
	rd := n.rn.Ready()
	n.rd, n.outstanding = rd, true
	prevTerm, prevLeadTerm := n.term, n.leadTerm

	var out raft.Ready
	if hs := rd.HardState; hs != nil {
		n.term = hs.GetTerm()
		out.HardState = raft.HardState{Term: n.term, Vote: hs.GetVote(), Commit: hs.GetCommit()}
		if err := n.st.SetHardState(hs); err != nil {
			n.bug("storage refused hard state %v: %v", hs, err)
		}
	}
	ss := n.ss
	ss.Term = n.term
	if rd.SoftState != nil {
		ss.Role, ss.Lead = roleOf(rd.SoftState.RaftState), rd.SoftState.Lead
	}
	roleChanged := ss.Role != n.ss.Role
	if ss != n.ss {
		// etcd reports only the state at Ready time, so there is one change:
		// what happened in between cannot be seen through its API.
		n.roles[0] = ss
		out.SoftState, out.RoleChanges = &n.roles[0], n.roles[:1]
		n.ss = ss
	}
	// Every term change and every move to follower, candidate or leader reset
	// the election timer, which drew from crypto/rand.
	n.checkDraws(n.term != prevTerm || roleChanged && ss.Role != raft.PreCandidate, "a role or term change")

	if s := rd.Snapshot; s != nil {
		if err := n.st.ApplySnapshot(s); err != nil {
			n.bug("storage refused snapshot %d (term %d): %v", s.GetMetadata().GetIndex(), s.GetMetadata().GetTerm(), err)
		}
		out.Snapshot = n.toSnapshot(s)
		n.snap = out.Snapshot
	}
	if len(rd.Entries) > 0 {
		if err := n.st.Append(rd.Entries); err != nil {
			n.bug("storage refused entries %d..%d: %v", rd.Entries[0].GetIndex(), rd.Entries[len(rd.Entries)-1].GetIndex(), err)
		}
		n.entries = n.toEntries(n.entries[:0], rd.Entries)
		out.Entries = n.entries
	}
	n.verifyPlaced(rd.Entries)
	n.trackLast(&rd, prevLeadTerm)
	if ss.Role == raft.Leader {
		if n.leadTerm != n.term {
			n.becameLeader(rd.Entries)
		}
		n.leadTerm = n.term
	} else {
		n.leadTerm = 0
	}
	if len(rd.CommittedEntries) > 0 {
		n.committed = n.toEntries(n.committed[:0], rd.CommittedEntries)
		out.CommittedEntries = n.committed
	}
	if len(rd.Messages) > 0 {
		for _, m := range rd.Messages {
			n.msgs = append(n.msgs, toMessage(m))
			if m.GetType() == pb.MsgSnap {
				n.snapTo = append(n.snapTo, m.GetTo())
			}
		}
		out.Messages = n.msgs
	}
	if len(rd.ReadStates) > 0 {
		for _, rs := range rd.ReadStates {
			if len(rs.RequestCtx) != 8 {
				n.bug("read state at index %d carries a %d-byte context; the adapter only asks with 8", rs.Index, len(rs.RequestCtx))
			}
			n.reads = append(n.reads, raft.ReadState{Index: rs.Index, Context: contextUint(rs.RequestCtx)})
		}
		out.ReadStates = n.reads
	}
	// etcd does not count a snapshot toward MustSync (its own server syncs
	// snapshot files separately); here the host acknowledges it with a
	// MsgAppResp sent after this Ready, so it must be durable first.
	out.MustSync = rd.MustSync || out.Snapshot != nil
	return out
}

// toEntries appends the translation of es to dst.
func (n *Node) toEntries(dst []raft.Entry, es []*pb.Entry) []raft.Entry {
	for _, e := range es {
		dst = append(dst, n.toEntry(e))
	}
	return dst
}

// verifyPlaced checks every (index, term) Propose reported since the last
// Ready against the entries etcd now hands out: each must be there with the
// reported type and data. One may be missing only if the node moved to a
// later term meanwhile (a new leader's entries replaced it, which the host
// learns when that index is applied); within its term a leader only
// appends, so a missing or different entry there is an adapter bug.
func (n *Node) verifyPlaced(es []*pb.Entry) {
	j := 0
	for _, p := range n.placed {
		for j < len(es) && es[j].GetIndex() < p.index {
			j++
		}
		if j < len(es) && es[j].GetIndex() == p.index && es[j].GetTerm() == p.term {
			e := es[j]
			want := pb.EntryNormal
			if p.conf {
				want = pb.EntryConfChangeV2
			}
			if e.GetType() != want || len(e.GetData()) != p.size || fnv64a(e.GetData()) != p.sum {
				n.bug("the entry at (%d, %d) is %v with %d bytes, not the %v of %d bytes reported to the host",
					p.index, p.term, e.GetType(), len(e.GetData()), want, p.size)
			}
			continue
		}
		if n.term == p.term {
			n.bug("the proposal reported at (%d, %d) is not among the Ready's entries, though the node is still in term %d", p.index, p.term, n.term)
		}
	}
	n.placed = n.placed[:0]
}

// trackLast updates the last index from a Ready. A node that led at the
// previous Ready and is still in that term only appended what it was
// proposed, so its log must end exactly where Propose said.
func (n *Node) trackLast(rd *etcd.Ready, prevLeadTerm uint64) {
	last := n.last
	if rd.Snapshot != nil {
		last = rd.Snapshot.GetMetadata().GetIndex()
	}
	if k := len(rd.Entries); k > 0 {
		last = rd.Entries[k-1].GetIndex()
	}
	if prevLeadTerm != 0 && prevLeadTerm == n.term && last != n.last {
		n.bug("leader of term %d: its log ends at %d, but its proposals were placed up to %d", n.term, last, n.last)
	}
	n.last = last
}

// becameLeader mirrors what etcd's becomeLeader did: append an empty entry
// and hold configuration changes until everything before it is applied.
func (n *Node) becameLeader(es []*pb.Entry) {
	for _, e := range es {
		if e.GetTerm() == n.term {
			if e.GetType() != pb.EntryNormal || len(e.GetData()) != 0 {
				n.bug("new leader of term %d: its first entry %d is %v with %d bytes, not the empty entry", n.term, e.GetIndex(), e.GetType(), len(e.GetData()))
			}
			n.pendingConf = e.GetIndex() - 1
			return
		}
	}
	n.bug("new leader of term %d: its Ready carries no entry of that term", n.term)
}

// Advance applies the configuration changes the host just applied (etcd
// leaves that to the application, also when a restarted node replays its
// log), tells etcd the Ready is done, and reports the snapshots sent as
// delivered: if one was lost, the follower's rejection of the next append
// makes the leader send it again.
func (n *Node) Advance() {
	if !n.outstanding {
		return
	}
	defer n.exit(n.enter())
	rd := &n.rd
	if s := rd.Snapshot; s != nil {
		n.applied = s.GetMetadata().GetIndex()
		n.confs = n.confs[:0]
		n.setConf(n.applied, s.GetMetadata().GetConfState())
	}
	for _, e := range rd.CommittedEntries {
		if t := e.GetType(); t == pb.EntryConfChange || t == pb.EntryConfChangeV2 {
			cs := n.rn.ApplyConfChange(confChangeV2(n.decodeConfChange(e)))
			n.setConf(e.GetIndex(), cs)
		}
		n.applied = e.GetIndex()
	}
	n.rn.Advance(n.rd)
	for _, to := range n.snapTo {
		n.rn.ReportSnapshot(to, etcd.SnapshotFinish)
	}
	clear(n.msgs) // drop the payloads
	n.msgs, n.reads, n.snapTo = n.msgs[:0], n.reads[:0], n.snapTo[:0]
	clear(n.entries)
	clear(n.committed)
	n.entries, n.committed = n.entries[:0], n.committed[:0]
	n.rd = etcd.Ready{}
	n.outstanding = false
}

// checkDraws panics if etcd must have drawn an election timeout since the
// last check (must) but none came from the node's stream: the draw went to
// real randomness, so the run is not reproducible. It happens when a node is
// driven from another goroutine than the one that built it, or when
// something replaced crypto/rand.Reader.
func (n *Node) checkDraws(must bool, after string) {
	if must && n.draws == 0 {
		n.bug("etcd reset its election timer after %s, but the timeout was not drawn from Config.Rand: "+
			"drive each node from the goroutine that built it, and leave crypto/rand.Reader alone", after)
	}
	n.draws = 0
}

// fnv64a hashes proposal data, so verifyPlaced compares contents without
// keeping the host's buffer.
func fnv64a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
