package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/nemesis"
)

// TestRunSwarmPrintsAndStoresProfile: `raftcheck run --swarm` prints the
// profile the seed drew, `--json` carries it, results.json stores it, and
// `raftcheck replay` of the stored run (whose config says only --swarm and the
// seed) reproduces the same profile and trace hash.
func TestRunSwarmPrintsAndStoresProfile(t *testing.T) {
	dir := t.TempDir()
	args := []string{"run", "--swarm", "--seed", "7", "--max-time", "15s"}
	r := cli(t, dir, nil, args...)
	require.Contains(t, []int{exitValid, exitInvalid, exitUnknown}, r.code, "%s", r)
	m := regexp.MustCompile(`(?m)^swarm profile: (faults=\S+ interval=.*)$`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "no profile line:\n%s", r.stdout)

	raw, err := os.ReadFile(filepath.Join(dir, "store", "latest", "results.json"))
	require.NoError(t, err)
	var stored struct {
		Swarm  *nemesis.Profile `json:"swarm"`
		Config struct {
			Seed  uint64 `json:"seed"`
			Swarm bool   `json:"swarm"`
		} `json:"config"`
		TraceHash string `json:"trace_hash"`
	}
	require.NoError(t, json.Unmarshal(raw, &stored))
	require.NotNil(t, stored.Swarm, "results.json has no swarm profile")
	assert.Equal(t, m[1], stored.Swarm.String(), "the printed profile is the stored one")
	assert.True(t, stored.Config.Swarm)
	assert.Equal(t, uint64(7), stored.Config.Seed)

	j := cli(t, dir, nil, append(args, "--json", "--store", "")...)
	var out struct {
		Swarm     *nemesis.Profile `json:"swarm"`
		TraceHash string           `json:"trace_hash"`
	}
	require.NoError(t, json.Unmarshal([]byte(j.stdout), &out), "%s", j)
	require.NotNil(t, out.Swarm, "run --json has no swarm profile")
	assert.Equal(t, *stored.Swarm, *out.Swarm, "the seed alone draws the same profile")
	assert.Equal(t, stored.TraceHash, out.TraceHash)

	rp := cli(t, dir, nil, "replay", "--json", filepath.Join("store", "latest"))
	var again struct {
		Swarm     *nemesis.Profile `json:"swarm"`
		HashMatch bool             `json:"hash_match"`
	}
	require.NoError(t, json.Unmarshal([]byte(rp.stdout), &again), "%s", rp)
	require.NotNil(t, again.Swarm)
	assert.Equal(t, *stored.Swarm, *again.Swarm, "replay drew another profile")
	assert.True(t, again.HashMatch, "replay is another run:\n%s", rp)

	plain := cli(t, dir, nil, "run", "--seed", "7", "--max-time", "15s", "--store", "")
	assert.NotContains(t, plain.stdout, "swarm profile", "only --swarm runs print a profile")
}
