package kvstore

import "github.com/raftcheck/raftcheck/raft"

// nopObserver stands in for a nil Observer so call sites need no checks.
type nopObserver struct{}

func (nopObserver) RoleChanged(uint64, raft.Role, uint64, uint64)            {}
func (nopObserver) LogAppended(uint64, []raft.Entry)                         {}
func (nopObserver) SnapshotInstalled(uint64, raft.SnapshotMeta)              {}
func (nopObserver) LogCompacted(uint64, raft.SnapshotMeta)                   {}
func (nopObserver) Synced(uint64, raft.HardState)                            {}
func (nopObserver) CommitAdvanced(uint64, uint64)                            {}
func (nopObserver) VoteGranted(uint64, uint64, uint64)                       {}
func (nopObserver) Applied(uint64, raft.Entry)                               {}
func (nopObserver) Recovered(uint64, raft.HardState, uint64, uint64, uint64) {}
func (nopObserver) UnknownPeer(uint64, uint64, uint64)                       {}
func (nopObserver) Anomaly(uint64, uint64, error)                            {}
