package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDistSamplesMatchMeanAndSpread(t *testing.T) {
	const n = 200_000
	tests := []struct {
		name     string
		d        Dist
		mean, sd float64 // expected, in ns
		lo, hi   Time    // every sample within [lo, hi]
		meanTol  float64 // relative
		sdTol    float64 // relative; 0: unchecked
	}{
		{"constant", Dist{Kind: Constant, Mean: Millisecond}, 1e6, 0, Millisecond, Millisecond, 0, 0},
		{"uniform", Dist{Kind: Uniform, Min: Millisecond, Max: 3 * Millisecond}, 2e6, 2e6 / math.Sqrt(12), Millisecond, 3 * Millisecond, 0.01, 0.02},
		{"normal", Dist{Kind: Normal, Mean: 10 * Millisecond, Stddev: Millisecond}, 1e7, 1e6, 0, MaxTime, 0.01, 0.02},
		{"exponential", Dist{Kind: Exponential, Mean: 2 * Millisecond}, 2e6, 2e6, 0, MaxTime, 0.02, 0.03},
		{"lognormal", Dist{Kind: LogNormal, Mean: Millisecond, Stddev: 500 * Microsecond}, 1e6, 5e5, 0, MaxTime, 0.02, 0.05},
		{"exponential capped", Dist{Kind: Exponential, Mean: Millisecond, Max: Millisecond}, 1e6 * (1 - math.Exp(-1)), 0, 0, Millisecond, 0.02, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.d.Validate())
			s := newSampler(tt.d)
			r := rand.New(rand.NewPCG(1, 2))
			var sum, sumSq float64
			outside := 0
			for range n {
				v := s.sample(r)
				if v < tt.lo || v > tt.hi {
					outside++
				}
				sum += float64(v)
				sumSq += float64(v) * float64(v)
			}
			require.Zero(t, outside, "samples outside [%v, %v]", tt.lo, tt.hi)
			mean := sum / n
			sd := math.Sqrt(sumSq/n - mean*mean)
			assert.InEpsilon(t, tt.mean, mean, tt.meanTol+1e-9, "mean")
			if tt.sdTol > 0 {
				assert.InEpsilon(t, tt.sd, sd, tt.sdTol, "stddev")
			}
		})
	}
}

func TestNormalIsTruncatedAtZero(t *testing.T) {
	s := newSampler(Dist{Kind: Normal, Mean: Millisecond, Stddev: 2 * Millisecond})
	r := rand.New(rand.NewPCG(3, 4))
	negative := 0
	for range 10_000 {
		if s.sample(r) < 0 {
			negative++
		}
	}
	assert.Zero(t, negative)
}

func TestDistValidateNamesTheField(t *testing.T) {
	tests := []struct {
		d     Dist
		field string
	}{
		{Dist{}, "dist.kind"},
		{Dist{Kind: 99, Mean: 1}, "dist.kind"},
		{Dist{Kind: Constant}, "dist.mean"},
		{Dist{Kind: Normal, Mean: -Millisecond}, "dist.mean"},
		{Dist{Kind: Normal, Mean: Millisecond, Stddev: -1}, "dist.stddev"},
		{Dist{Kind: Uniform, Min: 5}, "dist.max"},
		{Dist{Kind: Uniform, Min: 5, Max: 4}, "dist.max"},
		{Dist{Kind: Exponential, Mean: 1, Min: -1}, "dist.min"},
		{Dist{Kind: LogNormal, Mean: 1, Max: -1}, "dist.max"},
	}
	for _, tt := range tests {
		err := tt.d.Validate()
		var fe *FieldError
		if assert.ErrorAs(t, err, &fe, "%+v", tt.d) {
			assert.Equal(t, tt.field, fe.Field, "%+v: %v", tt.d, err)
		}
	}
}

func TestParseDist(t *testing.T) {
	d, err := ParseDist("lognormal", Millisecond, 200*Microsecond)
	require.NoError(t, err)
	assert.Equal(t, Dist{Kind: LogNormal, Mean: Millisecond, Stddev: 200 * Microsecond}, d)

	d, err = ParseDist("Uniform", 10*Millisecond, Millisecond)
	require.NoError(t, err)
	assert.Equal(t, Uniform, d.Kind)
	assert.InDelta(t, float64(10*Millisecond), float64(d.Min+d.Max)/2, 1, "same mean")
	assert.InDelta(t, float64(Millisecond), float64(d.Max-d.Min)/math.Sqrt(12), 2, "same stddev")

	_, err = ParseDist("gaussian", Millisecond, 0)
	assert.ErrorContains(t, err, `"gaussian"`)
	_, err = ParseDist("constant", 0, 0)
	assert.ErrorContains(t, err, "dist.mean")

	for k := Constant; k <= LogNormal; k++ {
		got, err := ParseDistKind(k.String())
		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
}
