package main

import (
	"log"

	"github.com/raftcheck/raftcheck/raft"
)

// logObserver writes what an operator wants to see on stderr: role changes,
// recoveries and anomalies (an impossible state: a bug).
type logObserver struct{ log *log.Logger }

func (o logObserver) RoleChanged(node uint64, role raft.Role, term, lead uint64) {
	o.log.Printf("raft: %s in term %d (leader %d)", role, term, lead)
}
func (logObserver) LogAppended(uint64, []raft.Entry)            {}
func (logObserver) SnapshotInstalled(uint64, raft.SnapshotMeta) {}
func (logObserver) LogCompacted(uint64, raft.SnapshotMeta)      {}
func (logObserver) Synced(uint64, raft.HardState)               {}
func (logObserver) CommitAdvanced(uint64, uint64)               {}
func (logObserver) VoteGranted(uint64, uint64, uint64)          {}
func (logObserver) Applied(uint64, raft.Entry)                  {}
func (o logObserver) Recovered(node uint64, hs raft.HardState, snapIndex, lastIndex, lastTerm uint64) {
	o.log.Printf("recovered: term %d, vote %d, commit %d, snapshot at %d, log to %d (term %d)", hs.Term, hs.Vote, hs.Commit, snapIndex, lastIndex, lastTerm)
}
func (logObserver) UnknownPeer(uint64, uint64, uint64) {}
func (o logObserver) Anomaly(node uint64, term uint64, err error) {
	o.log.Printf("ANOMALY: %v", err)
}
