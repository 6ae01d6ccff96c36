// Package raftcheck wires one deterministic, seeded test run of a Raft-backed
// key-value store together: the simulator (sim), the protocol (raft), the
// replicated store (kvstore), simulated clients (clients), the fault injector
// (nemesis) and the checkers (checker). See README.md.
package raftcheck
