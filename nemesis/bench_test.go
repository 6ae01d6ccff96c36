package nemesis

import "testing"

// BenchmarkScheduleAll measures one 60 s run of every fault at a 1 s interval
// against the in-test fake, heal and recovery included. The nemesis is off
// the simulator's hot path (a few actions per simulated second); this shows
// its cost stays negligible next to the simulator's millions of events.
func BenchmarkScheduleAll(b *testing.B) {
	cfg := Config{Faults: []string{All}, Interval: Second, MaxActive: 3}
	b.ReportAllocs()
	events := 0
	for i := 0; b.Loop(); i++ {
		fc, _ := runAll(b, 5, cfg, uint64(i), 60*Second, nil)
		events += len(fc.events)
	}
	b.ReportMetric(float64(events)/float64(b.N), "faultevents/op")
}

// BenchmarkSwarm measures drawing one swarm profile.
func BenchmarkSwarm(b *testing.B) {
	rng := testRNG(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = Swarm(rng, 5)
	}
}
