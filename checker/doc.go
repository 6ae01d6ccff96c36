// Package checker turns a finished (or running) raftcheck run into a verdict.
//
// It checks client histories for linearizability with porcupine (models
// "register", "kv" and "append"), runs cheap workload checks first
// ([CheckAppend], [CheckDigests]), watches Raft's safety invariants online as
// the run goes ([Invariants]), checks liveness after the final heal
// ([CheckLiveness]) and combines everything into a [Result] ([Combine]).
// A linearizability search that runs out of time, memory or steps
// ([LinOptions].Timeout, [LinOptions].MemoryLimit, [LinOptions].StepLimit) is
// unknown, never ok.
//
// The package depends only on histories and porcupine: callers translate
// their observations (raft roles, log writes, commits, applies) into the plain
// types used here. Node ids are ints, terms and indices uint64, times int64
// nanoseconds of virtual time.
package checker
