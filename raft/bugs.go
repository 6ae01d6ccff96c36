package raft

// Planted bugs (Config.Bugs). Each is a small switch at one place in the
// protocol, deliberately unsafe, off by default; raftcheck's checkers must
// catch every one. Where each acts and what it breaks:
//
//   - CommitOldTerm (maybeCommit): the leader commits an entry of an earlier
//     term once a majority holds it. Figure 8: a later leader may overwrite
//     it, so a committed entry is lost.
//   - NoPersistVote (hardState): Ready.HardState.Vote is always None. A node
//     that crashes after voting forgets its vote and may vote again in the
//     same term: two leaders in one term.
//   - NoPersistTerm (hardState): Ready.HardState.Term never rises above the
//     term the node booted with. After a crash the node is back in an old
//     term with a vote that does not belong to it.
//   - VoteResetSameTerm (handleVote): a follower or candidate grants a vote
//     in a term in which it already voted for someone else.
//   - StaleVoteReply (stepStale): a candidate counts a vote granted in an
//     earlier term toward its current election.
//   - TruncateOnStaleAppend (handleAppend): an old (reordered or duplicated)
//     MsgApp whose entries all match truncates the entries after it, which the
//     follower may already have acknowledged.
//   - CommitBeyondMatch (handleAppend): a follower advances its commit index
//     to the leader's even past the entries this MsgApp proved match the
//     leader's log, so it may apply an old leader's divergent entries.
//   - MembershipNoBarrier (ProposeConfChange): a leader proposes a
//     membership change before committing an entry of its term, and while
//     another change is uncommitted (the 2015 single-server change bug).
//   - LeaseWithoutCheckQuorum (Config.validate): lease reads are allowed
//     with CheckQuorum off, so followers do not refuse votes while the lease
//     runs and a new leader can commit writes the old one's reads miss.
