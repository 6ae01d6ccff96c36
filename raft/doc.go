// Package raft is the Raft consensus protocol (Ongaro and Ousterhout's paper
// and Ongaro's dissertation) as a pure, deterministic state machine: no I/O,
// no clock, no goroutines, no global randomness. The host drives a Node:
//
//	nd, err := raft.NewNode(cfg, persisted) // persisted: what the disk holds
//	// on every tick of the host's (local) clock:
//	nd.Tick()
//	// on every message from the network:
//	err = nd.Step(msg)
//	// after any of the above, and after Propose, ReadIndex, ...:
//	for nd.HasReady() {
//		rd := nd.Ready()
//		// 1. persist rd.HardState, rd.Snapshot, rd.Entries; sync if rd.MustSync
//		// 2. send rd.Messages
//		// 3. apply rd.Snapshot, then rd.CommittedEntries; serve rd.ReadStates
//		nd.Advance()
//	}
//
// The host may Step and Tick while it waits for a sync; HasReady stays false
// until Advance. Slices in a Ready stay valid until Advance, and entries in
// messages never change after they are sent (the log is append-only with
// copy-on-truncate), so the host may pass messages by pointer.
//
// # What is implemented
//
// Leader election with randomized timeouts; PreVote (§9.6); CheckQuorum
// (§6.2) with the follower-side lease check (§4.2.3); log replication with
// the conflict-term fast backup, pipelining bounded by MaxInflightMsgs and
// MaxSizePerMsg, and batching of proposals into one MsgApp per follower per
// Ready; the commit rule of §5.4.2 (only current-term entries by counting);
// a no-op entry on election; ReadIndex and lease reads (see readindex.go for
// the lease's clock-drift bound); log compaction and InstallSnapshot;
// single-server membership changes; leadership transfer (TimeoutNow).
//
// # Membership
//
// A fresh cluster's log begins with one committed EntryConfChange (AddNode)
// per initial voter, at term 1; a node joining with an empty disk (Join)
// learns them, or a snapshot, from the leader. A configuration change takes
// effect on every node as soon as its entry is in the node's log (the
// dissertation's rule, rolled back if the entry is truncated); the host does
// nothing but may observe EntryConfChange entries as they are applied. A
// leader accepts one change at a time, and only after committing an entry of
// its own term. A leader that removes itself steps down once the change
// commits, handing over with TimeoutNow.
//
// # Errors
//
// Every error is a *ProtocolError naming the node and its term, wrapping a
// sentinel: ErrUnknownPeer for a reply or read request from outside the
// configuration (counted, not a bug); ErrBadMessage for malformed input;
// ErrSafety when a message reveals a state Raft forbids (two leaders in a
// term, a committed entry contradicted) — in simulation, a found bug.
// NewNode returns a *ConfigError naming the bad field of Config or Persisted.
//
// # Planted bugs
//
// Config.Bugs switches on deliberately unsafe defects (bugs.go) so that
// raftcheck can prove its checkers catch them.
package raft
