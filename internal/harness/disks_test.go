package harness

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftcheck/raftcheck/raft"
)

// TestDiskLog: a snapshot counts only once a sync made it durable, a
// recovery resets the disk to what was read back (an unsynced snapshot is
// lost), and a wipe empties it.
func TestDiskLog(t *testing.T) {
	snap := func(i uint64) raft.SnapshotMeta { return raft.SnapshotMeta{Index: i, Term: 1} }
	for _, tc := range []struct {
		name string
		do   func(d diskLog)
		want diskState
	}{
		{"appended", func(d diskLog) { d.appended(1, 3) }, diskState{hasLog: true}},
		{"nothing appended", func(d diskLog) { d.appended(1, 0) }, diskState{}},
		{"snapshot not synced", func(d diskLog) { d.snapshot(1, snap(40)) }, diskState{hasLog: true, pending: 40}},
		{"snapshot synced", func(d diskLog) { d.snapshot(1, snap(40)); d.synced(1) }, diskState{hasLog: true, snap: 40, pending: 40}},
		{"crash lost the snapshot", func(d diskLog) {
			d.snapshot(1, snap(20))
			d.synced(1)
			d.snapshot(1, snap(40))
			d.recovered(1, 20, 45)
		}, diskState{hasLog: true, snap: 20, pending: 20}},
		{"recovered empty", func(d diskLog) { d.recovered(1, 0, 0) }, diskState{}},
		{"wiped", func(d diskLog) { d.snapshot(1, snap(40)); d.synced(1); d.wiped(1) }, diskState{}},
		{"unknown node ignored", func(d diskLog) { d.appended(9, 1); d.wiped(9) }, diskState{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := make(diskLog, 3)
			tc.do(d)
			assert.Equal(t, tc.want, d[1])
			assert.Nil(t, d.at(9))
		})
	}
}
