package raft

// Planted bugs (Config.Bugs). Each is a small switch at one place in the
// protocol, deliberately unsafe, off by default; raftcheck's checkers must
// catch every one. Where each acts and what it breaks:
//
//   - CommitOldTerm (maybeCommit, becomeLeader): the leader commits an entry
//     of an earlier term once a majority holds it, and, having no use for
//     it, appends no no-op on election (with the no-op every ack of an
//     inherited entry also covers a current-term one, and the switch would
//     never act). Figure 8: a later leader may overwrite the entry, so a
//     committed entry is lost.
//   - VoteResetSameTerm (handleVote): a follower or candidate grants a vote
//     in a term in which it already voted for someone else.
//   - StaleVoteReply (stepStale): a vote granted in an earlier term counts
//     toward the node's latest election, even once that election is over (a
//     reply handler that never re-checks its term and role); a majority makes
//     the node leader of its current term, in which it may have voted for
//     another: two leaders in one term.
//   - TruncateOnStaleAppend (handleAppend): an old (reordered or duplicated)
//     MsgApp whose entries all match is written again as if new, the naive
//     log = append(log[:prev+1], entries...): the write drops the
//     (uncommitted) entries after it, which the follower may already have
//     acknowledged.
//   - CommitBeyondMatch (handleAppend): a follower advances its commit index
//     to the leader's, clamped only by its own log's end, before the
//     consistency check (the classic commitIndex = min(leaderCommit,
//     lastIndex) at the top of the handler) and past the entries the MsgApp
//     proved match, so it may apply an old leader's divergent entries.
//   - MembershipNoBarrier (ProposeConfChange): a leader proposes a
//     membership change before committing an entry of its term, and while
//     another change is uncommitted (the 2015 single-server change bug).
//   - LeaseWithoutCheckQuorum (Config.validate, leaseHeld): lease reads are
//     allowed with CheckQuorum off, and the lease is taken to last as long as
//     the leadership, which is what CheckQuorum would guarantee (etcd's lease
//     reads rely on it): a partitioned leader never steps down and keeps
//     serving reads while a new leader commits writes they miss; followers
//     also stop refusing votes while the lease runs.
//   - ReadBeforeTermCommit (handleReadIndex): a new leader answers ReadIndex
//     before it has committed an entry of its term, at its commit index,
//     which may lag what the previous leader committed and acknowledged
//     (etcd-io/etcd#7331, fixed by #7332; TiKV had it too): stale reads.
//   - ElectionTimerNotReset (Step, messages from the leader): a follower does
//     not restart its election timer when the leader's MsgApp, MsgHeartbeat
//     or MsgSnap arrives — as if heartbeats were missing. It campaigns every
//     randomized timeout under a healthy leader, and its peers, whose timers
//     ran out too, are out of their leases and grant: the term rises and the
//     leadership moves about once per election timeout with no fault at all
//     (election churn; nothing unsafe).
//   - ConfKeepTruncated (truncateLog): when a new leader's entries replace a
//     suffix of the log, the configuration changes of the dropped entries
//     stay in effect. Configurations take effect on append (§4.1), so an
//     uncommitted change that a new leader never had — a member added or
//     removed by a deposed leader — survives in this node's configuration:
//     it counts votes and acknowledgements against a voter set the cluster
//     never committed (configuration divergence, then two majorities).
//   - EntriesNoSync (Ready): Ready.MustSync is set by a term or vote change
//     only, not by new entries. The host writes the entries without a sync
//     and goes on at once: followers acknowledge, the leader commits,
//     applies and answers clients, all before the entries are durable; a
//     crash then loses entries the cluster acknowledged (and a node restarts
//     without entries it applied).
