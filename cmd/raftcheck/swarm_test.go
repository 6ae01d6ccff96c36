package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/nemesis"
)

// TestRunSwarmPrintsAndStoresTheDraw: `raftcheck run --swarm` prints the
// knobs and the profile the seed drew and the equivalent explicit command;
// `--json` carries them, results.json stores them; `raftcheck replay` of the
// stored run (whose config says only --swarm, the seed and the fixed flags)
// reproduces the same run, and so does the explicit command.
func TestRunSwarmPrintsAndStoresTheDraw(t *testing.T) {
	dir := t.TempDir()
	args := []string{"run", "--swarm", "--seed", "7", "--max-time", "15s", "--clients", "3"}
	r := cli(t, dir, nil, args...)
	require.Contains(t, []int{exitValid, exitInvalid, exitUnknown}, r.code, "%s", r)
	m := regexp.MustCompile(`(?m)^swarm profile: (faults=\S+ interval=.*)$`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "no profile line:\n%s", r.stdout)
	draw := regexp.MustCompile(`(?m)^swarm draw \(([a-z-]+) corner\): (.*)$`).FindStringSubmatch(r.stdout)
	require.NotNil(t, draw, "no draw line:\n%s", r.stdout)
	assert.Contains(t, draw[2], "nodes=")
	assert.NotContains(t, draw[2], "clients=", "a flag given with --swarm is kept, not drawn")
	explicit := regexp.MustCompile(`(?m)^explicit: raftcheck (run .*)$`).FindStringSubmatch(r.stdout)
	require.NotNil(t, explicit, "no explicit command:\n%s", r.stdout)

	raw, err := os.ReadFile(filepath.Join(dir, "store", "latest", "results.json"))
	require.NoError(t, err)
	var stored struct {
		Swarm       *nemesis.Profile `json:"swarm"`
		SwarmCorner string           `json:"swarm_corner"`
		SwarmDraw   []raftcheck.Flag `json:"swarm_draw"`
		Explicit    string           `json:"explicit"`
		Config      struct {
			Seed       uint64   `json:"seed"`
			Swarm      bool     `json:"swarm"`
			SwarmFixed []string `json:"swarm_fixed"`
			Clients    int      `json:"clients"`
		} `json:"config"`
		TraceHash string `json:"trace_hash"`
	}
	require.NoError(t, json.Unmarshal(raw, &stored))
	require.NotNil(t, stored.Swarm, "results.json has no swarm profile")
	assert.Equal(t, m[1], stored.Swarm.String(), "the printed profile is the stored one")
	assert.Equal(t, draw[1], stored.SwarmCorner)
	assert.NotEmpty(t, stored.SwarmDraw)
	assert.True(t, stored.Config.Swarm)
	assert.Equal(t, uint64(7), stored.Config.Seed)
	assert.Equal(t, []string{"clients"}, stored.Config.SwarmFixed)
	assert.Equal(t, 3, stored.Config.Clients)
	assert.Equal(t, "raftcheck "+explicit[1], stored.Explicit)

	j := cli(t, dir, nil, append(args, "--json", "--store", "")...)
	var out struct {
		Swarm     *nemesis.Profile `json:"swarm"`
		Explicit  string           `json:"explicit"`
		TraceHash string           `json:"trace_hash"`
	}
	require.NoError(t, json.Unmarshal([]byte(j.stdout), &out), "%s", j)
	require.NotNil(t, out.Swarm, "run --json has no swarm profile")
	assert.Equal(t, *stored.Swarm, *out.Swarm, "the seed alone draws the same profile")
	assert.Equal(t, stored.TraceHash, out.TraceHash)
	assert.Equal(t, stored.Explicit, out.Explicit)

	rp := cli(t, dir, nil, "replay", "--json", filepath.Join("store", "latest"))
	var again struct {
		Swarm     *nemesis.Profile `json:"swarm"`
		HashMatch bool             `json:"hash_match"`
	}
	require.NoError(t, json.Unmarshal([]byte(rp.stdout), &again), "%s", rp)
	require.NotNil(t, again.Swarm)
	assert.Equal(t, *stored.Swarm, *again.Swarm, "replay drew another profile")
	assert.True(t, again.HashMatch, "replay is another run:\n%s", rp)

	// The explicit command, as printed (its words are shell-quoted where
	// needed; none of these contain spaces).
	words := strings.Fields(explicit[1])
	for i, w := range words {
		words[i] = strings.Trim(w, "'")
	}
	ex := cli(t, dir, nil, append(words, "--json", "--store", "")...)
	var exOut struct {
		TraceHash string           `json:"trace_hash"`
		Swarm     *nemesis.Profile `json:"swarm"`
	}
	require.NoError(t, json.Unmarshal([]byte(ex.stdout), &exOut), "%s", ex)
	assert.Equal(t, stored.TraceHash, exOut.TraceHash, "the explicit command is the same run")
	assert.Nil(t, exOut.Swarm, "the explicit run is no swarm run")

	plain := cli(t, dir, nil, "run", "--seed", "7", "--max-time", "15s", "--store", "")
	assert.NotContains(t, plain.stdout, "swarm profile", "only --swarm runs print a profile")
}

