package checker

import (
	"math"
	"slices"
	"sort"
)

// warp maps times to x positions on the counterexample view: every instant
// something happens (an op is called or returns, a fault or a leadership
// starts or ends) gets a position, and the gap between two instants a width
// that grows with the log of its length, so 5 ms and 3 s both fit one
// screen and the order of events stays exact. Boxes are then widened to fit
// their labels (fit).
type warp struct {
	ts []int64   // the instants, ascending and distinct
	xs []float64 // their positions
}

// gapWidth is the width of a gap of d nanoseconds.
func gapWidth(d int64) float64 {
	if d <= 0 {
		return 0
	}
	return 14 + math.Min(110, 26*math.Log10(1+float64(d)/2e4))
}

func newWarp(times []int64, x0 float64) *warp {
	ts := slices.Clone(times)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	w := &warp{ts: ts, xs: make([]float64, len(ts))}
	x := x0
	for i := range ts {
		if i > 0 {
			x += gapWidth(ts[i] - ts[i-1])
		}
		w.xs[i] = x
	}
	return w
}

// x is the position of t: exact at an instant, linear between two.
func (w *warp) x(t int64) float64 {
	if len(w.ts) == 0 {
		return 0
	}
	i := sort.Search(len(w.ts), func(i int) bool { return w.ts[i] >= t })
	switch {
	case i == len(w.ts):
		return w.xs[len(w.xs)-1]
	case w.ts[i] == t || i == 0:
		return w.xs[i]
	}
	a, b := w.ts[i-1], w.ts[i]
	return w.xs[i-1] + (w.xs[i]-w.xs[i-1])*float64(t-a)/float64(b-a)
}

// fit widens the gaps inside [t0, t1] so that x(t1) - x(t0) ≥ need,
// moving everything after them right.
func (w *warp) fit(t0, t1 int64, need float64) {
	i := sort.Search(len(w.ts), func(i int) bool { return w.ts[i] >= t0 })
	j := sort.Search(len(w.ts), func(i int) bool { return w.ts[i] >= t1 })
	if i >= len(w.ts) || j >= len(w.ts) || j <= i {
		return
	}
	short := need - (w.xs[j] - w.xs[i])
	if short <= 0 {
		return
	}
	per := short / float64(j-i)
	for k := i + 1; k < len(w.xs); k++ {
		w.xs[k] += per * float64(min(k, j)-i)
	}
}

// end is the last position.
func (w *warp) end() float64 {
	if len(w.xs) == 0 {
		return 0
	}
	return w.xs[len(w.xs)-1]
}
