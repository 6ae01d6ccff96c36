package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck"
)

// TestBugsExposeCommands: the sweep `raftcheck bugs` prints for each bug
// parses back into exactly BugConfig (so a user copying it runs the tested
// recipe), and the listing shows it.
func TestBugsExposeCommands(t *testing.T) {
	r := cli(t, t.TempDir(), nil, "bugs")
	require.Equal(t, exitValid, r.code, "%s", r)
	for _, b := range raftcheck.Bugs() {
		cmd := exposeCommand(b)
		assert.Contains(t, r.stdout, "\n    "+cmd+"\n", b.Name)
		args := strings.Fields(cmd)
		require.Equal(t, []string{"raftcheck", "sweep", "--count"}, args[:3], cmd)
		fs := newFlagSet("sweep")
		var rf runFlags
		addRunFlags(fs, &rf)
		require.NoError(t, fs.Parse(args[4:]), cmd)
		require.NoError(t, rf.finish(fs), cmd)
		want, err := raftcheck.BugConfig(b.Name)
		require.NoError(t, err)
		want.Name = rf.cfg.Name // the sweep names runs itself
		assert.Equal(t, want, rf.cfg, "%s: %s", b.Name, cmd)
	}
}

// TestBugsMeasure: --measure prints the markdown table row of a bug it
// catches and exits 0; bad flags are usage errors (254) that name the flag.
func TestBugsMeasure(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "bugs", "--measure", "--trials", "2", "--max-seeds", "20", "--bug", "stale-local-read")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Regexp(t, `(?m)^\| Bug \| Layer \| What breaks \|`, r.stdout)
	assert.Regexp(t, "(?m)^\\| `stale-local-read` \\| host \\| .* \\| linearizability \\| [0-9.]+ \\| [0-9.]+ s \\| 2/2 \\|$", r.stdout)
	assert.Contains(t, r.stderr, "stale-local-read trial 2/2: caught at seed 1000")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--swarm"}, "--swarm"},
		{[]string{"--measure", "--bug", "no-such-bug"}, "--bug"},
		{[]string{"--measure", "--trials", "0"}, "--trials"},
		{[]string{"--measure", "--max-seeds", "-1"}, "--max-seeds"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--no-such-flag"}, "no-such-flag"},
	} {
		r := cli(t, dir, nil, append([]string{"bugs"}, tc.args...)...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", tc.args, r)
		assert.Contains(t, r.stderr, tc.want, "%v", tc.args)
	}
}

// TestBugsMeasureSwarm: --measure --swarm sweeps the whole-configuration
// swarm with only the bug named and prints the swarm table: seeds per trial,
// wall and simulated time to the catch.
func TestBugsMeasureSwarm(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "bugs", "--measure", "--swarm", "--trials", "2", "--max-seeds", "20", "--workers", "1", "--bug", "no-persist-term")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Regexp(t, `(?m)^\| Bug \| Caught by \(swarm\) \| Median seeds to first catch \| Per trial \|`, r.stdout)
	assert.Regexp(t, "(?m)^\\| `no-persist-term` \\| [a-z, -]*durable-state[a-z, -]* \\| [0-9.]+ \\| [0-9]+, [0-9]+ \\| [0-9.]+ s \\| [0-9.]+ s \\| 2/2 \\|$", r.stdout)
	assert.Contains(t, r.stdout, "sweep --swarm --fail-fast --bug NAME")
	assert.Contains(t, r.stderr, "no-persist-term trial 2/2: caught at seed 100000")
}
