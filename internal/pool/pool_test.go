package pool

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunReportsEveryJobOnce: every job runs once and is reported once, with
// its own result, whatever the number of workers; no more than workers jobs
// run at a time.
func TestRunReportsEveryJobOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 64} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			const n = 40
			var running, peak atomic.Int64
			var got []int
			Run(context.Background(), n, workers, func(i int) int {
				now := running.Add(1)
				for {
					p := peak.Load()
					if now <= p || peak.CompareAndSwap(p, now) {
						break
					}
				}
				running.Add(-1)
				return i * i
			}, nil, func(i, r int) {
				assert.Equal(t, i*i, r, "job %d's result", i)
				got = append(got, i)
			})
			sort.Ints(got)
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			assert.Equal(t, want, got)
			if workers > 0 {
				assert.LessOrEqual(t, peak.Load(), int64(workers))
			}
		})
	}
}

// TestRunHalt: a halting job stops new starts. With one worker it is the
// last job run; with several, every job before it still ran (jobs start in
// order), so a search for the lowest halting job finds it whatever the
// workers.
func TestRunHalt(t *testing.T) {
	halt := func(i int, _ int) bool { return i == 7 || i == 12 }
	var got []int
	Run(context.Background(), 30, 1, func(i int) int { return i }, halt, func(i, _ int) { got = append(got, i) })
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7}, got, "one worker stops right after the first halt")

	for _, workers := range []int{2, 4, 8} {
		seen := map[int]bool{}
		Run(context.Background(), 30, workers, func(i int) int { return i }, halt, func(i, _ int) { seen[i] = true })
		for i := 0; i <= 7; i++ {
			require.True(t, seen[i], "workers=%d: job %d, before the halt, did not run", workers, i)
		}
	}
}

// TestRunCancelled: a cancelled context starts nothing; zero jobs report
// nothing.
func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ran atomic.Int64
	Run(ctx, 10, 2, func(i int) int { ran.Add(1); return i }, nil, func(int, int) { t.Error("reported a job after the cancel") })
	assert.Zero(t, ran.Load())
	Run(context.Background(), 0, 2, func(i int) int { t.Error("ran a job of none"); return i }, nil, func(int, int) {})
}
