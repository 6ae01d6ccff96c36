// Package extmod is a module outside raftcheck that uses its public API as
// the go test guide (docs/gotest.md) shows: raftchecktest's TestExternalModule
// builds and runs these tests with go test, in a temporary copy, and checks
// what a developer would see. Some of them fail on purpose.
package extmod

import (
	"context"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/raftchecktest"
)

// TestPasses sweeps a correct cluster: every seed passes, go test -v
// shows each seed, and nothing is written anywhere.
func TestPasses(t *testing.T) {
	cfg := raftcheck.DefaultConfig()
	cfg.MaxTime = raftcheck.Duration(20 * time.Second)
	raftchecktest.Sweep(t, cfg, raftchecktest.Seeds(1, 2))
}

// TestPlantedBug FAILS ON PURPOSE: a planted bug (acknowledging writes
// before they are on disk) on the first seed that shows it; the failure
// must name the seed, keep the reports and print commands to rerun and
// replay it.
func TestPlantedBug(t *testing.T) {
	b, ok := raftcheck.LookupBug(raftcheck.BugAckBeforeFsync)
	if !ok {
		t.Fatal("no such planted bug")
	}
	cfg, err := raftcheck.BugConfig(b.Name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := raftcheck.SweepUntilCaught(context.Background(), cfg, b, raftchecktest.Seeds(1, b.Budget), 0)
	if err != nil || c.Seed == 0 {
		t.Fatalf("the bug was not caught in %d seeds: %v", b.Budget, err)
	}
	cfg.Seed = c.Seed
	raftchecktest.Check(t, cfg)
}

// TestShort is the standard 60 s run, shortened under go test -short.
func TestShort(t *testing.T) {
	res := raftchecktest.Check(t, raftcheck.DefaultConfig())
	if testing.Short() && res != nil && res.Stats.SimSeconds > 40 {
		t.Errorf("-short: %v s simulated, want the max time capped at 10 s", res.Stats.SimSeconds)
	}
}

// TestSkipShort is skipped under go test -short.
func TestSkipShort(t *testing.T) {
	raftchecktest.Check(t, raftcheck.DefaultConfig(), raftchecktest.SkipShort())
}

// TestEndless FAILS ON PURPOSE when run under a go test -timeout: a run of
// 3,000 simulated hours that no machine finishes in a test's time, which
// must be stopped before the deadline with the seed and the replay
// commands, not a goroutine dump.
func TestEndless(t *testing.T) {
	cfg := raftcheck.DefaultConfig()
	cfg.MaxTime = raftcheck.Duration(3000 * time.Hour)
	cfg.Clients, cfg.Rate = 1, 0.001
	cfg.Nemesis = []raftcheck.Fault{raftcheck.FaultPartitionIsolateLeader, raftcheck.FaultCrashLeader}
	cfg.ReadMode = raftcheck.ReadModeLease
	raftchecktest.Check(t, cfg)
}
