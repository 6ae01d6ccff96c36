// Command maelstrom-raft is raftcheck's example subject for live mode: a
// Maelstrom node (jepsen-io/maelstrom's protocol: JSON lines on stdin and
// stdout) that serves the lin-kv workload with raftcheck's own kvstore.Server
// and built-in Raft — the code the simulator runs, here on real time, real
// timers and real files (internal/live/realhost).
//
// Usage:
//
//	maelstrom-raft [--node-dir DIR] [--unsafe-reads] [--tick 10ms]
//	               [--heartbeat-ticks 3] [--election-ticks 20] [--snapshot-every 1000]
//
// The node waits for Maelstrom's init, maps the node ids it is given to raft
// ids 1..N in the order of node_ids, and answers read, write and cas:
//
//   - read of a missing key: error 20 (key-does-not-exist);
//   - cas on a missing key: 20; cas whose from does not match: 22
//     (precondition-failed);
//   - a node that does not lead: error 11 (temporarily-unavailable, definite:
//     nothing was proposed), with the leader it knows in the error body's
//     "leader" key. It does not forward: a forwarded request the network
//     duplicates could be rejected by one hop and applied by another, and
//     the rejection would no longer be definite;
//   - an outcome it cannot know (the proposal's log entry was replaced): 13
//     (crash, indefinite).
//
// Keys and values are any JSON; the node stores their compact JSON text and
// answers a read with the value exactly as written (an int stays an int).
//
// State lives in --node-dir (default: a directory named after the node id,
// in the working directory, so nodes sharing a working directory do not
// share state): raft/ holds the log and snapshot, identity.json the node's
// id, the cluster and a boot counter. A node restarted after kill -9
// recovers from it; a directory that belongs to another node is refused at
// init. The state outlives the run: start a fresh cluster in a fresh
// directory.
//
// --unsafe-reads serves reads from local state on any node, leader or not
// (kvstore.ReadLocal): a deliberately broken build that live mode must catch.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// realMain parses args and runs the node until stdin ends: 0 then, 2 for bad
// flags, 1 for a failure.
func realMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	logger := log.New(stderr, "", log.Ltime|log.Lmicroseconds)
	if err := run(cfg, stdin, stdout, logger); err != nil {
		logger.Printf("fatal: %v", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("maelstrom-raft", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := defaultConfig()
	fs.StringVar(&cfg.dir, "node-dir", cfg.dir, "directory of the node's durable state (default: ./<node id>)")
	fs.BoolVar(&cfg.unsafeReads, "unsafe-reads", false, "DELIBERATELY UNSAFE: serve reads from local state on any node")
	fs.DurationVar(&cfg.tick, "tick", cfg.tick, "raft tick interval")
	fs.IntVar(&cfg.heartbeatTicks, "heartbeat-ticks", cfg.heartbeatTicks, "ticks between leader heartbeats")
	fs.IntVar(&cfg.electionTicks, "election-ticks", cfg.electionTicks, "base election timeout in ticks (drawn from [n, 2n))")
	fs.Uint64Var(&cfg.snapshotEvery, "snapshot-every", cfg.snapshotEvery, "applied entries between snapshots (0: never)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "maelstrom-raft: unexpected argument %q\n", fs.Arg(0))
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(stderr, "maelstrom-raft: %v\n", err)
		return cfg, err
	}
	return cfg, nil
}

// config is the node's command line.
type config struct {
	dir            string // "": named after the node id, set at init
	unsafeReads    bool
	tick           time.Duration
	heartbeatTicks int
	electionTicks  int
	snapshotEvery  uint64
	maxPending     int           // client requests waiting for the server
	pendingTTL     time.Duration // a request unanswered this long is forgotten
}

func defaultConfig() config {
	return config{
		tick:           10 * time.Millisecond,
		heartbeatTicks: 3,
		electionTicks:  20,
		snapshotEvery:  1000,
		maxPending:     1 << 16,
		pendingTTL:     time.Minute,
	}
}

func (c config) validate() error {
	switch {
	case c.tick <= 0:
		return fmt.Errorf("--tick: must be positive, got %v", c.tick)
	case c.heartbeatTicks < 1:
		return fmt.Errorf("--heartbeat-ticks: must be at least 1, got %d", c.heartbeatTicks)
	case c.electionTicks <= c.heartbeatTicks:
		return fmt.Errorf("--election-ticks: %d must be greater than --heartbeat-ticks (%d)", c.electionTicks, c.heartbeatTicks)
	}
	return nil
}
