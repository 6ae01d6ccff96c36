package kvstore

import (
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// maxRecBuf is the largest record buffer kept for reuse; a bigger one (a large
// snapshot) is dropped after use so it does not pin memory.
const maxRecBuf = 1 << 20

// step handles Readies until raft has none or one waits for its disk sync.
// The order per Ready is raft's contract (raft/types.go): persist and sync,
// then send, then apply and answer, then Advance.
func (s *Server) step() {
	for i := 0; i < maxReadiesPerStep; i++ {
		if s.inReady || !s.node.HasReady() {
			return
		}
		s.rd = s.node.Ready()
		s.takeReady()
	}
	if !s.inReady && s.node.HasReady() {
		s.anomaly(fmt.Errorf("raft still has a Ready after %d in one step", maxReadiesPerStep))
	}
}

// takeReady observes and persists the Ready just taken into s.rd, then either
// waits for the sync or finishes it at once. s.rd is held until Advance: raft
// keeps its slices intact until then, though it keeps stepping messages and
// ticks during the sync.
func (s *Server) takeReady() {
	rd := &s.rd
	s.inReady = true
	s.observeRoles(rd)
	s.persist(rd)
	s.observeCommit(&rd.HardState)
	// Messages travel by pointer and raft reuses the Ready's message slice
	// after Advance, so each gets its own copy.
	for i := range rd.Messages {
		m := s.msgSlab.next()
		*m = rd.Messages[i]
		s.rdMsgs = append(s.rdMsgs, m)
	}
	if rd.MustSync {
		s.sync()
		if !s.cfg.Bugs.AckBeforeFsync {
			return // finishReady runs when the sync completes
		}
		// Planted bug: messages and replies leave before the data is durable.
	}
	s.finishReady()
}

// observeRoles reports every role, term and leader change, in order.
func (s *Server) observeRoles(rd *raft.Ready) {
	changes := rd.RoleChanges
	if len(changes) == 0 && rd.SoftState != nil {
		changes = []raft.SoftState{*rd.SoftState}
	}
	for _, ss := range changes {
		wasLeader := s.role == raft.Leader
		s.role, s.term, s.lead = ss.Role, ss.Term, ss.Lead
		s.obs.RoleChanged(s.id, ss.Role, ss.Term, ss.Lead)
		if wasLeader && s.role != raft.Leader {
			s.failUnconfirmedReads()
		}
	}
	// A term can rise without a role change only through HardState.
	if rd.HardState.Term > s.term {
		s.term = rd.HardState.Term
	}
}

// observeCommit reports the commit index of a Ready's hard state whenever it
// changes, a fall included: raft never lowers it, and a checker sees it if
// one does.
func (s *Server) observeCommit(hs *raft.HardState) {
	if hs.IsEmpty() || hs.Commit == s.commit {
		return
	}
	s.commit = hs.Commit
	s.obs.CommitAdvanced(s.id, s.commit)
}

// persist writes rd's snapshot and one log batch holding its hard state and
// entries. The snapshot file goes first so that a log reset never survives a
// crash without the snapshot it refers to.
func (s *Server) persist(rd *raft.Ready) {
	if !rd.HardState.IsEmpty() {
		s.hardState = s.durableHardState(rd.HardState)
	}
	if !rd.MustSync && rd.Snapshot == nil && len(rd.Entries) == 0 {
		// Only the commit index moved: raft need not have it durable (a
		// restarted node learns it again), so it rides along with the next
		// batch instead of costing a write that would wait unsynced.
		return
	}
	hasHS := s.hardState != s.writtenHS
	if rd.Snapshot != nil {
		s.disk.WriteFile(snapshotFile, appendSnapshotFile(nil, rd.Snapshot))
	}
	s.batch = logBatch{hasHardState: hasHS, hardState: s.hardState, entries: rd.Entries}
	if rd.Snapshot != nil {
		s.batch.reset = true
		s.batch.baseIndex, s.batch.baseTerm = rd.Snapshot.Meta.Index, rd.Snapshot.Meta.Term
	}
	s.recBuf = appendLogBatch(s.recBuf[:0], &s.batch)
	s.batch.entries = nil
	s.disk.Append(logFile, s.recBuf)
	if cap(s.recBuf) > maxRecBuf {
		s.recBuf = nil
	}
	s.writtenHS = s.hardState
	if rd.Snapshot != nil {
		s.snapIndex, s.logLast = rd.Snapshot.Meta.Index, rd.Snapshot.Meta.Index
		s.stats.SnapshotsReceived++
		s.obs.SnapshotInstalled(s.id, rd.Snapshot.Meta)
	}
	if n := len(rd.Entries); n > 0 {
		s.logLast = rd.Entries[n-1].Index
		s.obs.LogAppended(s.id, rd.Entries)
	}
}

// durableHardState is the hard state the server writes for hs: hs itself,
// unless a planted persistence bug edits it. They edit it here, and only
// here: raft's state, and what the server does with it, stay right until a
// crash brings back what was written.
func (s *Server) durableHardState(hs raft.HardState) raft.HardState {
	if s.cfg.Bugs.NoPersistVote {
		hs.Vote = raft.None
	}
	if s.cfg.Bugs.NoPersistTerm {
		hs.Term = s.bootTerm
	}
	return hs
}

// sync asks the disk to make every write so far durable. Normally the Ready
// waits for it, so only one is ever in flight; under Bugs.AckBeforeFsync
// writes may pile up behind the in-flight sync and get one more afterwards.
func (s *Server) sync() {
	if s.syncing {
		s.syncAgain = true
		return
	}
	s.syncing = true
	s.syncSeq++
	s.syncHS = s.writtenHS
	s.stats.Syncs++
	s.disk.Sync(tagSync | s.syncSeq&tagSeqMask)
}

// synced handles a completed sync.
func (s *Server) synced(tag uint64) {
	if !s.syncing || tag != tagSync|s.syncSeq&tagSeqMask {
		s.anomaly(fmt.Errorf("sync completion %#x not awaited (in flight: %v, seq %d)", tag, s.syncing, s.syncSeq))
		return
	}
	s.syncing = false
	// An operator's sync (Compact) that a Ready began behind covers none of
	// the Ready's writes: the Ready's own sync, queued behind it, reports
	// them durable and finishes it.
	early := s.opSync && s.inReady
	s.opSync = false
	if !early {
		s.obs.Synced(s.id, s.syncHS)
	}
	if s.syncAgain {
		s.syncAgain = false
		s.sync()
		s.opSync = !s.inReady
	}
	if s.inReady && !early && !s.cfg.Bugs.AckBeforeFsync {
		s.finishReady()
	}
}

// finishReady sends, applies, answers and advances the taken Ready.
func (s *Server) finishReady() {
	rd := &s.rd
	for i, m := range s.rdMsgs {
		if m.Type == raft.MsgVoteResp && !m.Reject {
			s.obs.VoteGranted(s.id, m.Term, m.To)
		}
		s.env.Send(int(m.To), m)
		s.rdMsgs[i] = nil
	}
	s.rdMsgs = s.rdMsgs[:0]
	if rd.Snapshot != nil {
		s.installSnapshot(rd.Snapshot)
	}
	for i := range rd.CommittedEntries {
		s.applyEntry(&rd.CommittedEntries[i])
	}
	s.confirmReads(rd.ReadStates)
	s.serveReads()
	s.inReady = false
	s.node.Advance()
	*rd = raft.Ready{}
	s.maybeSnapshot()
	s.issueReads()
}

// applyEntry applies one committed entry and answers the client that proposed
// it here, if any.
func (s *Server) applyEntry(e *raft.Entry) {
	if e.Index != s.applied+1 {
		s.anomaly(fmt.Errorf("committed entry %d (term %d) does not follow applied index %d", e.Index, e.Term, s.applied))
		if e.Index <= s.applied {
			return // applying twice would corrupt the state
		}
	}
	s.applied = e.Index
	var r result
	isCmd := false
	if e.Type == raft.EntryNormal && len(e.Data) > 0 {
		if err := s.cmd.decode(e.Data); err != nil {
			s.anomaly(fmt.Errorf("entry %d (term %d): %w", e.Index, e.Term, err))
		} else {
			r = s.sm.apply(e.Index, &s.cmd)
			isCmd = true
		}
	}
	// EntryConfChange: raft applied the change itself; the state machine skips it.
	s.obs.Applied(s.id, *e)
	s.answerProposals(e, isCmd, r)
}

// answerProposals answers every proposal at or below e's index. The one that
// is e (same index and term) gets the result; any other lost its place in the
// log to another leader's entry, so its outcome is unknown here (a retry may
// still apply it): ErrLeaderChanged.
func (s *Server) answerProposals(e *raft.Entry, isCmd bool, r result) {
	for s.proposals.len() > 0 && s.proposals.front().index <= e.Index {
		p := s.proposals.pop()
		if p.index == e.Index && p.term == e.Term {
			if !isCmd || s.cmd.clientID != p.clientID || s.cmd.seq != p.seq {
				s.anomaly(fmt.Errorf("entry %d (term %d) is not the proposal raft placed there (client %d seq %d)",
					e.Index, e.Term, p.clientID, p.seq))
				s.reply(p.from, p.clientID, p.seq, p.attempt, result{err: ErrLeaderChanged})
				continue
			}
			s.reply(p.from, p.clientID, p.seq, p.attempt, r)
			if s.ans != nil {
				s.ans.Answered(s.id, *e)
			}
			continue
		}
		s.reply(p.from, p.clientID, p.seq, p.attempt, result{err: ErrLeaderChanged})
	}
}

// installSnapshot restores the state machine from a snapshot raft received.
// Proposals it covers are answered from the sessions when the snapshot holds
// their result, and as ErrLeaderChanged otherwise.
func (s *Server) installSnapshot(snap *raft.Snapshot) {
	if snap.Meta.Index <= s.applied {
		s.anomaly(fmt.Errorf("snapshot at index %d does not advance applied index %d", snap.Meta.Index, s.applied))
		return
	}
	if err := s.sm.restore(snap.Data); err != nil {
		s.anomaly(fmt.Errorf("snapshot at index %d (term %d): %w", snap.Meta.Index, snap.Meta.Term, err))
		return
	}
	s.applied = snap.Meta.Index
	for s.proposals.len() > 0 && s.proposals.front().index <= snap.Meta.Index {
		p := s.proposals.pop()
		r := result{err: ErrLeaderChanged}
		if ss := s.sm.sessions.lookup(p.clientID); ss != nil && ss.lastSeq == p.seq && ss.cached {
			r = ss.result
		}
		s.reply(p.from, p.clientID, p.seq, p.attempt, r)
	}
}

// maybeSnapshot takes a snapshot once SnapshotEvery entries were applied since
// the last: the image goes to raft (which compacts its log) and atomically to
// the snapshot file, then the log file is rewritten without the covered prefix.
// No sync is needed: until the next sync a crash just recovers the older,
// equally valid, files.
func (s *Server) maybeSnapshot() {
	if s.compactWanted && !s.inReady {
		s.compactWanted = false
		s.Compact()
		return
	}
	every := s.cfg.SnapshotEvery
	if every == 0 || s.inReady || s.applied < s.snapIndex+every {
		return
	}
	s.snapshotNow()
}

// Compact is an operator's compaction: it takes a snapshot at the applied
// index now, whatever SnapshotEvery says, and syncs it (a node that gets no
// writes would otherwise never make it durable). It reports whether it took
// one; it takes none when the applied index is already covered, and while a
// Ready is being handled it takes it once the Ready is done.
func (s *Server) Compact() bool {
	if s.applied <= s.snapIndex {
		return false
	}
	if s.inReady {
		s.compactWanted = true
		return false
	}
	if !s.snapshotNow() {
		return false
	}
	if s.syncing {
		s.syncAgain = true // the sync in flight may predate the snapshot's writes
	} else {
		s.sync()
		s.opSync = true
	}
	return true
}

// snapshotNow snapshots the state machine at the applied index and compacts
// the log below it; it reports whether it did.
func (s *Server) snapshotNow() bool {
	if snap := s.node.Snapshot(); snap != nil && snap.Meta.Index >= s.applied {
		// A leader's snapshot the node took while this host waited on a sync
		// already covers the applied index; the next Ready hands it over.
		// Compacting below it would be refused (raft.ErrCompacted).
		return false
	}
	if err := s.node.Compact(s.applied, s.sm.encode()); err != nil {
		if errors.Is(err, raft.ErrCompacted) {
			// A newer snapshot from the leader reached raft while a Ready
			// was outstanding; the next Ready brings it, and the host
			// persists and installs it then. Nothing to compact now
			// (raft.Consensus.Compact's contract).
			return false
		}
		s.anomaly(fmt.Errorf("compact at applied index %d: %w", s.applied, err))
		return false
	}
	// raft's snapshot carries the configuration in effect at the index.
	snap := s.node.Snapshot()
	if snap == nil || snap.Meta.Index != s.applied {
		s.anomaly(fmt.Errorf("raft holds no snapshot at the compacted index %d", s.applied))
		return false
	}
	s.disk.WriteFile(snapshotFile, appendSnapshotFile(nil, snap))
	if err := s.rewriteLog(snap.Meta); err != nil {
		s.anomaly(err)
		return false
	}
	s.snapIndex = snap.Meta.Index
	s.stats.SnapshotsTaken++
	s.obs.LogCompacted(s.id, snap.Meta)
	return true
}

// rewriteLog replaces the log file with one batch: the current hard state, a
// reset to meta, and the entries after it.
func (s *Server) rewriteLog(meta raft.SnapshotMeta) error {
	data, _ := s.disk.ReadFile(logFile)
	var st durableState
	if err := st.replayLog(data); err != nil {
		return fmt.Errorf("rewrite log after snapshot %d: %w", meta.Index, err)
	}
	if st.torn {
		return fmt.Errorf("rewrite log after snapshot %d: the live log file ends in an incomplete record at offset %d", meta.Index, st.validLen)
	}
	b := logBatch{hasHardState: !st.hardState.IsEmpty(), hardState: st.hardState, reset: true,
		baseIndex: meta.Index, baseTerm: meta.Term}
	// Entries are written before they are applied, so the log holds the
	// snapshot's index with the snapshot's term.
	t, ok := st.term(meta.Index)
	if !ok || t != meta.Term {
		return fmt.Errorf("rewrite log after snapshot %d (term %d): the log holds %d..%d, term %d there",
			meta.Index, meta.Term, st.baseIndex, st.lastIndex(), t)
	}
	b.entries = st.entries[meta.Index-st.baseIndex:]
	s.disk.WriteFile(logFile, appendLogBatch(nil, &b))
	return nil
}
