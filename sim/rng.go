package sim

import (
	"fmt"
	"math/rand/v2"
)

// Stream returns the random stream named name, derived from the run's seed and
// the name alone: a stream's draws do not depend on which other streams exist
// or how much they were used. Each name may be taken once per World; the names
// the engine takes itself are listed in the package doc.
func (w *World) Stream(name string) (*rand.Rand, error) {
	if name == "" {
		return nil, fieldErr("stream", "empty name")
	}
	if _, taken := w.streams[name]; taken {
		return nil, fieldErr("stream", fmt.Sprintf("name %q is already taken", name))
	}
	w.streams[name] = struct{}{}
	return newStream(w.cfg.Seed, name), nil
}

// NewStream returns the stream World.Stream(name) gives a world of this seed,
// for random choices made before a world exists (the swarm's draw of a run's
// configuration). A name used this way must not also be taken from a world.
func NewStream(seed uint64, name string) *rand.Rand { return newStream(seed, name) }

// newStream seeds a PCG generator from a hash of (seed, name).
func newStream(seed uint64, name string) *rand.Rand {
	h := uint64(14695981039346656037) // FNV-1a offset basis
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	a := splitmix(seed ^ splitmix(h))
	b := splitmix(a ^ h)
	return rand.New(rand.NewPCG(a, b))
}

// splitmix is the SplitMix64 finaliser: a cheap bijective mixer.
func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}