// TestShrinkCommand: `raftcheck shrink` on a stored failing run stores a
// smaller run that fails the same way and replays bit for bit; a valid run
// is refused.
func TestShrinkCommand(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "sweep", "--count", "10", "--fail-fast", "--max-time", "20s", "--workload", "append", "--nemesis", "flaky", "--bug", "no-dedup")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	runs, err := filepath.Glob(filepath.Join(dir, "store", "run", "*", "results.json"))
	require.NoError(t, err)
	require.NotEmpty(t, runs)

	sh := cli(t, dir, nil, "shrink", "--max-runs", "40", "--json", runs[0])
	require.Equal(t, exitInvalid, sh.code, "%s", sh)
	var out struct {
		Target    string `json:"target"`
		Runs      int    `json:"runs"`
		Store     string `json:"store"`
		HashMatch bool   `json:"hash_match"`
		Before    struct {
			Ops int `json:"ops"`
		} `json:"before"`
		After struct {
			Ops      int      `json:"ops"`
			Findings []string `json:"findings"`
		} `json:"after"`
	}
	require.NoError(t, json.Unmarshal([]byte(sh.stdout), &out), "%s", sh)
	assert.True(t, out.HashMatch, "the first replay is the stored run")
	assert.LessOrEqual(t, out.Runs, 40)
	assert.Less(t, out.After.Ops, out.Before.Ops)
	assert.Contains(t, out.After.Findings, out.Target)
	require.NotEmpty(t, out.Store)
	assert.Contains(t, out.Store, filepath.Join("store", "run-shrunk"))
	assert.FileExists(t, filepath.Join(dir, out.Store, "shrink.txt"))

	rp := cli(t, dir, nil, "replay", "--json", out.Store)
	var again struct {
		HashMatch bool `json:"hash_match"`
	}
	require.NoError(t, json.Unmarshal([]byte(rp.stdout), &again), "%s", rp)
	assert.True(t, again.HashMatch, "the shrunk run replays bit for bit:\n%s", rp)

	text := cli(t, dir, nil, "shrink", "--max-runs", "5", "--store", "", runs[0])
	assert.Equal(t, exitInvalid, text.code, "%s", text)
	assert.Contains(t, text.stdout, "fault windows")
	assert.Contains(t, text.stdout, "stopped: the bound on runs")

	ok := cli(t, dir, nil, "run", "--seed", "1", "--max-time", "5s")
	require.Equal(t, exitValid, ok.code, "%s", ok)
	refused := cli(t, dir, nil, "shrink", filepath.Join("store", "latest"))
	assert.Equal(t, exitUsage, refused.code, "%s", refused)
	assert.Contains(t, refused.stderr, "only a failing (invalid) run can be shrunk")
	bad := cli(t, dir, nil, "shrink", "--max-runs", "0", runs[0])
	assert.Equal(t, exitUsage, bad.code)
	assert.Contains(t, bad.stderr, "--max-runs")
}

// TestSweepShrink: `sweep --shrink` shrinks the failing seeds it found and
// reports them in its JSON summary.
func TestSweepShrink(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "sweep", "--count", "4", "--max-time", "20s", "--workload", "append", "--nemesis", "flaky", "--bug", "no-dedup",
		"--shrink", "--shrink-seeds", "1", "--shrink-runs", "20", "--json")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	var sum struct {
		Invalid int `json:"invalid"`
		Shrinks []struct {
			Seed   uint64 `json:"seed"`
			Store  string `json:"store"`
			Result struct {
				Runs  int `json:"runs"`
				After struct {
					Findings []string `json:"findings"`
				} `json:"after"`
				Target string `json:"target"`
			} `json:"result"`
		} `json:"shrinks"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &sum), "%s", r)
	require.Positive(t, sum.Invalid)
	require.Len(t, sum.Shrinks, 1, "--shrink-seeds 1")
	s := sum.Shrinks[0]
	assert.LessOrEqual(t, s.Result.Runs, 20)
	assert.Contains(t, s.Result.After.Findings, s.Result.Target)
	assert.DirExists(t, filepath.Join(dir, s.Store))
}
