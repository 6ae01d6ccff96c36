package nemesis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTuningRoundTripsEveryProfile: the tuning text of a drawn profile sets
// exactly the profile's pacing and intensities, so a profile can be written
// as flags.
func TestTuningRoundTripsEveryProfile(t *testing.T) {
	for seed := uint64(1); seed <= 100; seed++ {
		p := Swarm(testRNG(seed), 5).Config()
		var back Config
		require.NoError(t, ParseTuning(FormatTuning(p), &back), "seed %d", seed)
		back.Faults, back.Interval, back.MaxCrashed = p.Faults, p.Interval, p.MaxCrashed
		assert.Equal(t, p, back, "seed %d: %s", seed, FormatTuning(p))
	}
	off := Config{Jitter: Off, Intensity: Intensity{ChurnWipe: Off}}
	assert.Equal(t, "jitter=off,churn-wipe=off", FormatTuning(off))
	assert.Empty(t, FormatTuning(Config{}), "defaults are not written")
}

func TestParseTuningErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"loss", `"loss" is not key=value`},
		{"nope=1", `unknown key "nope"`},
		{"delay=fast", `delay: "fast" is not a non-negative duration`},
		{"max-active=-1", `max-active: "-1" is not a non-negative whole number`},
		{"loss=2", "intensity.loss: 2 is outside [0,1]"},
		{"loss=0.1,loss=0.2", "loss is given twice"},
		{"jitter=x", `jitter: "x" is not a number`},
	} {
		var c Config
		err := ParseTuning(tc.in, &c)
		require.Error(t, err, tc.in)
		assert.Contains(t, err.Error(), tc.want, tc.in)
	}
	var c Config
	require.NoError(t, ParseTuning(" loss = 0.25 , delay=20ms,jitter=off ", &c))
	assert.Equal(t, 0.25, c.Intensity.Loss)
	assert.Equal(t, 20*Millisecond, c.Intensity.Delay)
	assert.Equal(t, float64(Off), c.Jitter)
}

// TestSwarmWithOptions: excluded faults are never drawn, fixed faults keep
// the pacing and intensities the seed draws without them, and the bounds on
// pacing and fsync latency hold.
func TestSwarmWithOptions(t *testing.T) {
	exclude := []string{"pause-random", "pause-leader", "clock-skew", "clock-drift", "clock-bump", "clock-strobe"}
	for seed := uint64(1); seed <= 200; seed++ {
		p := SwarmWith(testRNG(seed), SwarmOptions{Nodes: 3, Exclude: exclude, MinInterval: 100 * Millisecond, MaxInterval: Second, MaxSyncLatency: 40 * Millisecond})
		require.NotEmpty(t, p.Faults)
		for _, f := range p.Faults {
			assert.NotContains(t, exclude, f, "seed %d", seed)
		}
		assert.GreaterOrEqual(t, p.Interval, 100*Millisecond)
		assert.LessOrEqual(t, p.Interval, Second)
		assert.LessOrEqual(t, p.Intensity.SyncLatency, 40*Millisecond)

		free := SwarmWith(testRNG(seed), SwarmOptions{Nodes: 5})
		fixed := SwarmWith(testRNG(seed), SwarmOptions{Nodes: 5, Faults: []string{"flaky"}})
		assert.Equal(t, []string{"flaky"}, fixed.Faults)
		// The budget depends on the faults (no majority down for good).
		fixed.Faults, fixed.MaxCrashed = free.Faults, free.MaxCrashed
		assert.Equal(t, free, fixed, "seed %d: fixing the faults changed the rest of the draw", seed)
	}
}

func TestTrimKeepsOnlyWhatTheFaultsRead(t *testing.T) {
	c := Swarm(testRNG(4), 5).Config()
	c.Faults = []string{"flaky", "clock-strobe", "crash-leader"}
	got := c.Trim()
	assert.Equal(t, c.Intensity.Loss, got.Intensity.Loss)
	assert.Equal(t, c.Intensity.StrobeDelta, got.Intensity.StrobeDelta)
	assert.Equal(t, c.Intensity.StrobePeriod, got.Intensity.StrobePeriod)
	assert.Equal(t, c.Jitter, got.Jitter)
	assert.Equal(t, c.MaxActive, got.MaxActive)
	want := Intensity{Loss: c.Intensity.Loss, StrobeDelta: c.Intensity.StrobeDelta, StrobePeriod: c.Intensity.StrobePeriod}
	assert.Equal(t, want, got.Intensity)
}
