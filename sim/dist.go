package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// DistKind selects the shape of a latency distribution.
type DistKind uint8

// Distribution kinds. The zero DistKind means "unset" (use the default).
const (
	// Constant: always Mean.
	Constant DistKind = iota + 1
	// Uniform: uniform in [Min, Max].
	Uniform
	// Normal: Mean ± Stddev, truncated at 0 (negative draws are redrawn).
	Normal
	// Exponential: memoryless with the given Mean.
	Exponential
	// LogNormal: long-tailed, parameterised by the Mean and Stddev of the
	// resulting distribution (not of its logarithm).
	LogNormal
)

var distKindNames = [...]string{"", "constant", "uniform", "normal", "exponential", "lognormal"}

// String returns the CLI name of k ("lognormal").
func (k DistKind) String() string {
	if int(k) < len(distKindNames) && k != 0 {
		return distKindNames[k]
	}
	return fmt.Sprintf("distkind(%d)", uint8(k))
}

// ParseDistKind parses a CLI name as returned by DistKind.String.
func ParseDistKind(s string) (DistKind, error) {
	for i, n := range distKindNames {
		if i > 0 && strings.EqualFold(s, n) {
			return DistKind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown distribution %q (want one of %s)", s, strings.Join(distKindNames[1:], ", "))
}

// Dist describes a distribution of durations (message latency). The zero Dist
// is "unset": configuration fields holding it take their documented default.
//
// Mean and Stddev define Constant, Normal, Exponential and LogNormal; Min and
// Max define Uniform. For the other kinds a positive Min or Max clamps the
// samples (a floor, a cap on the tail).
type Dist struct {
	Kind   DistKind
	Mean   Time
	Stddev Time
	Min    Time
	Max    Time
}

// ParseDist builds a distribution from a kind name and the mean and standard
// deviation a user typed. A uniform distribution gets the same mean and
// standard deviation: [mean-√3·stddev, mean+√3·stddev], floored at 0.
func ParseDist(kind string, mean, stddev Time) (Dist, error) {
	k, err := ParseDistKind(kind)
	if err != nil {
		return Dist{}, err
	}
	d := Dist{Kind: k, Mean: mean, Stddev: stddev}
	if k == Uniform {
		half := Time(math.Sqrt(3) * float64(stddev))
		d = Dist{Kind: Uniform, Min: max(mean-half, 0), Max: mean + half}
	}
	return d, d.Validate()
}

// Validate reports whether d can be sampled; errors name the offending field.
func (d Dist) Validate() error { return d.check("dist") }

// check validates d, naming fields below prefix ("net.latency.mean").
func (d Dist) check(prefix string) error {
	f := func(name string) string { return prefix + "." + name }
	if d.Min < 0 {
		return fieldErr(f("min"), fmt.Sprintf("%v is negative", d.Min))
	}
	if d.Max < 0 {
		return fieldErr(f("max"), fmt.Sprintf("%v is negative", d.Max))
	}
	if d.Max > 0 && d.Max < d.Min {
		return fieldErr(f("max"), fmt.Sprintf("%v is below min %v", d.Max, d.Min))
	}
	if d.Stddev < 0 {
		return fieldErr(f("stddev"), fmt.Sprintf("%v is negative", d.Stddev))
	}
	switch d.Kind {
	case Uniform:
		if d.Max <= 0 {
			return fieldErr(f("max"), fmt.Sprintf("%v must be > 0 for a uniform distribution", d.Max))
		}
		return nil
	case Constant, Normal, Exponential, LogNormal:
		if d.Mean <= 0 {
			return fieldErr(f("mean"), fmt.Sprintf("%v must be > 0", d.Mean))
		}
		return nil
	case 0:
		return fieldErr(f("kind"), "unset")
	}
	return fieldErr(f("kind"), fmt.Sprintf("unknown kind %d", d.Kind))
}

// sampler is a validated Dist with its parameters precomputed as floats, so
// that drawing a sample costs one or two RNG calls and no allocation.
type sampler struct {
	kind      DistKind
	mean, sd  float64
	mu, sigma float64 // LogNormal: parameters of the underlying normal
	lo, hi    float64 // Uniform bounds, or clamps (hi == 0: no cap)
}

// maxRedraws bounds the rejection loop of the truncated normal; after it the
// sample is the mean (only reachable when Stddev dwarfs Mean).
const maxRedraws = 16

func newSampler(d Dist) sampler {
	s := sampler{kind: d.Kind, mean: float64(d.Mean), sd: float64(d.Stddev), lo: float64(d.Min), hi: float64(d.Max)}
	if d.Kind == LogNormal {
		ratio := s.sd / s.mean
		s.sigma = math.Sqrt(math.Log1p(ratio * ratio))
		s.mu = math.Log(s.mean) - s.sigma*s.sigma/2
	}
	return s
}

// sample draws one duration ≥ 0.
//
// The explicit float64 conversions around products are deliberate: Go may
// fuse x*y+z into one FMA instruction on some architectures (arm64, ppc64,
// s390x) and not on others, which changes the last bit; a conversion forces
// the product to be rounded first, so a seed draws the same latency everywhere.
func (s *sampler) sample(r *rand.Rand) Time {
	var v float64
	switch s.kind {
	case Constant:
		return Time(s.mean)
	case Uniform:
		v = s.lo + float64((s.hi-s.lo)*r.Float64())
		return Time(v)
	case Normal:
		v = s.mean
		for range maxRedraws {
			if x := s.mean + float64(s.sd*r.NormFloat64()); x >= 0 {
				v = x
				break
			}
		}
	case Exponential:
		v = s.mean * r.ExpFloat64()
	case LogNormal:
		v = math.Exp(s.mu + float64(s.sigma*r.NormFloat64()))
	}
	if v < s.lo {
		v = s.lo
	}
	if s.hi > 0 && v > s.hi {
		v = s.hi
	}
	if v >= float64(MaxTime/4) {
		return MaxTime / 4
	}
	return Time(v)
}
