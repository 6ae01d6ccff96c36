package kvstore

import (
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// durableState is what a disk holds, rebuilt by replaying its files.
type durableState struct {
	hardState raft.HardState
	snapshot  *raft.Snapshot // nil if the disk has none
	// The log holds entries baseIndex+1 … baseIndex+len(entries).
	baseIndex uint64
	baseTerm  uint64
	entries   []raft.Entry

	// rebased: the snapshot moved the log's base, so the log file, which
	// does not start there, must be rewritten before anything is appended
	// to it (see NewServer).
	rebased bool

	found    bool   // any file existed: this is a restart, not a first start
	log      []byte // the log file as read (entries' Data alias it)
	validLen int    // bytes of the log file that hold complete records
	torn     bool   // the log file ends in an incomplete record (dropped)
}

// lastIndex is the index of the last log entry (or the base when empty).
func (st *durableState) lastIndex() uint64 { return st.baseIndex + uint64(len(st.entries)) }

// term returns the term of the entry at index, or false if the log does not
// hold it (the base counts: its term is known).
func (st *durableState) term(index uint64) (uint64, bool) {
	switch {
	case index == st.baseIndex:
		return st.baseTerm, true
	case index < st.baseIndex || index > st.lastIndex():
		return 0, false
	}
	return st.entries[index-st.baseIndex-1].Term, true
}

// readDurable rebuilds the durable state from disk. Any damage to complete
// records is returned as a *CorruptError naming the file and offset; an
// incomplete final log record is reported in torn and left out.
func readDurable(disk Disk) (durableState, error) {
	var st durableState
	snapData, hasSnap := disk.ReadFile(snapshotFile)
	logData, hasLog := disk.ReadFile(logFile)
	st.found = hasSnap || hasLog
	st.log = logData
	if hasSnap {
		s, err := decodeSnapshotFile(snapData)
		if err != nil {
			return st, err
		}
		st.snapshot = s
	}
	if hasLog {
		if err := st.replayLog(logData); err != nil {
			return st, err
		}
	}
	if err := st.reconcileSnapshot(); err != nil {
		return st, err
	}
	return st, nil
}

// replayLog applies the log file's batches in order.
func (st *durableState) replayLog(data []byte) error {
	r := recordReader{file: logFile, data: data}
	var b logBatch
	for {
		at := r.off
		kind, payload, ok, torn, err := r.next()
		if err != nil {
			return err
		}
		if torn {
			st.torn = true
			break
		}
		if !ok {
			break
		}
		if kind != recordLogBatch {
			return &CorruptError{File: logFile, Offset: at, Reason: fmt.Sprintf("record kind %d in the log", kind)}
		}
		if err := decodeLogBatch(payload, &b); err != nil {
			return &CorruptError{File: logFile, Offset: at, Reason: "log batch: " + err.Error()}
		}
		if err := st.applyBatch(&b); err != nil {
			return &CorruptError{File: logFile, Offset: at, Reason: err.Error()}
		}
	}
	st.validLen = r.off
	return nil
}

// applyBatch folds one batch into the state. A batch that would leave a hole in
// the log passed its checksums, so the writer was wrong: report it.
func (st *durableState) applyBatch(b *logBatch) error {
	if b.hasHardState {
		st.hardState = b.hardState
	}
	if b.reset {
		st.baseIndex, st.baseTerm = b.baseIndex, b.baseTerm
		st.entries = st.entries[:0]
	}
	es := b.entries
	for len(es) > 0 && es[0].Index <= st.baseIndex {
		es = es[1:] // already covered by the log's base (compacted)
	}
	if len(es) == 0 {
		return nil
	}
	if es[0].Index > st.lastIndex()+1 {
		return fmt.Errorf("entry %d leaves a gap after the last entry %d", es[0].Index, st.lastIndex())
	}
	st.entries = append(st.entries[:es[0].Index-st.baseIndex-1], es...)
	return nil
}

// reconcileSnapshot makes the log start right after the snapshot. The snapshot
// file is always written before the log batch that resets the log to it, so the
// snapshot may be newer than the log's base (its reset batch was lost in a
// crash, or the log was not rewritten yet) but never older.
func (st *durableState) reconcileSnapshot() error {
	if st.snapshot == nil {
		if st.baseIndex != 0 {
			return &CorruptError{File: logFile, Reason: fmt.Sprintf("the log starts after index %d but there is no snapshot file", st.baseIndex)}
		}
		return nil
	}
	meta := st.snapshot.Meta
	switch {
	case meta.Index < st.baseIndex:
		return &CorruptError{File: snapshotFile, Reason: fmt.Sprintf("snapshot covers index %d but the log starts after index %d", meta.Index, st.baseIndex)}
	case meta.Index == st.baseIndex && meta.Index > 0 && meta.Term != st.baseTerm:
		return &CorruptError{File: snapshotFile, Reason: fmt.Sprintf("snapshot term %d at index %d, the log's base has term %d", meta.Term, meta.Index, st.baseTerm)}
	}
	if t, ok := st.term(meta.Index); ok && t == meta.Term {
		// The log agrees with the snapshot at its index, so by log matching it
		// holds the same history up to there: keep what follows.
		st.entries = st.entries[meta.Index-st.baseIndex:]
	} else {
		// Our log diverged from, or ends before, the snapshot: nothing of it
		// after the snapshot can be trusted to follow the snapshot's history.
		st.entries = st.entries[:0]
	}
	st.rebased = st.baseIndex != meta.Index
	st.baseIndex, st.baseTerm = meta.Index, meta.Term
	if st.hardState.Commit < meta.Index {
		st.hardState.Commit = meta.Index // the snapshot holds only committed state
	}
	if st.hardState.Term < meta.Term {
		// The batch carrying the newer term was lost with the crash (it was never
		// synced, so no vote of that term was promised): adopt the snapshot's
		// term with no vote, as receiving the snapshot did.
		st.hardState.Term, st.hardState.Vote = meta.Term, raft.None
	}
	return nil
}

// persisted is what the node is rebuilt from (ServerConfig.Consensus).
func (st *durableState) persisted() raft.Persisted {
	p := raft.Persisted{HardState: st.hardState, Snapshot: st.snapshot}
	if len(st.entries) > 0 {
		p.Entries = st.entries
	}
	return p
}
