package sim

import (
	"math/rand/v2"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time this process has used. On a machine shared
// with other jobs, wall-clock rates swing with the load; CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runSteps steps w b.N times and reports the rate in unit per second of wall
// time and of CPU time.
func runSteps(b *testing.B, w *World, unit string) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		if ok, err := w.Step(); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit+"/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), unit+"/cpu-s")
	}
}

// holdHandler re-schedules itself on every fire: the classic hold model, one
// pop and one push per event with a constant number pending.
type holdHandler struct {
	w   *World
	rng *rand.PCG
}

func (h *holdHandler) Fire(tag uint64) {
	h.w.Schedule(Time(1+h.rng.Uint64()&0xFFFF), h, tag)
}

func BenchmarkEngine(b *testing.B) {
	for _, pending := range []int{64, 4096} {
		b.Run("pending="+strconv.Itoa(pending), func(b *testing.B) {
			w := newTestWorld(b, Config{MaxEvents: 1 << 62})
			h := &holdHandler{w: w, rng: rand.NewPCG(1, 2)}
			for i := range pending {
				w.Schedule(Time(1+h.rng.Uint64()&0xFFFF), h, uint64(i))
			}
			runSteps(b, w, "events")
		})
	}
}

// ringProc forwards every message to the next host of the ring.
type ringProc struct {
	h    *Host
	next int
}

func (p *ringProc) Receive(_ int, msg any) { p.h.Send(p.next, msg) }
func (p *ringProc) Fire(uint64)            {}

func BenchmarkNetwork(b *testing.B) {
	const hosts = 5
	w := newTestWorld(b, Config{MaxEvents: 1 << 62})
	for a := 1; a <= hosts; a++ {
		_, err := w.AddHost(a, HostConfig{}, func(h *Host) (Process, error) {
			return &ringProc{h: h, next: a%hosts + 1}, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	msg := &wlMsg{kind: 1}
	// Several messages circulate so that deliveries interleave.
	for a := 1; a <= hosts; a++ {
		for range 4 {
			w.Host(a).Send(a%hosts+1, msg)
		}
	}
	runSteps(b, w, "msgs")
	if d := w.Net().Stats().Delivered; d < uint64(b.N) {
		b.Fatalf("%d deliveries for %d steps", d, b.N)
	}
}

// tickProc re-arms a local timer on every fire, like a Raft tick.
type tickProc struct{ h *Host }

func (p *tickProc) Receive(int, any) {}
func (p *tickProc) Fire(tag uint64)  { p.h.After(Millisecond, tag) }

func BenchmarkHostTimer(b *testing.B) {
	w := newTestWorld(b, Config{MaxEvents: 1 << 62})
	for a := 1; a <= 5; a++ {
		_, err := w.AddHost(a, HostConfig{ClockDriftPPM: float64(a) * 10}, func(h *Host) (Process, error) {
			h.After(Time(a), 0)
			return &tickProc{h: h}, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	runSteps(b, w, "events")
}

func TestHotPathsDoNotAllocate(t *testing.T) {
	w := newTestWorld(t, Config{})
	for a := 1; a <= 3; a++ {
		_, err := w.AddHost(a, HostConfig{ClockDriftPPM: 10}, func(h *Host) (Process, error) {
			return &ringProc{h: h, next: a%3 + 1}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	hold := &holdHandler{w: w, rng: rand.NewPCG(1, 2)}
	msg := &wlMsg{kind: 1}
	for i := range 64 {
		w.Schedule(Time(i), hold, 0)
	}
	w.Host(1).Send(2, msg)
	step := func() {
		if _, err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}
	for range 1000 { // warm up: slab, heap and free list reach their size
		step()
	}
	if n := testing.AllocsPerRun(10_000, step); n != 0 {
		t.Errorf("%v allocations per event", n)
	}
	timer := func() { w.Host(1).After(Millisecond, 5); step() }
	if n := testing.AllocsPerRun(10_000, timer); n != 0 {
		t.Errorf("%v allocations per host timer", n)
	}
}
