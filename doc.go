// Package raftcheck is raftcheck's public API: one deterministic, seeded test
// run of a Raft-backed key-value store under injected faults, checked for
// linearizability, Raft's invariants and liveness.
//
// Config (DefaultConfig, Validate) describes a run; Run carries it out and
// returns a Result; ReplayCommand and LoadRun reproduce one. The planted-bug
// catalogue (Bugs, LookupBug, BugConfig, Findings, SweepUntilCaught,
// MeasureBug) proves the checkers catch real mistakes, and Check and
// CheckHistory use it all from go test. The wiring behind Run lives in
// internal packages (see docs/architecture.md); this package only parses a
// Config into their typed options, once, and presents their outcome.
package raftcheck
