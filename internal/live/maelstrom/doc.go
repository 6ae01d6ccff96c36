// Package maelstrom is raftcheck's implementation of the Maelstrom node
// protocol (jepsen-io/maelstrom, doc/protocol.md and doc/workloads.md),
// shared by the live-mode harness and the example node.
//
// # The protocol, as raftcheck relies on it
//
//   - A node is a process. It reads messages on stdin and writes messages on
//     stdout, one JSON object per line ("\n" separated); stderr is free-form
//     logging. Nothing but messages may go to stdout.
//   - A message is {"src": string, "dest": string, "body": object}. Nodes
//     are named "n0", "n1", ...; clients "c1", "c2", ... (the harness sends
//     init as "c0").
//   - A body has "type" (string, mandatory), "msg_id" (integer, optional,
//     unique per sender) and "in_reply_to" (integer: the msg_id of the
//     request a reply answers). Node-to-node bodies are free-form: the
//     harness routes them by dest without reading them.
//   - The harness first sends each node {"type":"init","msg_id":...,
//     "node_id":"nK","node_ids":[...]} (the same list, in the same order, to
//     every node); the node answers "init_ok" with in_reply_to.
//   - lin-kv: read {key} → read_ok {value}; write {key, value} → write_ok;
//     cas {key, from, to} → cas_ok, or error 20 (the key does not exist) or
//     22 (from does not match). Keys and values are arbitrary JSON; the
//     harness sends non-negative integers, as Maelstrom's own lin-kv does.
//   - An error reply is {"type":"error","in_reply_to":...,"code":int,
//     "text":string}. A definite code means the operation did not and never
//     will happen; any other (0 timeout, 13 crash, and every code Maelstrom
//     does not define) is indefinite: it may have happened, or may yet. See
//     [Code.Definite].
package maelstrom
