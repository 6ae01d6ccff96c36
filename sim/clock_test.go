package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClockOffset(t *testing.T) {
	w := newTestWorld(t, Config{})
	h := addRec(t, w, 1, HostConfig{ClockOffset: -5 * Millisecond}, nil)
	require.NoError(t, w.Run(Second))
	assert.Equal(t, Second-5*Millisecond, h.Now())
	h.Clock().SetOffset(Second)
	assert.Equal(t, 2*Second, h.Now())
	h.Clock().Bump(-Second / 2)
	assert.Equal(t, Second+Second/2, h.Now())
	assert.Equal(t, Second/2, h.Clock().Offset())
	h.Clock().Reset()
	assert.Equal(t, Second-5*Millisecond, h.Now(), "reset to the configured skew")
}

func TestClockDrift(t *testing.T) {
	w := newTestWorld(t, Config{})
	h := addRec(t, w, 1, HostConfig{ClockDriftPPM: 1000}, nil)
	require.NoError(t, w.Run(Second))
	assert.Equal(t, Second+Millisecond, h.Now(), "1000 ppm fast: 1ms per second")

	require.NoError(t, h.Clock().SetDrift(-2000))
	assert.Equal(t, Second+Millisecond, h.Now(), "changing the rate does not jump the clock")
	require.NoError(t, w.Run(2*Second))
	assert.Equal(t, 2*Second-Millisecond, h.Now())
	assert.InDelta(t, -2000, h.Clock().Drift(), 1e-9)

	assert.Error(t, h.Clock().SetDrift(MaxDriftPPM+1))
	assert.ErrorIs(t, w.Run(3*Second), ErrBadArgument, "a bad drift fails the run")
}

func TestTimersRunOnLocalTime(t *testing.T) {
	for _, ppm := range []float64{100_000, -100_000, 37, -MaxDriftPPM, MaxDriftPPM} {
		w := newTestWorld(t, Config{})
		h := addRec(t, w, 1, HostConfig{ClockDriftPPM: ppm}, nil)
		localStart := h.Now()
		h.After(10*Millisecond, 1)
		require.NoError(t, w.Run(Second))
		f := proc(h).fires
		require.Len(t, f, 1)
		want := float64(10*Millisecond) / (1 + ppm/1e6)
		assert.InDelta(t, want, float64(f[0].at), 1.01, "ppm %v: global duration", ppm)
		local := h.Clock().Local(f[0].at) - localStart
		assert.GreaterOrEqual(t, local, 10*Millisecond, "ppm %v: the local clock has advanced by d when it fires", ppm)
		assert.Less(t, local, 10*Millisecond+2, "ppm %v", ppm)
	}
}

func TestOffsetDoesNotMovePendingTimers(t *testing.T) {
	w := newTestWorld(t, Config{})
	h := addRec(t, w, 1, HostConfig{}, nil)
	h.After(10*Millisecond, 1)
	h.Clock().Bump(Second)
	require.NoError(t, w.Run(Second))
	assert.Equal(t, 10*Millisecond, proc(h).fires[0].at)
}
