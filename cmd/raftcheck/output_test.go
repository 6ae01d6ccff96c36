package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck"
)

// TestOutputsAgree: issue 15 part 5. The run's outputs say one thing once:
// the same wall time in the run's first line, summary.txt and results.json
// (one figure, to the millisecond; compared, never judged by its size);
// the node table's header says what Log Size and Commit count; node states
// take plurals.
func TestOutputsAgree(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "run", "--max-time", "5s", "--store", "st")
	require.Equal(t, exitValid, r.code, "%s", r)
	m := regexp.MustCompile(`(?m)^seed 1 on raft builtin: \d+ events, [\d.]+ s simulated in (\d+\.\d{3}) s wall \([\d.]+x real time\)$`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "first line:\n%s", r.stdout)
	assert.Contains(t, r.stdout, "Log Size (since snapshot)  Commit Index\n")

	runDir := filepath.Join(dir, "st", "latest")
	summary, err := os.ReadFile(filepath.Join(runDir, "summary.txt"))
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(runDir, "results.json"))
	require.NoError(t, err)
	var res struct {
		Stats struct {
			WallSeconds float64 `json:"wall_seconds"`
		} `json:"stats"`
	}
	require.NoError(t, json.Unmarshal(raw, &res))
	stored := strconv.FormatFloat(res.Stats.WallSeconds, 'f', 3, 64)
	assert.Equal(t, stored, m[1], "the run's line and results.json")
	assert.Contains(t, string(summary), "Wall time:         "+stored+" s\n", "summary.txt and results.json")
	assert.Contains(t, string(summary), "Log Size (since snapshot)  Commit Index\n")
	assert.Regexp(t, `Node states:\s+1 leader, 4 followers\n`, string(summary))
}

// TestPlurals: counts of one are singular where the CLI prints them.
func TestPlurals(t *testing.T) {
	assert.Equal(t, "no-dedup trial 1/1: caught at seed 7 (1 seed) by linearizability at 1.5s",
		trialNote("no-dedup", 0, 1, raftcheck.Catch{Seed: 7, Seeds: 1, Found: []string{"linearizability"}, At: 1500 * time.Millisecond}))
	assert.Equal(t, "no-dedup trial 2/3: not caught in 1 seed", trialNote("no-dedup", 1, 3, raftcheck.Catch{Seeds: 1}))
	assert.Equal(t, "no-dedup trial 2/3: not caught in 200 seeds", trialNote("no-dedup", 1, 3, raftcheck.Catch{Seeds: 200}))
}

// TestSpeedup: a run slower than real time is not "0x real time".
func TestSpeedup(t *testing.T) {
	assert.Equal(t, "465x", speedup(74.4, 0.16))
	assert.Equal(t, "0.15x", speedup(74, 500))
	assert.Equal(t, "2.5x", speedup(5, 2))
}

// TestReplayLinePastes: issue 15 part 5. After `make run` (which runs
// ./bin/raftcheck) the replay line names the binary as it was invoked, and
// pasted into a shell where make ran it reruns the same run; invoked from
// $PATH or by an absolute path, the line says plain raftcheck.
func TestReplayLinePastes(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	require.NoError(t, os.Symlink(binPath, filepath.Join(dir, "bin", "raftcheck")))
	cmd := exec.Command(binPath, "run", "--seed", "3", "--max-time", "5s", "--store", "")
	cmd.Args[0] = "./bin/raftcheck" // as make runs it
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(t, err, "%s", out)
	line := regexp.MustCompile(`(?m)^replay: (.*)$`).FindStringSubmatch(string(out))
	require.NotNil(t, line, "%s", out)
	assert.Equal(t, "./bin/raftcheck run --seed 3 --max-time 5s", line[1])
	hash := regexp.MustCompile(`(?m)^trace hash: ([0-9a-f]{16})$`).FindStringSubmatch(string(out))
	require.NotNil(t, hash)

	pasted := exec.Command("sh", "-c", line[1]+" --store ''")
	pasted.Dir = dir
	again, err := pasted.Output()
	require.NoError(t, err, "the pasted line runs: %s", again)
	assert.Contains(t, string(again), "trace hash: "+hash[1]+"\n", "and reruns the same run")

	for argv0, want := range map[string]string{"raftcheck": "raftcheck", "/usr/local/bin/raftcheck": "raftcheck", "bin/raftcheck": "bin/raftcheck", "./my dir/raftcheck": "raftcheck"} {
		assert.Equal(t, want, invokedName(argv0), argv0)
	}
}
