package harness

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/options"
)

// TestDupAndReorderKeepVerdictsSound: heavy duplication and reordering (on
// the links between nodes; client↔server traffic behaves like TCP) with
// partitions and crashes, or every fault, never produce a false verdict: the
// correct cluster stays valid, and no put or append recorded as fail is seen
// by a read — its unique value would prove that it took effect.
func TestDupAndReorderKeepVerdictsSound(t *testing.T) {
	seeds := 25
	if testing.Short() {
		seeds = 3
	}
	for _, faults := range [][]string{options.Default().Nemesis.Faults, {"all"}} {
		t.Run(strings.Join(faults, ","), func(t *testing.T) {
			var duplicated uint64
			fails := 0
			for seed := uint64(1); seed <= uint64(seeds); seed++ {
				cfg := quick(seed)
				cfg.Net.Duplicate, cfg.Net.Reorder, cfg.Nemesis.Faults = 0.5, 0.5, faults
				cfg.OpTimeout = 300 * time.Millisecond
				x, out := execute(t, cfg)
				require.Equal(t, checker.Valid, out.Checked.Verdict, "seed %d: %v", seed, out.Checked.Reasons)
				seen, n := failsSeenByReads(x.History())
				assert.Empty(t, seen, "seed %d", seed)
				duplicated += out.Checked.Stats.MessagesDuplicated
				fails += n
			}
			t.Logf("%d seeds: %d messages duplicated, %d failed writes checked", seeds, duplicated, fails)
			assert.Positive(t, duplicated, "the network duplicated messages")
			if !testing.Short() { // 3 seeds may well fail no write
				assert.Positive(t, fails, "some writes failed: the check had something to look at")
			}
		})
	}
}

// failsSeenByReads returns the kv workload's put and append ops recorded as
// fail whose value some ok get returned — each proves a false fail — and how
// many failed puts and appends it checked. Values are unique tokens
// "x <process> <seq> y", readable inside a concatenation.
func failsSeenByReads(h histories.History) (seen []string, checked int) {
	var reads []string
	for _, op := range h {
		if op.Type == histories.OK && op.F == "get" {
			if v, ok := op.Value.(string); ok {
				reads = append(reads, v)
			}
		}
	}
	for _, op := range h {
		if op.Type != histories.Fail || (op.F != "put" && op.F != "append") {
			continue
		}
		v, ok := op.Value.(string)
		if !ok {
			continue
		}
		checked++
		for _, r := range reads {
			if strings.Contains(r, v) {
				seen = append(seen, fmt.Sprintf("op %d: %s %q failed (%s), but a read saw it", op.Index, op.F, v, op.Error))
				break
			}
		}
	}
	return seen, checked
}

func TestFailsSeenByReadsFindsAFalseFail(t *testing.T) {
	h := histories.History{
		{Index: 0, Process: 0, Type: histories.Invoke, F: "append", Key: "k", Value: "x 0 1 y"},
		{Index: 1, Process: 1, Type: histories.Invoke, F: "append", Key: "k", Value: "x 1 1 y"},
		{Index: 2, Process: 0, Type: histories.Fail, F: "append", Key: "k", Value: "x 0 1 y", Error: "dropped"},
		{Index: 3, Process: 1, Type: histories.Fail, F: "append", Key: "k", Value: "x 1 1 y", Error: "not-leader"},
		{Index: 4, Process: 0, Type: histories.Invoke, F: "get", Key: "k"},
		{Index: 5, Process: 0, Type: histories.OK, F: "get", Key: "k", Value: "x 11 1 yx 0 1 y"},
	}
	got, checked := failsSeenByReads(h)
	assert.Equal(t, 2, checked)
	require.Len(t, got, 1, "%v", got)
	assert.Contains(t, got[0], `"x 0 1 y" failed (dropped)`)
}
