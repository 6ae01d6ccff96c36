package kvstore

import (
	"errors"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ents makes entries lo..hi with the given term and data naming them.
func ents(lo, hi, term uint64) []raft.Entry {
	var out []raft.Entry
	for i := lo; i <= hi; i++ {
		out = append(out, raft.Entry{Index: i, Term: term, Data: []byte{byte(i), byte(term)}})
	}
	return out
}

func hsBatch(term, vote, commit uint64, es []raft.Entry) logBatch {
	return logBatch{hasHardState: true, hardState: raft.HardState{Term: term, Vote: vote, Commit: commit}, entries: es}
}

// logOf encodes batches as a log file and returns it with each record's offset.
func logOf(batches ...logBatch) ([]byte, []int) {
	var buf []byte
	var offs []int
	for i := range batches {
		offs = append(offs, len(buf))
		buf = appendLogBatch(buf, &batches[i])
	}
	return buf, offs
}

func diskWith(files map[string][]byte) *memDisk {
	d := newMemDisk()
	for n, b := range files {
		d.WriteFile(n, b)
	}
	d.complete(d.writeSeq)
	return d
}

func TestLogReplay(t *testing.T) {
	tests := []struct {
		name      string
		batches   []logBatch
		wantHS    raft.HardState
		wantBase  uint64
		wantTerms []uint64 // term of each entry after the base
	}{
		{"empty", nil, raft.HardState{}, 0, nil},
		{"hard state only", []logBatch{hsBatch(3, 2, 0, nil)}, raft.HardState{Term: 3, Vote: 2}, 0, nil},
		{"appends", []logBatch{hsBatch(1, 1, 0, ents(1, 3, 1)), {entries: ents(4, 5, 1)}},
			raft.HardState{Term: 1, Vote: 1}, 0, []uint64{1, 1, 1, 1, 1}},
		{"later batch replaces the suffix", []logBatch{hsBatch(1, 1, 2, ents(1, 5, 1)), hsBatch(2, 3, 2, ents(3, 4, 2))},
			raft.HardState{Term: 2, Vote: 3, Commit: 2}, 0, []uint64{1, 1, 2, 2}},
		{"latest hard state wins", []logBatch{hsBatch(1, 1, 0, ents(1, 1, 1)), hsBatch(4, 0, 1, nil), {entries: ents(2, 2, 1)}},
			raft.HardState{Term: 4, Commit: 1}, 0, []uint64{1, 1}},
		{"reset starts after the base", []logBatch{hsBatch(1, 1, 0, ents(1, 5, 1)),
			{reset: true, baseIndex: 10, baseTerm: 3, entries: ents(11, 12, 3)}},
			raft.HardState{Term: 1, Vote: 1}, 10, []uint64{3, 3}},
		{"entries at or below the base are skipped", []logBatch{{reset: true, baseIndex: 10, baseTerm: 3}, {entries: ents(9, 11, 3)}},
			raft.HardState{}, 10, []uint64{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, _ := logOf(tt.batches...)
			var st durableState
			require.NoError(t, st.replayLog(data))
			assert.False(t, st.torn)
			assert.Equal(t, len(data), st.validLen)
			assert.Equal(t, tt.wantHS, st.hardState)
			assert.Equal(t, tt.wantBase, st.baseIndex)
			var terms []uint64
			for i, e := range st.entries {
				assert.Equal(t, tt.wantBase+uint64(i)+1, e.Index)
				terms = append(terms, e.Term)
			}
			assert.Equal(t, tt.wantTerms, terms)
		})
	}
}

func TestLogBatchRoundTripKeepsEntryFields(t *testing.T) {
	b := logBatch{hasHardState: true, hardState: raft.HardState{Term: 9, Vote: 4, Commit: 70}, reset: true, baseIndex: 69, baseTerm: 8,
		entries: []raft.Entry{{Index: 70, Term: 8, Type: raft.EntryNormal}, {Index: 71, Term: 9, Type: raft.EntryConfChange, Data: []byte("cc")},
			{Index: 72, Term: 9, Data: AppendRequest(nil, &Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "k", Value: "v"})}}}
	data := appendLogBatch(nil, &b)
	r := recordReader{file: logFile, data: data}
	kind, payload, ok, torn, err := r.next()
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, torn)
	require.Equal(t, recordLogBatch, kind)
	var got logBatch
	require.NoError(t, decodeLogBatch(payload, &got))
	got.entries[0].Data = nil // decoded empty data is an empty slice
	assert.Equal(t, b, got)
}

