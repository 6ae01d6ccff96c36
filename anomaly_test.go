package raftcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
)

// TestAnomalyOfPlantedBugs: each planted bug's counterexample is named for
// what it is — a deposed leader's local read a stale read, a retried append
// applied twice a duplicate apply, an acknowledgement sent before the disk
// sync and lost in a power cut a lost write — with the nodes, roles, terms
// and faults that explain it, and results.json stores the same.
func TestAnomalyOfPlantedBugs(t *testing.T) {
	cases := []struct {
		name string
		seed uint64
		edit func(*Config)
		kind string
		says []string
	}{
		{"stale-local-read, kv", 1, func(c *Config) {
			c.Bugs = []BugName{BugStaleLocalRead}
			c.Nemesis = []Fault{FaultPartitionIsolateLeader}
		}, checker.AnomalyStaleRead, []string{"a deposed leader of term", "had cut node", "off from the majority", "partition-isolate-leader"}},
		{"stale-local-read, register", 1, func(c *Config) {
			c.Workload = WorkloadRegister
			c.Bugs = []BugName{BugStaleLocalRead}
			c.Nemesis = []Fault{FaultPartitionIsolateLeader}
		}, checker.AnomalyStaleRead, []string{"a deposed leader of term", "partition-isolate-leader"}},
		{"no-dedup, append", 1, func(c *Config) {
			c.Workload = WorkloadAppend
			c.Bugs = []BugName{BugNoDedup}
			c.Nemesis = []Fault{FaultFlaky}
		}, checker.AnomalyDuplicateApply, []string{"but only one operation wrote it", "flaky"}},
		{"ack-before-fsync, power cut", 1, func(c *Config) {
			c.MaxTime = Duration(30 * time.Second)
			c.SyncLatency = Duration(50 * time.Millisecond)
			c.Bugs = []BugName{BugAckBeforeFsync}
			c.Nemesis = []Fault{FaultCrashAll}
		}, checker.AnomalyLostWrite, []string{"is missing from every read of", "none of the"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := quick(c.seed)
			cfg.Store = t.TempDir()
			cfg.CheckTimeout = Duration(time.Minute)
			c.edit(&cfg)
			res, err := Run(cfg)
			require.NoError(t, err)
			require.Equal(t, Invalid, res.Verdict, "%v", res.Reasons)
			require.NotNil(t, res.Anomaly, "an illegal history's counterexample is classified: %v", res.Reasons)
			a := res.Anomaly
			t.Log(a.Summary)
			assert.Equal(t, c.kind, a.Kind)
			assert.Equal(t, "linearizability: "+a.Summary, res.Reasons[0], "the sentence comes first")
			for _, s := range c.says {
				assert.Contains(t, a.Summary, s)
			}
			require.NotEmpty(t, a.Ops)
			read := a.Ops[0]
			assert.Equal(t, checker.RoleRead, read.Role)
			assert.Positive(t, read.Node, "the reading node is named")
			assert.NotEmpty(t, read.NodeRole, "with its role")
			assert.Positive(t, read.Term, "and term")
			assert.Contains(t, res.Counterexample, read.Index, "the read is one of the counterexample's")

			// results.json stores the same, for CI tooling.
			raw, err := os.ReadFile(filepath.Join(res.Store, "results.json"))
			require.NoError(t, err)
			var stored struct {
				Anomaly *checker.Anomaly `json:"anomaly"`
			}
			require.NoError(t, json.Unmarshal(raw, &stored))
			require.NotNil(t, stored.Anomaly)
			assert.Equal(t, *a, *stored.Anomaly)
		})
	}
}
