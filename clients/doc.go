// Package clients runs simulated Jepsen clients against the KV store and
// records what they see as a history.
//
// A Client is one client thread: a kvstore.Process the simulator (or a live
// host) drives through Receive and Fire. It follows Jepsen's process model: at
// most one operation in flight; each operation is invoked, then completes ok
// (it took effect), fail (it certainly did not) or info (unknown). After an
// info the thread retires its process id and continues as a fresh one
// (process = thread + k·Threads), so a checker never sees two overlapping
// operations of one process.
//
// An operation's requests all carry the process's (ClientID, Seq), so the
// store applies it at most once however often it is retried, and an Attempt
// number (1, 2, ...) that the server echoes. A rejection (not-leader,
// dropped) counts only for the attempt it names: a late copy for an earlier
// attempt is ignored, or it could end the op as fail while the latest attempt
// is being proposed. An outcome (ok, cas mismatch, leader-changed,
// session-expired) is the operation's, whichever attempt it answers. A
// recorded fail also assumes the transport never duplicates a request (TCP;
// simulated clients are sim.HostConfig.Stream hosts): a duplicate could
// reach a new leader after the rejection. Routing:
//   - requests go to the remembered leader, or to a server drawn from the
//     client's random stream;
//   - not-leader with a hint: resend to the hinted leader at once; without a
//     hint: resend to another server after RetryDelay; dropped (the leader is
//     overloaded): resend to the same server after RetryDelay;
//   - no answer within AttemptTimeout: the attempt may have been proposed;
//     resend to another server (with NoResend, for servers without
//     sessions: end the operation as at its deadline, and send the next one
//     to another server);
//   - at OpTimeout, or when the last of MaxAttempts is rejected, the
//     operation completes: fail if every attempt was definitely rejected
//     before proposing, else info; a read that did not complete is recorded
//     as fail, since it changed nothing;
//   - cas mismatch: fail; leader-changed and session-expired: info (read: fail).
//
// Workloads (Config.Workload) follow histories.Op's conventions:
//   - register: one key; read, write and cas on small integers (0..RegisterValues-1);
//   - kv: get, put, append (and delete) on Keys keys, chosen uniformly or by a
//     zipf law; written values are unique strings "x <process> <seq> y", so
//     every append is traceable;
//   - append: every appended value is a unique integer, stored as the decimal
//     token followed by a space; a read returns the key's list as []any of
//     int64.
//
// A Recorder collects the history of every client (and the nemesis) in global
// virtual time. Nothing here reads the wall clock, starts a goroutine or uses a
// global random source: a run is a function of its seed.
package clients
