package nemesis

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateNamesTheBadField(t *testing.T) {
	tests := []struct {
		field string
		edit  func(c *Config)
	}{
		{"faults[1]", func(c *Config) { c.Faults = []string{"flaky", "nope"} }},
		{"faults[0]", func(c *Config) { c.Faults = []string{""} }},
		{"interval", func(c *Config) { c.Interval = -1 }},
		{"interval", func(c *Config) { c.Interval = 10 }},
		{"jitter", func(c *Config) { c.Jitter = 1.5 }},
		{"jitter", func(c *Config) { c.Jitter = -0.5 }},
		{"jitter", func(c *Config) { c.Jitter = math.NaN() }},
		{"max_active", func(c *Config) { c.MaxActive = -1 }},
		{"max_crashed", func(c *Config) { c.MaxCrashed = -2 }},
		{"repair_timeout", func(c *Config) { c.RepairTimeout = -1 }},
		{"intensity.loss", func(c *Config) { c.Intensity.Loss = 1.01 }},
		{"intensity.duplicate", func(c *Config) { c.Intensity.Duplicate = -0.1 }},
		{"intensity.reorder", func(c *Config) { c.Intensity.Reorder = math.Inf(1) }},
		{"intensity.churn_wipe", func(c *Config) { c.Intensity.ChurnWipe = 2 }},
		{"intensity.churn_leader", func(c *Config) { c.Intensity.ChurnLeader = -0.5 }},
		{"intensity.crash_count", func(c *Config) { c.Intensity.CrashCount = -1 }},
		{"intensity.downtime_ns", func(c *Config) { c.Intensity.Downtime = -1 }},
		{"intensity.delay_ns", func(c *Config) { c.Intensity.Delay = -1 }},
		{"intensity.link_delay_ns", func(c *Config) { c.Intensity.LinkDelay = -1 }},
		{"intensity.clock_skew_ns", func(c *Config) { c.Intensity.ClockSkew = -1 }},
		{"intensity.clock_bump_ns", func(c *Config) { c.Intensity.ClockBump = -1 }},
		{"intensity.strobe_delta_ns", func(c *Config) { c.Intensity.StrobeDelta = -1 }},
		{"intensity.strobe_period_ns", func(c *Config) { c.Intensity.StrobePeriod = 5 }},
		{"intensity.sync_latency_ns", func(c *Config) { c.Intensity.SyncLatency = -1 }},
		{"intensity.clock_drift_ppm", func(c *Config) { c.Intensity.ClockDrift = 1e6 }},
		{"intensity.clock_drift_ppm", func(c *Config) { c.Intensity.ClockDrift = math.NaN() }},
	}
	for _, tc := range tests {
		c := Config{Faults: []string{"flaky"}}
		tc.edit(&c)
		err := c.Validate()
		require.Error(t, err, tc.field)
		assert.Contains(t, err.Error(), tc.field+":", "error %q does not name %s", err, tc.field)
	}
	var c Config
	c.Faults = []string{"nope"}
	assert.True(t, errors.Is(c.Validate(), ErrUnknownFault))
}

func TestValidateAcceptsZeroAndSpecialValues(t *testing.T) {
	good := []Config{
		{},
		{Faults: []string{"all"}},
		{Faults: []string{"partition", "crash_leader"}},
		{Jitter: Off, MaxCrashed: BudgetMajority},
		{Intensity: Intensity{ChurnWipe: Off, ChurnLeader: Off, Loss: 1}},
		Config{}.WithDefaults(),
	}
	for _, c := range good {
		assert.NoError(t, c.Validate(), "%+v", c)
	}
}

func TestDefaultsFillOnlyZeroFields(t *testing.T) {
	d := Config{}.WithDefaults()
	assert.Equal(t, DefaultInterval, d.Interval)
	assert.Equal(t, DefaultJitter, d.Jitter)
	assert.Equal(t, DefaultMaxActive, d.MaxActive)
	assert.Equal(t, DefaultRepairTimeout, d.RepairTimeout)
	assert.Equal(t, 0.2, d.Intensity.Loss)
	c := Config{Interval: 7 * Second, Jitter: Off, Intensity: Intensity{Loss: 0.9}}.WithDefaults()
	assert.Equal(t, 7*Second, c.Interval)
	assert.Equal(t, float64(Off), c.Jitter)
	assert.Equal(t, 0.9, c.Intensity.Loss)
}

func TestConfigRoundTripsThroughJSON(t *testing.T) {
	c := Config{Faults: []string{"flaky", "crash-all"}, Interval: 3 * Second, Jitter: 0.25, MaxActive: 2, MaxCrashed: BudgetMajority,
		RepairTimeout: 5 * Second, Intensity: Intensity{Loss: 0.4, ClockDrift: 1234.5, ChurnWipe: Off}}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"interval_ns":3000000000`)
	var back Config
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, c, back)
}
