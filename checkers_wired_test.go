package raftcheck

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
)

// violationOf returns r's first violation of inv, or nil.
func violationOf(r *Result, inv string) *checker.Violation {
	for i := range r.Invariants {
		if r.Invariants[i].Invariant == inv {
			return &r.Invariants[i]
		}
	}
	return nil
}

// TestWiredCheckersEndToEnd: each checker the observer wires in — election
// churn, acknowledged-entry-lost (through the commit index and through the
// client acknowledgements kvstore reports), configuration-divergence
// (through the active configuration and through the snapshots' recorded
// configuration) — catches a planted bug through the whole Run, with the
// evidence only that wiring can give; the same seeds without the bug pass.
func TestWiredCheckersEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bug   BugName
		seeds []uint64
		check func(t *testing.T, r *Result)
	}{
		{"election churn: terms and leaders over time", "election-timer-not-reset", []uint64{1, 2}, func(t *testing.T, r *Result) {
			require.Equal(t, checker.LivenessFailed, r.Churn, "%v", r.Reasons)
			require.NotNil(t, r.ChurnDetail)
			d := r.ChurnDetail
			assert.Greater(t, d.MaxLeaders, d.LeaderLimit)
			leaders := 0
			for _, c := range d.Changes {
				if c.Role == checker.RoleLeader {
					leaders++
				}
			}
			assert.Greater(t, leaders, d.LeaderLimit, "the evidence lists the leaders elected: %+v", d.Changes)
			assert.True(t, slices.ContainsFunc(r.Reasons, func(s string) bool { return strings.HasPrefix(s, "election-churn: ") }), "%v", r.Reasons)
			assert.Contains(t, Findings(r), FindChurn)
			assert.Equal(t, "ok", r.Liveness, "churn is not a liveness failure: the cluster still serves")
			assert.Empty(t, r.Invariants, "nothing unsafe")
		}},
		{"acknowledged entry lost: applied before durable", "entries-no-sync", []uint64{1}, func(t *testing.T, r *Result) {
			v := violationOf(r, checker.AckLost)
			require.NotNil(t, v, "%v", r.Reasons)
			assert.Contains(t, v.Evidence, "was acknowledged")
		}},
		{"acknowledged entry lost: a client told ok", "ack-before-fsync", []uint64{1}, func(t *testing.T, r *Result) {
			v := violationOf(r, checker.AckLost)
			require.NotNil(t, v, "%v", r.Reasons)
			assert.Contains(t, v.Evidence, "told a client ok", "the client acknowledgement (kvstore's Answered) is the evidence")
		}},
		{"configuration divergence: a truncated change not undone", "conf-keep-truncated", []uint64{3}, func(t *testing.T, r *Result) {
			v := violationOf(r, checker.ConfDivergence)
			require.NotNil(t, v, "%v", r.Reasons)
			assert.Contains(t, v.Evidence, "(semantics on-append)", "the active configuration (Status().Voters) is the evidence")
			assert.Contains(t, v.Evidence, "so the change was not undone")
		}},
		{"configuration divergence: a snapshot's configuration", "membership-no-barrier", []uint64{12}, func(t *testing.T, r *Result) {
			v := violationOf(r, checker.ConfDivergence)
			require.NotNil(t, v, "%v", r.Reasons)
			assert.Contains(t, v.Evidence, "'s snapshot at index", "the snapshot's configuration (ConfBase) is the evidence")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, ok := LookupBug(tc.bug)
			require.True(t, ok)
			cfg, err := BugConfig(tc.bug)
			require.NoError(t, err)
			for i, r := range runSeeds(t, cfg, tc.seeds) {
				t.Run(fmt.Sprintf("seed %d", tc.seeds[i]), func(t *testing.T) {
					assert.Equal(t, Invalid, r.Verdict)
					assert.NotEmpty(t, b.Caught(r), "caught as the catalogue says: %v", Findings(r))
					tc.check(t, r)
				})
			}
			for i, r := range runSeeds(t, b.controlConfig(cfg), tc.seeds) {
				assert.Equal(t, Valid, r.Verdict, "seed %d without the bug: %v", tc.seeds[i], r.Reasons)
				assert.Equal(t, checker.LivenessOK, r.Churn, "seed %d without the bug", tc.seeds[i])
			}
		})
	}
}
