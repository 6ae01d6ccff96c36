package raftcheck_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/trace_hashes_<GOARCH>.golden from this build")

// goldenRuns are the configurations whose trace hashes are pinned: the
// standard run and one of each kind of fault, workload, read mode and planted
// bug, so a refactor that changes any run's behaviour, however slightly,
// changes one of them.
func goldenRuns() []struct {
	name  string
	seeds []uint64
	edit  func(c *raftcheck.Config)
} {
	ms := func(d int) raftcheck.Duration { return raftcheck.Duration(time.Duration(d) * time.Millisecond) }
	return []struct {
		name  string
		seeds []uint64
		edit  func(c *raftcheck.Config)
	}{
		{"default", []uint64{1, 7, 42}, func(*raftcheck.Config) {}},
		{"nodes3-all", []uint64{1, 7, 42}, func(c *raftcheck.Config) { c.Nodes, c.Nemesis = 3, []raftcheck.Fault{"all"} }},
		{"append", []uint64{1, 7, 42}, func(c *raftcheck.Config) { c.Workload = "append" }},
		{"lease-pause", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			c.ReadMode, c.Nemesis = "lease", []raftcheck.Fault{"pause-leader", "pause-random", "clock-drift"}
		}},
		{"leader_failure", []uint64{1, 7, 42}, func(c *raftcheck.Config) { c.ChaosScenario = "leader_failure" }},
		{"swarm", []uint64{1, 7, 42}, func(c *raftcheck.Config) { c.Swarm = true }},
		{"register-log", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			c.Workload, c.ReadMode, c.Nemesis = "register", "log", []raftcheck.Fault{"crash-all", "clock-bump"}
		}},
		{"membership", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			c.Nodes, c.NemesisInterval = 7, ms(300)
			c.Nemesis = []raftcheck.Fault{"member-churn", "corrupt", "partition-leader-minority"}
		}},
		{"bug-commit-old-term", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			c.Bugs, c.Nodes, c.SyncLatency, c.ElectionTicks = []raftcheck.BugName{"commit-old-term"}, 3, ms(100), 20
			c.Nemesis, c.NemesisInterval = []raftcheck.Fault{"partition-isolate-leader", "crash-leader"}, ms(200)
		}},
		{"bug-no-dedup", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			c.Bugs, c.Workload, c.Nemesis = []raftcheck.BugName{"no-dedup"}, "append", []raftcheck.Fault{"flaky"}
		}},
		{"bug-stale-local-read", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			c.Bugs, c.Nemesis = []raftcheck.BugName{"stale-local-read"}, []raftcheck.Fault{"partition-isolate-leader"}
		}},
		{"bug-lease-wall-clock", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			c.Bugs, c.Nodes, c.ReadMode = []raftcheck.BugName{"lease-wall-clock"}, 3, "lease"
			c.Nemesis, c.NemesisInterval = []raftcheck.Fault{"partition-isolate-leader", "clock-bump"}, ms(1000)
		}},
		{"bug-ack-before-fsync", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			c.Bugs, c.SyncLatency, c.Nemesis = []raftcheck.BugName{"ack-before-fsync"}, ms(50), []raftcheck.Fault{"crash-all"}
		}},
		{"bug-membership-no-barrier", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			c.Bugs, c.Nodes, c.NemesisInterval = []raftcheck.BugName{"membership-no-barrier"}, 7, ms(300)
			c.Nemesis = []raftcheck.Fault{"member-churn", "corrupt", "partition-leader-minority"}
		}},
		{"bug-no-persist-vote", []uint64{1, 7, 42}, func(c *raftcheck.Config) {
			b, _ := raftcheck.LookupBug("no-persist-vote")
			b.Apply(c)
		}},
		{"bug-no-persist-term", []uint64{1, 7, 42}, func(c *raftcheck.Config) { c.Bugs = []raftcheck.BugName{"no-persist-term"} }},
	}
}

// TestGoldenTraceHashes pins the trace hash of every golden run: a change
// that is meant to leave runs alone (a refactor, a new implementation
// registered beside the built-in) must leave them equal. A change that is
// meant to alter runs rewrites the file with -update, and says why in its
// commit. Hashes are per CPU architecture (see docs/architecture.md, Determinism rules), so an
// architecture without a file is skipped, not passed.
func TestGoldenTraceHashes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about 50 full runs")
	}
	path := filepath.Join("testdata", "trace_hashes_"+runtime.GOARCH+".golden")
	want := map[string]string{}
	if !*updateGolden {
		f, err := os.Open(path)
		if os.IsNotExist(err) {
			t.Skipf("no golden hashes for %s: record them with go test -run TestGoldenTraceHashes -update", runtime.GOARCH)
		}
		require.NoError(t, err)
		defer f.Close()
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			text := strings.TrimSpace(sc.Text())
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
			fields := strings.Fields(text)
			require.Len(t, fields, 3, "%s:%d: want NAME SEED HASH", path, line)
			want[fields[0]+" "+fields[1]] = fields[2]
		}
		require.NoError(t, sc.Err())
	}
	var got strings.Builder
	got.WriteString("# Trace hashes of golden_test.go's runs on " + runtime.GOARCH + ": NAME SEED HASH.\n")
	for _, g := range goldenRuns() {
		for _, seed := range g.seeds {
			cfg := raftcheck.DefaultConfig()
			g.edit(&cfg)
			// The hash is the simulation's: the search bound changes
			// verdicts only, and keeps a hard history from taking a minute.
			cfg.Seed, cfg.Store, cfg.CheckTimeout = seed, "", raftcheck.Duration(2*time.Second)
			res, err := raftcheck.Run(cfg)
			require.NoError(t, err, "%s seed %d", g.name, seed)
			key := fmt.Sprintf("%s %d", g.name, seed)
			fmt.Fprintf(&got, "%s %s\n", key, res.TraceHash)
			if !*updateGolden {
				assert.Equal(t, want[key], res.TraceHash, "%s: the run changed (replay: %s)", key, res.Replay)
			}
		}
	}
	if *updateGolden {
		require.NoError(t, os.WriteFile(path, []byte(got.String()), 0o644))
	}
}
