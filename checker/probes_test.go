package checker

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeProbes is a clock and a heap scripted by a test: the clock moves on
// by tick at every reading, and the live heap is base plus fill per second
// of the time the clock has shown since it started. Time passes, and memory
// fills, only as the check reads them, so a bound falls after a number of
// readings fixed by the history and the script, never by the machine's
// speed or memory.
type fakeProbes struct {
	mu          sync.Mutex
	start, t    time.Time
	tick        time.Duration
	reads       int    // clock readings
	base, fill  int64  // the live heap: base + fill per second
	cycles      uint64 // collections (the runtime's count starts above 0)
	collections int    // forced by the guard
	heapReads   int
	limits      []int64 // the memory limits the guards asked for
}

func newFakeProbes(tick time.Duration) *fakeProbes {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return &fakeProbes{start: t0, t: t0, tick: tick, cycles: 1}
}

// probes returns the probes that read f.
func (f *fakeProbes) probes() *probes {
	return &probes{now: f.now, heap: f.heap, collect: f.collect, lowerLimit: f.lowerLimit}
}

func (f *fakeProbes) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	f.t = f.t.Add(f.tick)
	return f.t
}

func (f *fakeProbes) heap() heapReading {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.heapReads++
	live := f.base + int64(float64(f.fill)*f.t.Sub(f.start).Seconds())
	return heapReading{total: live, live: live, cycles: f.cycles}
}

func (f *fakeProbes) collect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cycles++
	f.collections++
}

func (f *fakeProbes) lowerLimit(bytes int64) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = append(f.limits, bytes)
	return func() {}
}

// elapsed is the time the clock has shown since it started.
func (f *fakeProbes) elapsed() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t.Sub(f.start)
}

// TestRealProbes: the real probes read the runtime's clock and heap: a
// collection shows in the cycle count, the heap is never empty.
func TestRealProbes(t *testing.T) {
	p := realProbes()
	before := p.heap()
	require.Positive(t, before.total, "the runtime reports %s", heapMetric)
	p.collect()
	after := p.heap()
	assert.Greater(t, after.cycles, before.cycles, "the forced collection is counted")
	assert.Positive(t, after.live, "the live heap after a collection")
	t0 := time.Now()
	assert.False(t, p.now().Before(t0), "the real clock")
	var nilProbes *probes
	assert.NotNil(t, nilProbes.orReal().heap, "nil reads the real probes")
	runtime.KeepAlive(before)
}
