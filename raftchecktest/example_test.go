package raftchecktest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/raftchecktest"
)

// printTB stands in for a test's *testing.T so the examples can show what
// the helpers report; in a real test, pass t.
type printTB struct{ testing.TB }

func (printTB) Helper()                           {}
func (printTB) Name() string                      { return "TestExample" }
func (printTB) Context() context.Context          { return context.Background() }
func (printTB) Logf(format string, args ...any)   {}
func (printTB) Errorf(format string, args ...any) { fmt.Printf("test failed: "+format+"\n", args...) }
func (printTB) Fatalf(format string, args ...any) { fmt.Printf("test stopped: "+format+"\n", args...) }

// In a test, Check runs a config and fails the test unless its verdict is
// valid; a passing run writes nothing, and go test -v logs its seed:
//
//	func TestCluster(t *testing.T) {
//		cfg := raftcheck.DefaultConfig()
//		cfg.Seed = 7
//		cfg.Workload = raftcheck.WorkloadAppend
//		cfg.Nemesis = []raftcheck.Fault{raftcheck.FaultsPartition, raftcheck.FaultCrashLeader}
//		raftchecktest.Check(t, cfg)
//	}
func ExampleCheck() {
	cfg := raftcheck.DefaultConfig()
	cfg.Seed = 7
	cfg.MaxTime = raftcheck.Duration(10 * time.Second)
	cfg.Workload = raftcheck.WorkloadAppend
	res := raftchecktest.Check(printTB{}, cfg) // valid: nothing printed, nothing written
	fmt.Println(res.Verdict)

	cfg.ReadMode = "quorum" // a config that cannot run stops the test
	raftchecktest.Check(printTB{}, cfg)
	// Output:
	// valid
	// test stopped: raftcheck: seed 7: Config.ReadMode (--read-mode): "quorum" is not one of readindex, log, lease, local
}

// Sweep runs one subtest per seed, in parallel, and returns once all have
// finished; go test -run 'TestSeeds/sweep/seed=7' reruns one of them:
//
//	func TestSeeds(t *testing.T) {
//		raftchecktest.Sweep(t, raftcheck.DefaultConfig(), raftchecktest.Seeds(1, 50))
//	}
func ExampleSweep() {}

// CheckHistory checks a history recorded elsewhere (JSON Lines, Jepsen
// EDN, porcupine's logs); the model is guessed unless named.
func ExampleCheckHistory() {
	lin := raftchecktest.CheckHistory(printTB{}, "../histories/testdata/porcupine/jepsen/etcd_002.log", raftchecktest.Timeout(time.Minute))
	fmt.Println(lin.Result, lin.Model, lin.Ops)
	// Output: ok register 77
}
