package main

import (
	"os"
	"runtime/debug"
)

// defaultGCPercent is the collector's target (GOGC) when the user sets none. A
// run allocates short-lived garbage fast — messages, log records, checker
// states — while its live heap stays small, so Go's default of collecting
// whenever the heap doubles spends a quarter to a third of the process's CPU
// in the collector. Collecting at 5× the live heap cuts that to a few percent;
// peak RSS grows from 31 to 39 MB for the standard run, 165 to 196 MB for a
// closed-loop one, 103 to 176 MB at 101 nodes.
const defaultGCPercent = 400

// tuneGC applies defaultGCPercent unless GOGC is set in the environment,
// which always wins.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
}