func TestRecoveryTruncatesTornTail(t *testing.T) {
	data, offs := logOf(hsBatch(1, 1, 0, ents(1, 3, 1)), hsBatch(2, 2, 2, ents(4, 6, 2)), hsBatch(2, 2, 5, ents(7, 7, 2)))
	last := offs[len(offs)-1]
	var want durableState
	require.NoError(t, want.replayLog(data[:last]))
	// Every strict prefix of the last record: a partial header, or a header
	// whose payload is cut short.
	for cut := last + 1; cut < len(data); cut++ {
		st, err := readDurable(diskWith(map[string][]byte{logFile: data[:cut]}))
		require.NoError(t, err, "cut at %d", cut)
		assert.True(t, st.torn, "cut at %d", cut)
		assert.Equal(t, last, st.validLen, "cut at %d", cut)
		assert.Equal(t, want.hardState, st.hardState, "cut at %d", cut)
		assert.Equal(t, want.entries, st.entries, "cut at %d", cut)
	}
	st, err := readDurable(diskWith(map[string][]byte{logFile: data}))
	require.NoError(t, err)
	assert.False(t, st.torn)
	assert.Equal(t, uint64(7), st.lastIndex())
}

func TestRecoveryFailsStopOnCorruptRecord(t *testing.T) {
	data, offs := logOf(hsBatch(1, 1, 0, ents(1, 3, 1)), hsBatch(2, 2, 2, ents(4, 6, 2)), hsBatch(2, 2, 5, ents(7, 7, 2)))
	recordAt := func(off int) int {
		start := 0
		for _, o := range offs {
			if o <= off {
				start = o
			}
		}
		return start
	}
	// A flipped bit anywhere in complete records, last one included, is
	// corruption of synced data, never a torn tail.
	for off := range data {
		for _, bit := range []uint{0, 7} {
			bad := append([]byte(nil), data...)
			bad[off] ^= 1 << bit
			_, err := readDurable(diskWith(map[string][]byte{logFile: bad}))
			var ce *CorruptError
			require.True(t, errors.As(err, &ce), "flip at %d bit %d: got %v", off, bit, err)
			assert.Equal(t, logFile, ce.File)
			assert.Equal(t, recordAt(off), ce.Offset, "flip at %d", off)
			assert.Contains(t, err.Error(), "raft.log: offset")
		}
	}
}

func TestRecoveryRejectsInconsistentLog(t *testing.T) {
	gap, _ := logOf(hsBatch(1, 1, 0, ents(1, 2, 1)), logBatch{entries: ents(5, 5, 1)})
	_, err := readDurable(diskWith(map[string][]byte{logFile: gap}))
	assert.ErrorContains(t, err, "gap")

	reset, _ := logOf(logBatch{reset: true, baseIndex: 5, baseTerm: 1})
	_, err = readDurable(diskWith(map[string][]byte{logFile: reset}))
	assert.ErrorContains(t, err, "no snapshot file")

	wrongKind := appendSnapshotFile(nil, &raft.Snapshot{Meta: raft.SnapshotMeta{Index: 1, Term: 1}})
	_, err = readDurable(diskWith(map[string][]byte{logFile: wrongKind}))
	assert.ErrorContains(t, err, "record kind 2 in the log")
}

func snapFile(index, term uint64, voters ...uint64) []byte {
	return appendSnapshotFile(nil, &raft.Snapshot{
		Meta: raft.SnapshotMeta{Index: index, Term: term, ConfState: raft.ConfState{Voters: voters}},
		Data: newMachine(4, false).encode(),
	})
}

func TestSnapshotFileRoundTripAndDamage(t *testing.T) {
	data := snapFile(12, 3, 1, 2, 3)
	s, err := decodeSnapshotFile(data)
	require.NoError(t, err)
	assert.Equal(t, raft.SnapshotMeta{Index: 12, Term: 3, ConfState: raft.ConfState{Voters: []uint64{1, 2, 3}}}, s.Meta)
	assert.Equal(t, newMachine(4, false).encode(), s.Data)
	for off := range data {
		bad := append([]byte(nil), data...)
		bad[off] ^= 0x10
		_, err := readDurable(diskWith(map[string][]byte{snapshotFile: bad}))
		assert.ErrorContains(t, err, "raft.snap: offset 0", "flip at %d", off)
	}
	// The snapshot file is replaced atomically: a short one is corruption too.
	_, err = readDurable(diskWith(map[string][]byte{snapshotFile: data[:len(data)-1]}))
	assert.ErrorContains(t, err, "incomplete")
}

