package harness

import "github.com/raftcheck/raftcheck/raft"

// diskState is what the harness knows of one node's disk, for deciding when
// a wiped node may come back under its old id (simFaults.reuseBlocker).
type diskState struct {
	hasLog  bool   // the disk holds a log or a snapshot (not empty since its last wipe)
	snap    uint64 // index of the latest snapshot known durable
	pending uint64 // index of the latest snapshot written, durable at the next sync
}

// diskLog follows every node's disk: written, synced, recovered, wiped.
type diskLog []diskState

func (d diskLog) at(node uint64) *diskState {
	if node >= uint64(len(d)) {
		return nil
	}
	return &d[node]
}

// appended notes entries written to node's log.
func (d diskLog) appended(node uint64, n int) {
	if s := d.at(node); s != nil && n > 0 {
		s.hasLog = true
	}
}

// snapshot notes a snapshot written to node's disk (taken or installed).
func (d diskLog) snapshot(node uint64, meta raft.SnapshotMeta) {
	if s := d.at(node); s != nil {
		s.hasLog = true
		s.pending = max(s.pending, meta.Index)
	}
}

// synced notes that everything node wrote so far is durable.
func (d diskLog) synced(node uint64) {
	if s := d.at(node); s != nil {
		s.snap = max(s.snap, s.pending)
	}
}

// recovered notes what node read back from its disk at a start.
func (d diskLog) recovered(node uint64, snapIndex, lastIndex uint64) {
	if s := d.at(node); s != nil {
		*s = diskState{hasLog: snapIndex > 0 || lastIndex > 0, snap: snapIndex, pending: snapIndex}
	}
}

// wiped notes that node's disk was erased.
func (d diskLog) wiped(node uint64) {
	if s := d.at(node); s != nil {
		*s = diskState{}
	}
}
