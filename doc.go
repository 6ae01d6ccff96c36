// Package raftcheck is raftcheck's public API: one deterministic, seeded test
// run of a Raft-backed key-value store under injected faults, checked for
// linearizability, Raft's invariants and liveness.
//
// Config (DefaultConfig, Validate) describes a run; Run carries it out and
// returns a Result; ReplayCommand and LoadRun reproduce one. The planted-bug
// catalogue (Bugs, LookupBug, BugConfig, Findings, SweepUntilCaught,
// MeasureBug) proves the checkers catch real mistakes. RunContext stops a
// run when its context ends. Package raftchecktest uses it all from go
// test (Check, Sweep, Replay, CheckHistory); this package's Check and
// CheckHistory are its deprecated predecessors. The wiring behind Run lives in
// internal packages (see docs/architecture.md); this package only parses a
// Config into their typed options, once, and presents their outcome.
package raftcheck
