package checker

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phasedPuts is a kv history on one key in phases: k processes put distinct
// values concurrently, then a get observes the last one. The final get reads
// a value nobody put. The verdict's segmented search refutes the last
// segment alone at once; a search over the whole key (the verbose pass, the
// counterexample search) must exhaust every earlier phase's orders first,
// which takes far more time and memory than the bounds below allow: the
// shape of porcupine's kv test c50-bad.
func phasedPuts(phases, k int) histories.History {
	var h histories.History
	add := func(p int, typ histories.Type, f string, v any) {
		h = append(h, histories.Op{Index: len(h), Process: p, Type: typ, F: f, Key: "x", Value: v, Time: int64(len(h) + 1)})
	}
	for i := range phases {
		for j := range k {
			add(j, histories.Invoke, "put", fmt.Sprintf("%d.%d", i, j))
		}
		for j := range k {
			add(j, histories.OK, "put", fmt.Sprintf("%d.%d", i, j))
		}
		got := fmt.Sprintf("%d.%d", i, k-1)
		if i == phases-1 {
			got = "nobody put this"
		}
		add(k, histories.Invoke, "get", nil)
		add(k, histories.OK, "get", got)
	}
	return h
}

// peakMemory samples the Go runtime's memory held from the OS (what RSS
// follows) until the returned function is called, which returns the peak.
func peakMemory() (stop func() int64) {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	var peak int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			metrics.Read(s)
			peak = max(peak, int64(s[0].Value.Uint64()-s[1].Value.Uint64()))
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	return func() int64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// TestBoundsCoverEveryPhase: the verdict's search, the verbose pass and the
// counterexample search of an illegal history share the check's timeout and
// memory bound. Under the CLI's collector setting (GOGC=400), the process's
// memory stays under the bound and the check ends within its timeout; the
// verdict stays illegal, and the explanation says which bound stopped the
// search for a counterexample.
func TestBoundsCoverEveryPhase(t *testing.T) {
	h := phasedPuts(300, 10)
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	cases := []struct {
		name    string
		timeout time.Duration
		memory  int64 // above the heap at the start
		why     string
	}{
		{"memory", time.Minute, 256 << 20, "stopped at the memory bound ("},
		{"time", time.Second, 512 << 20, "stopped at the time bound (1s)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runtime.GC()
			bound := heapNow(t) + c.memory
			stop := peakMemory()
			start := time.Now()
			r, err := CheckLinearizable(h, LinOptions{Timeout: c.timeout, MemoryLimit: bound})
			took := time.Since(start)
			peak := stop()
			require.NoError(t, err)
			assert.Equal(t, LinIllegal, r.Result, "the bounds stop the explanation, not the verdict")
			assert.LessOrEqual(t, peak, bound+bound/10, "peak %s, bound %s", roughBytes(peak), roughBytes(bound))
			assert.Less(t, took, min(c.timeout, DefaultExplainTimeout)+time.Second/2)
			require.Len(t, r.Explain(nil), 1)
			assert.Contains(t, r.Explain(nil)[0], "not linearizable; the search for a small counterexample "+c.why)
			assert.Empty(t, r.Counterexample)
			res := Combine(Checks{Lin: r})
			assert.Equal(t, Invalid, res.Verdict)
			assert.Contains(t, res.Reasons, "linearizability: "+r.Explain(nil)[0])
		})
	}
}

// TestMemoryLimitRestored: a guard lowers the runtime's memory limit while
// it watches, nested guards keep the lowest bound, and the limit from before
// is back once the last one ends.
func TestMemoryLimitRestored(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	debug.SetMemoryLimit(8 << 30)
	huge := newGuard(1 << 40) // never hit
	end1 := huge.watch()
	assert.Equal(t, int64(8<<30), debug.SetMemoryLimit(-1), "an earlier, lower limit wins")
	big := newGuard(6 << 30)
	end2 := big.watch()
	assert.Equal(t, int64(6<<30), debug.SetMemoryLimit(-1))
	end2()
	assert.Equal(t, int64(8<<30), debug.SetMemoryLimit(-1))
	end1()
	assert.Equal(t, int64(8<<30), debug.SetMemoryLimit(-1))
	assert.False(t, huge.hit() || big.hit())
	newGuard(-1).watch()()
	assert.Equal(t, int64(8<<30), debug.SetMemoryLimit(-1), "no bound, no change")
}
