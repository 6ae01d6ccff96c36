package main

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/raftcheck/raftcheck/raft/raftbench"
	"github.com/raftcheck/raftcheck/sim"
)

// The building blocks' benchmarks, as `raftcheck bench` runs them: the same
// workloads as BenchmarkEngine, BenchmarkNetwork (sim; rebuilt here on the
// exported API) and BenchmarkCommit (raft/raftbench's cluster, shared), so
// that the binary alone can print every figure of the table. A fixed amount of work is timed rather
// than testing.Benchmark's one second per figure, which keeps --quick quick.

// microResult is one micro-benchmark's outcome.
type microResult struct {
	rate    float64 // units per wall second
	cpuRate float64 // units per CPU second of the process (0: unknown)
	allocs  float64 // heap allocations per unit
}

// meter measures one timed stretch of work.
type meter struct {
	before runtime.MemStats
	start  time.Time
	cpu    time.Duration
}

func startMeter() *meter {
	m := &meter{}
	runtime.GC()
	runtime.ReadMemStats(&m.before)
	m.start, m.cpu = time.Now(), cpuTime()
	return m
}

// done returns the rates for n units of work.
func (m *meter) done(n int) microResult {
	el, cpu := time.Since(m.start), cpuTime()-m.cpu
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	r := microResult{rate: float64(n) / el.Seconds(), allocs: float64(after.Mallocs-m.before.Mallocs) / float64(n)}
	if cpu > 0 {
		r.cpuRate = float64(n) / cpu.Seconds()
	}
	return r
}

// timeLoop runs n units of work and measures them.
func timeLoop(n int, step func() error) (microResult, error) {
	m := startMeter()
	for range n {
		if err := step(); err != nil {
			return microResult{}, err
		}
	}
	return m.done(n), nil
}

// holdHandler reschedules itself on every fire: the hold model, one pop and
// one push per event with a constant number pending.
type holdHandler struct {
	w   *sim.World
	rng *rand.PCG
}

func (h *holdHandler) Fire(tag uint64) { h.w.Schedule(sim.Time(1+h.rng.Uint64()&0xFFFF), h, tag) }

// stepWorld is one event of w as a timeLoop step.
func stepWorld(w *sim.World) func() error {
	return func() error {
		ok, err := w.Step()
		if err == nil && !ok {
			err = errors.New("the event queue ran dry")
		}
		return err
	}
}

// benchEngine measures the event queue: events per second with pending
// events queued (BenchmarkEngine).
func benchEngine(pending, events int) (microResult, error) {
	w, err := sim.NewWorld(sim.Config{MaxEvents: 1 << 62})
	if err != nil {
		return microResult{}, err
	}
	h := &holdHandler{w: w, rng: rand.NewPCG(1, 2)}
	for i := range pending {
		w.Schedule(sim.Time(1+h.rng.Uint64()&0xFFFF), h, uint64(i))
	}
	for range 10 * pending { // warm up: slab, heap and free list at size
		if _, err := w.Step(); err != nil {
			return microResult{}, err
		}
	}
	return timeLoop(events, stepWorld(w))
}

// ringProc forwards every message to the next host of a ring.
type ringProc struct {
	h    *sim.Host
	next int
}

func (p *ringProc) Receive(_ int, msg any) { p.h.Send(p.next, msg) }
func (p *ringProc) Fire(uint64)            {}

// benchNetwork measures send + deliver among 5 hosts, trace off: messages
// per second (BenchmarkNetwork).
func benchNetwork(msgs int) (microResult, error) {
	const hosts = 5
	w, err := sim.NewWorld(sim.Config{MaxEvents: 1 << 62})
	if err != nil {
		return microResult{}, err
	}
	for a := 1; a <= hosts; a++ {
		if _, err := w.AddHost(a, sim.HostConfig{}, func(h *sim.Host) (sim.Process, error) {
			return &ringProc{h: h, next: a%hosts + 1}, nil
		}); err != nil {
			return microResult{}, err
		}
	}
	msg := &struct{ n int }{}
	for a := 1; a <= hosts; a++ {
		for range 4 { // several in flight, so deliveries interleave
			w.Host(a).Send(a%hosts+1, msg)
		}
	}
	return timeLoop(msgs, stepWorld(w))
}

// benchRaftCommit measures committed proposals per wall second through an
// n-node cluster, proposing in batches of 64 while earlier batches are in
// flight (BenchmarkCommit in raft/raftbench).
func benchRaftCommit(n, proposals int) (microResult, error) {
	c, err := raftbench.New(n)
	if err != nil {
		return microResult{}, err
	}
	l, li, err := c.Elect()
	if err != nil {
		return microResult{}, err
	}
	m := startMeter()
	if err := c.Commit(l, li, proposals, 64, make([]byte, 64)); err != nil {
		return microResult{}, err
	}
	return m.done(proposals), nil
}
