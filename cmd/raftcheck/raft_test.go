package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRaftFlag: --raft chooses the implementation on run, sweep, suite,
// replay and bugs --measure. Each runs and says which Raft it ran; etcd's
// run is reproducible (replay matches); an unknown name is bad input (exit 254),
// never a silent run of the built-in; a protocol bug with another
// implementation is refused naming why.
func TestRaftFlag(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "run", "--raft", "builtin", "--max-time", "5s")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "seed 1 on raft builtin: ")
	assert.Contains(t, r.stdout, "replay: raftcheck run --seed 1 --max-time 5s\n", "the default stays out of the replay line")

	r = cli(t, dir, nil, "replay", "store/latest")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "replaying seed 1 on raft builtin: raftcheck run --seed 1 --max-time 5s\n")

	r = cli(t, dir, nil, "run", "--raft", "etcd", "--seed", "3", "--max-time", "3s")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "seed 3 on raft etcd: ")
	assert.Contains(t, r.stdout, "replay: raftcheck run --seed 3 --raft etcd --max-time 3s\n")
	r = cli(t, dir, nil, "replay", "store/latest")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "replaying seed 3 on raft etcd: ")
	assert.Contains(t, r.stdout, "trace hashes match")

	// The pool's workers keep each run's etcd nodes on one goroutine
	// (TestDeterminismEtcdInParallel in the root compares the hashes).
	r = cli(t, dir, nil, "sweep", "--raft", "etcd", "--count", "4", "--workers", "2", "--max-time", "2s", "--store", "")
	assert.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "4 valid, 0 invalid, 0 unknown, 0 errors")

	r = cli(t, dir, nil, "suite", "--raft", "etcd", "--seeds-per", "1", "--scenarios", "split_brain", "--max-time", "3s", "--store", "")
	assert.Equal(t, exitValid, r.code, "%s", r)

	r = cli(t, dir, nil, "run", "--raft", "hashicorp", "--store", "")
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, `raft: "hashicorp" is not one of builtin, etcd`)
	assert.Empty(t, r.stdout, "nothing ran")

	for _, args := range [][]string{
		{"run", "--raft", "etcd", "--bug", "commit-old-term", "--store", ""},
		{"bugs", "--measure", "--raft", "etcd", "--trials", "1", "--bug", "commit-old-term"},
	} {
		r = cli(t, dir, nil, args...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", args, r)
		assert.Contains(t, r.stderr, "commit-old-term is a protocol bug, a switch inside the built-in Raft's own code: --raft etcd cannot host it", "%v", args)
	}
}

// TestEtcdAssertionExitsInvalid: etcd's own assertion firing (here on the
// damage of the ack-before-fsync host bug) is a found bug: exit 1, the
// finding names the node, its term, etcd's message and the seed, the node
// table shows the node panicked, and replay reproduces it.
func TestEtcdAssertionExitsInvalid(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "run", "--raft", "etcd", "--bug", "ack-before-fsync", "--nodes", "3", "--workload", "append",
		"--nemesis", "crash-random", "--nemesis-interval", "300ms", "--message-drop-rate", "0.05", "--message-dup-rate", "0.1",
		"--max-time", "10s", "--recovery-time", "5s", "--seed", "1")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "  - panic: node 2 (term 3) panicked at 3.359831732s (seed 1): ")
	assert.Contains(t, r.stdout, "Was the raft log corrupted, truncated, or lost?")
	assert.Regexp(t, `\n +2 +panicked +3 +no `, r.stdout)
	assert.Contains(t, r.stdout, "verdict: INVALID")

	r = cli(t, dir, nil, "replay", "store/latest")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "trace hashes match")
}
