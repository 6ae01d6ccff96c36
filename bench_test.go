package raftcheck

import (
	"strconv"
	"syscall"
	"testing"
	"time"
)

// benchSeeds is how many distinct seeds a run benchmark cycles through: one
// seed can be unusually cheap or dear (a crash early, a partition late), a
// few average that out while every run of the benchmark sees the same ones.
const benchSeeds = 8

// cpuTime returns the CPU time this process has used (all threads). On a
// machine shared with other jobs, wall-clock rates swing with the load; the
// per-CPU-second rate shows the work itself.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchRuns runs cfg b.N times, cycling through benchSeeds seeds, and reports
// what issue 8 measures: events per wall second, simulated seconds per wall
// second, and the share of wall time spent checking; also events per CPU
// second (checking runs on every core, so this is below events/s on an idle
// machine and above it on a busy one).
//
// The CLI runs with GOGC=400 (cmd/raftcheck/gc.go); run these benchmarks
// with GOGC=400 to measure the same thing, as `make bench` does.
func benchRuns(b *testing.B, cfg Config) {
	b.Helper()
	cfg.Store = ""
	base := cfg.Seed
	var events, ops uint64
	var simS, wallS, checkS float64
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		cfg.Seed = base + uint64(i%benchSeeds)
		res, err := Run(cfg)
		if err != nil {
			b.Fatalf("seed %d: %v", cfg.Seed, err)
		}
		if res.Verdict != Valid {
			b.Fatalf("seed %d: verdict %s: %v", cfg.Seed, res.Verdict, res.Reasons)
		}
		events += res.Stats.Events
		ops += uint64(res.Stats.Ops.Invoked)
		simS += res.Stats.SimSeconds
		wallS += res.Stats.WallSeconds
		checkS += res.Stats.CheckSeconds
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if wallS <= 0 {
		return
	}
	if cpu > 0 {
		b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s")
	}
	b.ReportMetric(float64(events)/wallS, "events/s")
	b.ReportMetric(simS/wallS, "sim-s/wall-s")
	b.ReportMetric(100*checkS/wallS, "check-%")
	b.ReportMetric(float64(ops)/float64(b.N), "ops/run")
}

// BenchmarkStandardSeed is the standard run (`raftcheck run` defaults: 5 nodes,
// 10 clients at 10 ops/s, kv, partitions and crashes, 60 s plus recovery)
// without the store. Targets: ≥ 1000 sim-s/wall-s, ≥ 2M events/s, check ≤ 30 %.
func BenchmarkStandardSeed(b *testing.B) {
	benchRuns(b, DefaultConfig())
}

// BenchmarkStandardSeedEtcd is BenchmarkStandardSeed on etcd's Raft
// (--raft etcd): the same seeds, workload and faults through the etcd
// adapter.
func BenchmarkStandardSeedEtcd(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Raft = "etcd"
	benchRuns(b, cfg)
}

// BenchmarkSaturating is the standard run with closed-loop clients (Rate 0):
// every client issues its next op as soon as the last completes, so the
// cluster is as busy as ten clients can make it. Target: ≥ 2M events/s.
func BenchmarkSaturating(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Rate = 0
	benchRuns(b, cfg)
}

// BenchmarkScaling is the standard run on 3 to 101 nodes: how the cost of a
// seed grows with the cluster (heartbeats and replication fan out to n−1
// peers, so events grow about linearly in n).
func BenchmarkScaling(b *testing.B) {
	for _, n := range []int{3, 5, 9, 25, 51, 101} {
		b.Run("nodes="+strconv.Itoa(n), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Nodes = n
			benchRuns(b, cfg)
		})
	}
}
