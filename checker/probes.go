package checker

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// probes are what the bounds of a check read from outside it: the clock
// (LinOptions.Timeout, ExplainTimeout) and the process's heap
// (LinOptions.MemoryLimit). A check reads the real ones. Tests inject fakes
// (LinOptions.probes) so that where a bound stops a search depends on what
// the test scripted, never on the machine's speed or memory.
type probes struct {
	// now reads the clock. Searches read it every tickSteps steps, and at
	// the start of each search.
	now func() time.Time
	// heap reads the process's heap; the guard reads it at most every
	// memPoll of the clock (see guard.go).
	heap func() heapReading
	// collect runs a garbage collection: the guard's forced one.
	collect func()
	// lowerLimit lowers the runtime's soft memory limit to bytes while a
	// guard watches, and returns the function that undoes it.
	lowerLimit func(bytes int64) (restore func())
}

// heapReading is one reading of the heap.
type heapReading struct {
	total  int64  // the heap including garbage not yet collected: what RSS follows
	live   int64  // the heap marked live by the latest completed collection
	cycles uint64 // completed collections: which collection live is from
}

// realProbes reads the real clock and the Go runtime's heap metrics.
func realProbes() *probes {
	sample := []metrics.Sample{{Name: heapMetric}, {Name: liveMetric}, {Name: cyclesMetric}}
	return &probes{
		now: time.Now,
		// Only the guard's poll reads the heap, under its lock: the
		// sample is never read by two goroutines at once.
		heap:       func() heapReading { return readHeap(sample) },
		collect:    runtime.GC,
		lowerLimit: lowerMemoryLimit,
	}
}

// orReal returns p, or the real probes when p is nil.
func (p *probes) orReal() *probes {
	if p == nil {
		return realProbes()
	}
	return p
}

// heapMetric is the heap's size including garbage not yet collected: what
// the process's resident memory follows, and updated at every allocation
// rather than once per GC cycle as the live-heap metric is.
const heapMetric = "/memory/classes/heap/objects:bytes"

// liveMetric is the heap marked live by the latest completed collection,
// and cyclesMetric the number of completed collections: together they say
// what the heap held at a collection, and which collection that was.
const (
	liveMetric   = "/gc/heap/live:bytes"
	cyclesMetric = "/gc/cycles/total:gc-cycles"
)

// readHeap reads heapMetric, liveMetric and cyclesMetric into sample. A
// runtime without a metric reads 0 for it: no bound rather than a false
// stop.
func readHeap(sample []metrics.Sample) heapReading {
	metrics.Read(sample)
	u := func(i int) uint64 {
		if sample[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[i].Value.Uint64()
	}
	return heapReading{total: int64(u(0)), live: int64(u(1)), cycles: u(2)}
}
