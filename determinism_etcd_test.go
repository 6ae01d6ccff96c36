package raftcheck

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/internal/pool"
)

// TestDeterminismEtcdInParallel: runs on etcd's Raft reproduce from the seed
// alone, also when several run side by side on the pool's workers, as sweep,
// suite and bug measurement run them. The etcd adapter serves each node's
// election-timeout draws to the goroutine that built it, so this holds only
// while every run builds and drives its nodes on one goroutine; a run whose
// draws leaked to another's stream, or to crypto/rand, would change hash.
// The Makefile runs it again under GOMAXPROCS=1 and -race.
func TestDeterminismEtcdInParallel(t *testing.T) {
	const seeds = 6
	cfg := func(seed uint64) Config {
		c := DefaultConfig()
		c.Raft, c.Seed, c.Store, c.MaxTime = "etcd", seed, "", Duration(4*time.Second)
		c.Nemesis = []Fault{"crash-random", "partition-isolate-leader", "member-churn"}
		return c
	}
	alone := make([]string, seeds)
	for i := range alone {
		res, err := Run(cfg(uint64(i + 1)))
		require.NoError(t, err)
		require.Equal(t, Valid, res.Verdict, "seed %d: %v", i+1, res.Reasons)
		alone[i] = res.TraceHash
	}
	for _, workers := range []int{2, seeds} {
		got := make([]string, seeds)
		pool.Run(context.Background(), seeds, workers, func(i int) *Result {
			res, err := Run(cfg(uint64(i + 1)))
			if err != nil {
				t.Errorf("seed %d: %v", i+1, err)
				return nil
			}
			return res
		}, nil, func(i int, r *Result) {
			if r != nil {
				got[i] = r.TraceHash
			}
		})
		assert.Equal(t, alone, got, "%d workers", workers)
	}
	assert.Len(t, uniq(alone), seeds, "every seed its own run")
}

// uniq returns the distinct strings of xs.
func uniq(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}
