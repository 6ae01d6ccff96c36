// Package kvstore is raftcheck's replicated key-value store: a Server runs a
// Raft node (any raft.Consensus; the built-in raft.Node by default) on a
// host (Env), keeps its log on the host's Disk, applies committed commands to
// a string key-value state machine and answers clients.
//
// # Wire protocol
//
// Peers exchange *raft.Message (a server's address is its raft id). Clients
// send *Request; a server answers *Response with Node and Term set, and with
// the Attempt of the request it answers (a proposal's answer carries the
// Attempt of the request that was proposed). Attempt is transport only: it
// is not encoded into the log entry. A server that does not lead answers
// ErrNotLeader with LeaderHint, the leader it knows (0 if none); it never
// forwards. Forwarding would save the client a round trip but turn a
// definite rejection into an unknown outcome whenever the forwarded request
// times out, and the hint lets a client find the leader in one extra message
// anyway.
//
// A definite rejection is only definite if the rejected request cannot reach
// a server again later: client traffic must not be duplicated (TCP; in the
// simulator, client hosts are sim.HostConfig.Stream endpoints).
//
// # Requests and their outcomes
//
// The leader encodes a write (or, in ReadLog mode, a get) into a log entry
// (AppendRequest) and answers once the entry is applied. Outcomes:
//   - ErrNotLeader, ErrDropped: nothing was proposed (definite failure).
//     ErrDropped comes from the MaxPending bound, a leadership transfer in
//     progress, or a malformed request.
//   - ErrCASMismatch: applied, and the compare failed (definite failure).
//   - ErrLeaderChanged: the entry raft gave the proposal was replaced by
//     another leader's entry at that index (detected when that index is
//     applied with another term), so this attempt did not apply; a retry with
//     the same (ClientID, Seq) may have: the outcome is unknown. A proposal
//     whose fate this server never learns is never answered; the client
//     times out.
//   - ErrSessionExpired: a retry whose result the session no longer holds.
//
// # Sessions (exactly-once)
//
// The state machine keeps, per ClientID, the last applied Seq and its result.
// A command with that Seq again is a retry: it returns the cached result and
// changes nothing; a lower Seq is answered ErrSessionExpired and not applied
// (a later operation of the client was applied since). AckSeq ≥ the last Seq
// drops the cached result. At most MaxSessions sessions are kept; creating one
// more expires the least recently used, where "used" is the applied index of
// the session's last command — a function of the log alone, so every replica
// expires the same session at the same index. A session expired between an
// operation and its retry would let the retry apply again: MaxSessions must
// exceed the number of clients active within a retry window.
//
// # Reads
//
// ReadMode selects how gets are served: ReadIndex (raft.ReadIndex: a heartbeat
// round confirms leadership; at most one round is outstanding and reads that
// arrive meanwhile share the next), ReadLog (through the log), ReadLease
// (raft.ReadOnlyLeaseBased: no heartbeat round while the lease holds) and
// ReadLocal — deliberately unsafe: any node answers from its own state, a
// teaching mode the linearizability checker must catch.
//
// # Durability
//
// Two files: "raft.log" is append-only; each record is one batch — what one
// Ready persisted: the hard state, an optional reset (the log restarts after a
// snapshot's index) and entries, which replace the log's suffix from their
// first index. One record per Ready means a crash keeps a Ready's writes
// whole or not at all. "raft.snap" holds the latest snapshot (metadata and
// the state-machine image) and is replaced atomically, always before the log
// batch that refers to it.
//
// Each record has a 16-byte header: payload length, payload CRC32C, kind, and
// a CRC32C of the header itself. On recovery an incomplete final record (a
// partial header, or fewer payload bytes than the header says) can only be the
// tail of a write that was never synced: it is cut off. A complete record that
// fails a checksum, a bad header, or contents that contradict each other are
// damage to synced, possibly acknowledged data: NewServer returns a
// *CorruptError naming the file and offset and the node stays down
// (fail-stop), rather than silently lose acknowledged state.
//
// Every SnapshotEvery applied entries the server encodes the state machine
// (data and sessions), hands it to the node's Compact, writes raft's snapshot
// (which carries the configuration at that index) to "raft.snap" and rewrites
// "raft.log" without the covered prefix. A snapshot raft receives from the
// leader arrives in Ready.Snapshot: it is persisted the same way and restored
// into the state machine.
//
// # Planted bugs
//
// Bugs.StaleLocalRead, Bugs.NoDedup, Bugs.AckBeforeFsync and
// Bugs.LeaseWallClock are deliberately unsafe switches that prove the checkers catch real mistakes; they are off by
// default.
package kvstore
