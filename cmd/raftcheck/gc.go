package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/raftcheck/raftcheck"
)

// defaultGCPercent is the collector's target (GOGC) when the user sets none. A
// run allocates short-lived garbage fast — messages, log records, checker
// states — while its live heap stays small, so Go's default of collecting
// whenever the heap doubles spends a quarter to a third of the process's CPU
// in the collector. Collecting at 5× the live heap cuts that to a few percent;
// peak RSS grows from 31 to 39 MB for the standard run, 165 to 196 MB for a
// closed-loop one, 103 to 176 MB at 101 nodes. Alone it would let a big run
// grow to 5× its live heap (9.1 GB of RSS for a 101-node, 1,000-client
// closed-loop run whose live heap is under 2 GB), so limitMemory pairs it
// with a soft memory limit under --check-memory.
const defaultGCPercent = 400

// tuneGC applies defaultGCPercent unless GOGC is set in the environment,
// which always wins.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
}

// memoryLimitShare is the share of --check-memory the process's soft memory
// limit is set to: the rest is headroom for what the runtime's limit does
// not count or reaches late (the binary, memory allocated while a
// collection runs). Under the default 4GiB bound the 101-node, 1,000-client
// closed-loop run peaked at 8.69 GiB of RSS with no limit, 4.09 GiB with the
// limit at the whole bound, and 3.79 GiB with it at 15/16, for the same CPU
// time (103, 103 and 105 s) and trace hash.
const memoryLimitNum, memoryLimitDen = 15, 16

// limitMemory makes --check-memory bound the whole process, not only the
// linearizability search: it sets the runtime's soft memory limit to
// memoryLimitShare of bound (0: no bound, nothing set), so the collector
// collects as often as it must to stay under it whatever GOGC says. A lower
// limit already in force (GOMEMLIMIT) wins. It returns the limit in force.
func limitMemory(bound raftcheck.ByteSize) int64 {
	cur := debug.SetMemoryLimit(-1)
	if bound <= 0 {
		return cur
	}
	if limit := int64(bound) / memoryLimitDen * memoryLimitNum; limit < cur {
		debug.SetMemoryLimit(limit)
		return limit
	}
	return cur
}

// fitWorkers caps the parallel runs of a sweep so that their predicted
// state (raftcheck.Config.EstimateMemory) fits together in the 3/4 of
// --check-memory that leaves the searches room, saying so on stderr.
// workers is the count after capWorkers (0: GOMAXPROCS).
func fitWorkers(workers int, cfg raftcheck.Config, stderr io.Writer) int {
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if cfg.CheckMemory <= 0 {
		return workers
	}
	est := max(cfg.EstimateMemory(), 1)
	fit := max(1, int(cfg.CheckMemory*3/4/est))
	if workers > fit {
		fmt.Fprintf(stderr, "raftcheck: --workers %d lowered to %d: each run would hold about %s, and together they must stay under 3/4 of --check-memory %s\n",
			workers, fit, approxSize(int64(est)), cfg.CheckMemory)
		return fit
	}
	return workers
}

// approxSize renders n bytes in the largest binary unit it reaches, with
// one decimal ("1.8GiB").
func approxSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%.1f%s", f, units[i])
}