func TestRecoveryReconcilesSnapshotWithLog(t *testing.T) {
	tests := []struct {
		name       string
		snap       []byte
		log        []logBatch
		wantErr    string
		wantFirst  uint64 // first entry index (0: no entries)
		wantLast   uint64
		wantCommit uint64
		wantTerm   uint64
	}{
		{"log rewritten after the snapshot", snapFile(5, 1), []logBatch{hsBatch(1, 1, 5, nil), {reset: true, baseIndex: 5, baseTerm: 1, entries: ents(6, 8, 1)}},
			"", 6, 8, 5, 1},
		{"log not yet rewritten, agrees at the snapshot", snapFile(5, 1), []logBatch{hsBatch(1, 1, 7, ents(1, 8, 1))},
			"", 6, 8, 7, 1},
		{"reset batch lost, log diverges at the snapshot", snapFile(5, 2), []logBatch{hsBatch(1, 1, 3, ents(1, 8, 1))},
			"", 0, 5, 5, 2},
		{"reset batch lost, log ends before the snapshot", snapFile(9, 2), []logBatch{hsBatch(2, 0, 2, ents(1, 4, 1))},
			"", 0, 9, 9, 2},
		{"snapshot alone", snapFile(9, 2), nil, "", 0, 9, 9, 2},
		{"snapshot older than the log's base", snapFile(4, 1), []logBatch{{reset: true, baseIndex: 6, baseTerm: 1}},
			"covers index 4 but the log starts after index 6", 0, 0, 0, 0},
		{"snapshot and base disagree on the term", snapFile(6, 2), []logBatch{{reset: true, baseIndex: 6, baseTerm: 1}},
			"snapshot term 2 at index 6", 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{snapshotFile: tt.snap}
			if tt.log != nil {
				files[logFile], _ = logOf(tt.log...)
			}
			st, err := readDurable(diskWith(files))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			p := st.persisted()
			require.NotNil(t, p.Snapshot)
			if tt.wantFirst == 0 {
				assert.Empty(t, p.Entries)
			} else {
				require.NotEmpty(t, p.Entries)
				assert.Equal(t, tt.wantFirst, p.Entries[0].Index)
				assert.Equal(t, p.Snapshot.Meta.Index+1, p.Entries[0].Index, "entries must follow the snapshot")
			}
			assert.Equal(t, tt.wantLast, st.lastIndex())
			assert.Equal(t, tt.wantCommit, p.HardState.Commit)
			assert.Equal(t, tt.wantTerm, p.HardState.Term)
		})
	}
}

func TestRecoveryOfEmptyDisk(t *testing.T) {
	st, err := readDurable(newMemDisk())
	require.NoError(t, err)
	assert.False(t, st.found)
	assert.Equal(t, raft.Persisted{}, st.persisted())
}

// FuzzReadDurable: no disk contents make recovery panic, and whatever it
// accepts is a contiguous log that starts right after the snapshot.
func FuzzReadDurable(f *testing.F) {
	logData, _ := logOf(hsBatch(1, 1, 2, ents(1, 3, 1)), logBatch{reset: true, baseIndex: 2, baseTerm: 1, entries: ents(3, 4, 1)})
	f.Add(logData, snapFile(2, 1, 1, 2, 3))
	f.Add(logData[:len(logData)-3], []byte(nil))
	f.Add([]byte(nil), snapFile(9, 2))
	f.Fuzz(func(t *testing.T, logData, snapData []byte) {
		files := map[string][]byte{}
		if len(logData) > 0 {
			files[logFile] = logData
		}
		if len(snapData) > 0 {
			files[snapshotFile] = snapData
		}
		st, err := readDurable(diskWith(files))
		if err != nil {
			return
		}
		p := st.persisted()
		next := uint64(1)
		if p.Snapshot != nil {
			next = p.Snapshot.Meta.Index + 1
		}
		for _, e := range p.Entries {
			require.Equal(t, next, e.Index)
			next++
		}
	})
}

// TestRecoveryRewritesALogTheSnapshotOvertook: a crash kept the snapshot
// file but lost the log's reset batch after it (or the log diverged from
// the snapshot). Recovery reconciles the two in memory; the log file must be
// rewritten too, or entries appended after the snapshot leave a gap the
// next recovery refuses (found by the swarm: keep-prefix crashes, snapshots
// every 21 entries), or follow a diverged log that the next recovery drops.
func TestRecoveryRewritesALogTheSnapshotOvertook(t *testing.T) {
	tests := []struct {
		name string
		log  []logBatch
		snap []byte
	}{
		{"log ends before the snapshot", []logBatch{hsBatch(2, 0, 2, ents(1, 4, 1))}, snapFile(9, 2, 1)},
		{"log diverges at the snapshot", []logBatch{hsBatch(1, 1, 3, ents(1, 12, 1))}, snapFile(9, 2, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(t, clusterOpts{n: 1, seed: 21})
			h := c.hosts[1]
			logData, _ := logOf(tt.log...)
			h.disk = diskWith(map[string][]byte{snapshotFile: tt.snap, logFile: logData})
			_, err := NewServer(h.cfg, h)
			require.NoError(t, err)
			// What the server appends next follows the snapshot's index.
			h.disk.Append(logFile, appendLogBatch(nil, &logBatch{entries: ents(10, 11, 2)}))
			st, err := readDurable(h.disk)
			require.NoError(t, err, "the log file must follow the snapshot recovery adopted")
			assert.Equal(t, uint64(9), st.baseIndex)
			assert.Equal(t, uint64(11), st.lastIndex(), "the entries appended after the snapshot survive")
		})
	}
}
