package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefusedBeforeRunning: issue 15 parts 3 and 4. What cannot make a
// meaningful run is refused with exit 254 before anything runs, naming the
// flags: a run that predictably tests nothing, fault flags another fault
// flag would silently override (on run and sweep, as suite does), configs
// that cannot elect a leader or complete an operation or that would blow
// the event budget, and malformed values. Nothing is printed on stdout and
// nothing is written to the store.
func TestRefusedBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "afile"), []byte("x"), 0o644))
	cases := []struct {
		args []string
		want string
	}{
		// Part 3: predictably empty.
		{[]string{"run", "--rate", "1e-300"}, "rate: --clients 10 at --rate 1e-300 ops/s for 1m10s (--max-time 1m0s + --recovery-time 10s) would invoke about 7e-298 operations in all, fewer than one"},
		{[]string{"run", "--max-time", "1ns", "--recovery-time", "0"}, "would invoke about 1e-07 operations in all, fewer than one"},
		{[]string{"sweep", "--count", "3", "--rate", "1e-300"}, "fewer than one: the run would test nothing"},
		// Part 4: conflicting fault flags, on run and sweep.
		{[]string{"run", "--chaos-scenario", "split_brain", "--nemesis", "crash-leader"}, "--nemesis with --chaos-scenario: the scenario brings its own faults"},
		{[]string{"run", "--chaos-scenario", "split_brain", "--nemesis-interval", "2s"}, "--nemesis-interval with --chaos-scenario"},
		{[]string{"run", "--chaos-scenario", "split_brain", "--max-crashed", "1"}, "--max-crashed with --chaos-scenario"},
		{[]string{"run", "--chaos", "--nemesis", "none"}, "--nemesis with --chaos: the scenario brings its own faults"},
		{[]string{"run", "--swarm", "--chaos-scenario", "split_brain"}, "--swarm with --chaos-scenario: a swarm run draws its faults from the seed"},
		{[]string{"run", "--swarm", "--chaos"}, "--swarm with --chaos"},
		{[]string{"sweep", "--count", "2", "--chaos-scenario", "split_brain", "--nemesis", "crash-leader"}, "--nemesis with --chaos-scenario"},
		{[]string{"sweep", "--count", "2", "--chaos", "--nemesis", "none"}, "--nemesis with --chaos"},
		{[]string{"sweep", "--count", "2", "--swarm", "--chaos-scenario", "split_brain"}, "--swarm with --chaos-scenario"},
		// Part 4: over the event budget.
		{[]string{"run", "--tick-interval", "1ns", "--election-ticks", "1000000000"}, "tick-interval: a majority of --nodes 5 ticking every --tick-interval 1ns for 1m10s (--max-time 1m0s + --recovery-time 10s) is at least 2.1e+11 simulated events, over the budget of 2147483648"},
		{[]string{"run", "--max-time", "8760h", "--rate", "0.0001"}, "tick-interval: a majority of --nodes 5 ticking every --tick-interval 20ms for 8760h0m10s"},
		// Part 5: a run --check-memory cannot hold.
		{[]string{"run", "--nodes", "101", "--clients", "1000", "--rate", "0", "--check-memory", "1GiB"}, "check-memory: 1GiB cannot hold this run: --nodes 101 and --clients 1000 at --rate 0"},
		{[]string{"sweep", "--count", "2", "--nodes", "101", "--clients", "1000", "--rate", "0", "--check-memory", "1GiB"}, "check-memory: 1GiB cannot hold this run"},
		// Part 4: physically impossible.
		{[]string{"run", "--latency", "2s", "--op-timeout", "10s"}, "latency: --latency 2s plus --sync-latency 1ms is not shorter than the election timeout (--election-ticks 50 × --tick-interval 20ms = 1s)"},
		{[]string{"run", "--sync-latency", "1s"}, "sync-latency: --latency 1ms plus --sync-latency 1s is not shorter than the election timeout"},
		{[]string{"run", "--op-timeout", "1us"}, "op-timeout: 1µs is shorter than one round trip between a client and the cluster (2 × --latency 1ms = 2ms)"},
		// Part 4: malformed values.
		{[]string{"check", "--check-timeout", "-1s", "afile"}, `invalid argument "-1s" for "--check-timeout" flag: -1s is negative`},
		{[]string{"run", "--check-timeout=-1s"}, `"--check-timeout" flag: -1s is negative`},
		{[]string{"run", "--recovery-time=-5s"}, `"--recovery-time" flag: -5s is negative`},
		{[]string{"run", "--nemesis", ",,,"}, `--nemesis: ",,," holds an empty fault name`},
		{[]string{"sweep", "--count", "2", "--nemesis", "crash-leader,,crash-random"}, `--nemesis: "crash-leader,,crash-random" holds an empty fault name`},
		{[]string{"run", "--nemesis", ""}, `--nemesis: "" holds an empty fault name`},
		{[]string{"bench", "--etcd-logs", "/nonexistent"}, "--etcd-logs: stat /nonexistent: no such file or directory"},
		{[]string{"bench", "--etcd-logs", "afile"}, "--etcd-logs: afile is not a directory"},
		{[]string{"run", "--rate", "2e9"}, "rate: 2e+09 ops/s per client is over the limit of 1e+09"},
		// Part 4: the store and the name, before the run.
		{[]string{"run", "--store", "afile"}, "--store: afile is not a directory"},
		{[]string{"run", "--name", strings.Repeat("n", 300)}, "name: 300 bytes is longer than"},
		{[]string{"run", "--name", "bad\nname"}, "name: \"bad\\nname\" holds a control character"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := cli(t, dir, nil, c.args...)
			assert.Equal(t, exitUsage, r.code, "%s", r)
			assert.Contains(t, r.stderr, c.want)
			assert.NotContains(t, r.stderr, "clients: clients:")
			assert.Empty(t, r.stdout, "refused before running: nothing on stdout")
		})
	}
	assert.NoDirExists(t, filepath.Join(dir, "store"), "no refused run wrote anything")
}

