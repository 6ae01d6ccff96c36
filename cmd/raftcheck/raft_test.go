package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRaftFlag: --raft chooses the implementation on run, sweep, suite and
// bugs --measure. The built-in runs and says so; an implementation this
// build lacks is bad input (exit 254) saying why, never a silent run of the
// built-in; a protocol bug with another implementation is refused naming
// why; replay takes the implementation from results.json and names it.
func TestRaftFlag(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "run", "--raft", "builtin", "--max-time", "5s")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "seed 1 on raft builtin: ")
	assert.Contains(t, r.stdout, "replay: raftcheck run --seed 1 --max-time 5s\n", "the default stays out of the replay line")

	r = cli(t, dir, nil, "replay", "store/latest")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "replaying seed 1 on raft builtin: raftcheck run --seed 1 --max-time 5s\n")

	for _, args := range [][]string{
		{"run", "--raft", "etcd", "--store", ""},
		{"sweep", "--raft", "etcd", "--count", "2", "--store", ""},
		{"suite", "--raft", "etcd", "--seeds-per", "1", "--store", ""},
		{"bugs", "--measure", "--raft", "etcd", "--trials", "1"},
	} {
		r = cli(t, dir, nil, args...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", args, r)
		assert.Contains(t, r.stderr, `--raft: "etcd" cannot run: its adapter (package raft/etcdraft) is not part of this build yet`, "%v", args)
		assert.Empty(t, r.stdout, "%v: nothing ran", args)
	}

	r = cli(t, dir, nil, "run", "--raft", "hashicorp", "--store", "")
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, `--raft: "hashicorp" is not one of builtin, etcd`)

	r = cli(t, dir, nil, "run", "--raft", "etcd", "--bug", "commit-old-term", "--store", "")
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, "--bug: commit-old-term is a protocol bug, a switch inside the built-in Raft's own code: --raft etcd cannot host it")
}
