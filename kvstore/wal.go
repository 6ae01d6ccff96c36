package kvstore

import (
	"encoding/binary"
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// File names on a server's disk.
const (
	logFile      = "raft.log"  // append-only log batches (hard state, resets, entries)
	snapshotFile = "raft.snap" // the latest snapshot, replaced atomically
)

// Log batch flags.
const (
	batchHardState = 1 << iota
	batchReset
)

// logBatch is one record of the log file: everything one Ready (or one log
// rewrite) persisted, written as a single record so that a crash keeps all of
// it or none of it — a hard state can never survive without the entries its
// commit index covers.
//
// Replaying the batches in order rebuilds the log: HardState overrides the
// previous one; Reset empties the log, which now starts after (BaseIndex,
// BaseTerm) — a snapshot was installed or the log was compacted; Entries replace
// the suffix of the log from Entries[0].Index on.
type logBatch struct {
	hasHardState bool
	hardState    raft.HardState
	reset        bool
	baseIndex    uint64
	baseTerm     uint64
	entries      []raft.Entry
}

// appendLogBatch appends b as a complete framed record to buf.
func appendLogBatch(buf []byte, b *logBatch) []byte {
	buf, start := beginRecord(buf)
	var flags byte
	if b.hasHardState {
		flags |= batchHardState
	}
	if b.reset {
		flags |= batchReset
	}
	buf = append(buf, flags)
	if b.hasHardState {
		buf = binary.AppendUvarint(buf, b.hardState.Term)
		buf = binary.AppendUvarint(buf, b.hardState.Vote)
		buf = binary.AppendUvarint(buf, b.hardState.Commit)
	}
	if b.reset {
		buf = binary.AppendUvarint(buf, b.baseIndex)
		buf = binary.AppendUvarint(buf, b.baseTerm)
	}
	buf = binary.AppendUvarint(buf, uint64(len(b.entries)))
	if len(b.entries) > 0 {
		buf = binary.AppendUvarint(buf, b.entries[0].Index)
	}
	for i := range b.entries {
		e := &b.entries[i]
		buf = binary.AppendUvarint(buf, e.Term)
		buf = append(buf, byte(e.Type))
		buf = binary.AppendUvarint(buf, uint64(len(e.Data)))
		buf = append(buf, e.Data...)
	}
	finishRecord(buf, start, recordLogBatch)
	return buf
}

// decodeLogBatch decodes a record payload into b. The entries' Data alias
// payload; b.entries is reused.
func decodeLogBatch(payload []byte, b *logBatch) error {
	d := decoder{buf: payload}
	flags := d.byte()
	if d.err == nil && flags&^(batchHardState|batchReset) != 0 {
		return fmt.Errorf("unknown batch flags %#x", flags)
	}
	b.hasHardState = flags&batchHardState != 0
	b.hardState = raft.HardState{}
	if b.hasHardState {
		b.hardState = raft.HardState{Term: d.uvarint(), Vote: d.uvarint(), Commit: d.uvarint()}
	}
	b.reset = flags&batchReset != 0
	b.baseIndex, b.baseTerm = 0, 0
	if b.reset {
		b.baseIndex, b.baseTerm = d.uvarint(), d.uvarint()
	}
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.buf)) {
		return fmt.Errorf("batch claims %d entries in %d bytes", n, len(d.buf))
	}
	b.entries = b.entries[:0]
	var index uint64
	if n > 0 {
		index = d.uvarint()
		if d.err == nil && index == 0 {
			return fmt.Errorf("batch entries start at index 0")
		}
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		term := d.uvarint()
		typ := raft.EntryType(d.byte())
		data := d.bytes(maxRecordPayload)
		if d.err == nil && typ != raft.EntryNormal && typ != raft.EntryConfChange {
			return fmt.Errorf("entry %d has unknown type %d", index+i, typ)
		}
		b.entries = append(b.entries, raft.Entry{Term: term, Index: index + i, Type: typ, Data: data})
	}
	if d.err != nil {
		return d.err
	}
	if len(d.buf) != 0 {
		return fmt.Errorf("batch has %d trailing bytes", len(d.buf))
	}
	return nil
}

// appendSnapshotFile appends the snapshot file's single record to buf.
func appendSnapshotFile(buf []byte, s *raft.Snapshot) []byte {
	buf, start := beginRecord(buf)
	buf = binary.AppendUvarint(buf, s.Meta.Index)
	buf = binary.AppendUvarint(buf, s.Meta.Term)
	buf = binary.AppendUvarint(buf, uint64(len(s.Meta.ConfState.Voters)))
	for _, v := range s.Meta.ConfState.Voters {
		buf = binary.AppendUvarint(buf, v)
	}
	buf = append(buf, s.Data...)
	finishRecord(buf, start, recordSnapshot)
	return buf
}

// decodeSnapshotFile decodes the snapshot file's contents. The snapshot's Data
// aliases data.
func decodeSnapshotFile(data []byte) (*raft.Snapshot, error) {
	r := recordReader{file: snapshotFile, data: data}
	kind, payload, ok, torn, err := r.next()
	switch {
	case err != nil:
		return nil, err
	case torn || !ok:
		// The file is replaced atomically, so it can never be cut short.
		return nil, r.corrupt("snapshot file is incomplete")
	case kind != recordSnapshot:
		return nil, r.corrupt(fmt.Sprintf("record kind %d in the snapshot file", kind))
	case r.off != len(data):
		return nil, &CorruptError{File: snapshotFile, Offset: r.off, Reason: "trailing bytes after the snapshot record"}
	}
	d := decoder{buf: payload}
	s := &raft.Snapshot{}
	s.Meta.Index = d.uvarint()
	s.Meta.Term = d.uvarint()
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.buf)) {
		return nil, &CorruptError{File: snapshotFile, Reason: fmt.Sprintf("snapshot claims %d voters", n)}
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		s.Meta.ConfState.Voters = append(s.Meta.ConfState.Voters, d.uvarint())
	}
	if d.err != nil {
		return nil, &CorruptError{File: snapshotFile, Reason: "snapshot metadata: " + d.err.Error()}
	}
	s.Data = d.buf
	return s, nil
}