// TestFaultFlagsThatAgree: the combinations the conflict check must leave
// alone still run (docs/cli.md's own example names the scenario with --chaos).
func TestFaultFlagsThatAgree(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--chaos", "--chaos-scenario", "split_brain"},
		{"--nemesis", "crash-leader", "--nemesis-interval", "2s", "--max-crashed", "1"},
		{"--swarm"},
	} {
		r := cli(t, dir, nil, append([]string{"run", "--max-time", "3s", "--store", ""}, args...)...)
		assert.Equal(t, exitValid, r.code, "%v: %s", args, r)
	}
}

// TestStoreCheckedBeforeRun: issue 15 part 4. A store that cannot be
// written is refused before the run starts (exit 254, no verdict printed),
// and a failed check leaves nothing behind.
func TestStoreCheckedBeforeRun(t *testing.T) {
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("needs /proc: a directory no file can be created in")
	}
	dir := t.TempDir()
	for _, args := range [][]string{
		{"run", "--store", "/proc/raftcheck-store"},
		{"sweep", "--count", "2", "--store", "/proc/raftcheck-store"},
		{"suite", "--seeds-per", "1", "--store", "/proc/raftcheck-store"},
	} {
		r := cli(t, dir, nil, args...)
		assert.Equal(t, exitUsage, r.code, "%s", r)
		assert.Contains(t, r.stderr, "--store: ")
		assert.Empty(t, r.stdout, "refused before the run: no verdict")
	}
	// A store that exists is left as it was found by a passing sweep.
	store := filepath.Join(dir, "st")
	r := cli(t, dir, nil, "sweep", "--count", "2", "--max-time", "2s", "--store", store)
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.NoDirExists(t, store, "the check made nothing that stays")
}
