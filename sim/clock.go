package sim

import (
	"fmt"
	"math"
	"math/bits"
)

// Clock is a host's local clock: global time plus an offset plus accumulated
// drift. Code reading "local time" (lease reads, timers) sees it; the nemesis
// skews, bumps and strobes it. Drift is kept in integer parts per billion so
// that local time is exact integer arithmetic, identical on every platform.
type Clock struct {
	h       *Host
	offset  Time  // set by SetOffset and Bump
	ppb     int64 // drift rate
	anchor  Time  // global time the rate last changed
	acc     Time  // drift accumulated before anchor
	initOff Time
	initPPB int64
}

func (c *Clock) init(h *Host, offset Time, ppm float64) {
	c.h = h
	c.offset, c.initOff = offset, offset
	c.ppb = ppmToPPB(ppm)
	c.initPPB = c.ppb
}

func ppmToPPB(ppm float64) int64 { return int64(math.Round(ppm * 1000)) }

// driftOver returns the drift accumulated over elapsed at rate ppb, split so
// that no intermediate product overflows.
func driftOver(elapsed Time, ppb int64) Time {
	const billion = 1_000_000_000
	return Time(int64(elapsed)/billion*ppb + int64(elapsed)%billion*ppb/billion)
}

// Local maps a global time to this clock's reading.
func (c *Clock) Local(global Time) Time {
	return global + c.offset + c.acc + driftOver(global-c.anchor, c.ppb)
}

// Offset returns the offset set by SetOffset and Bump (drift excluded).
func (c *Clock) Offset() Time { return c.offset }

// Drift returns the drift rate in parts per million.
func (c *Clock) Drift() float64 { return float64(c.ppb) / 1000 }

// SetOffset sets the clock's offset from global time; the reading jumps.
func (c *Clock) SetOffset(off Time) {
	c.offset = off
	c.record()
}

// Bump moves the clock by d (either way), as an operator's or NTP's step would.
func (c *Clock) Bump(d Time) {
	c.offset += d
	c.record()
}

// SetDrift makes the clock run ppm parts per million fast (or slow, if
// negative) from now on; the reading stays continuous. Host timers set later
// take correspondingly more or less global time. |ppm| ≤ MaxDriftPPM; a bad
// value is returned and fails the run.
func (c *Clock) SetDrift(ppm float64) error {
	if err := checkDrift("clock_drift_ppm", ppm); err != nil {
		c.h.w.fail(fmt.Errorf("%w: host %d: %w", ErrBadArgument, c.h.addr, err))
		return err
	}
	now := c.h.w.now
	c.acc += driftOver(now-c.anchor, c.ppb)
	c.anchor = now
	c.ppb = ppmToPPB(ppm)
	c.record()
	return nil
}

// Reset returns the clock to the host's configured offset and drift; the
// accumulated drift is forgotten, so the reading may jump.
func (c *Clock) Reset() {
	c.offset, c.ppb = c.initOff, c.initPPB
	c.acc, c.anchor = 0, c.h.w.now
	c.record()
}

func (c *Clock) record() {
	c.h.w.trace.add(KindClock, c.h.addr, 0, int64(c.offset), c.ppb)
}

// globalDelay converts a span of local time to the global time it takes at
// the current rate, rounded up so the local clock has advanced at least d when
// the timer fires.
func (c *Clock) globalDelay(d Time) Time {
	if c.ppb == 0 || d == 0 {
		return d
	}
	den := uint64(1_000_000_000 + c.ppb) // > 0: |ppb| ≤ 5e8
	hi, lo := bits.Mul64(uint64(d), 1_000_000_000)
	if hi >= den {
		return MaxTime
	}
	q, r := bits.Div64(hi, lo, den)
	if r != 0 {
		q++
	}
	if q > uint64(MaxTime) {
		return MaxTime
	}
	return Time(q)
}
