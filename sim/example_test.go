package sim_test

import (
	"fmt"

	"github.com/raftcheck/raftcheck/sim"
)

// echo answers every message with the same message, and counts.
type echo struct {
	h    *sim.Host
	seen int
}

func (e *echo) Receive(from int, msg any) {
	e.seen++
	fmt.Printf("%v: %d got %v from %d\n", e.h.World().Now(), e.h.Addr(), msg, from)
	if n := msg.(int); n > 0 {
		e.h.Send(from, n-1)
	}
}

func (e *echo) Fire(uint64) {}

func Example() {
	w, err := sim.NewWorld(sim.Config{
		Seed: 1,
		Net:  sim.NetConfig{Latency: sim.Dist{Kind: sim.Constant, Mean: sim.Millisecond}},
	})
	if err != nil {
		panic(err)
	}
	start := func(h *sim.Host) (sim.Process, error) { return &echo{h: h}, nil }
	for _, addr := range []int{1, 2} {
		if _, err := w.AddHost(addr, sim.HostConfig{}, start); err != nil {
			panic(err)
		}
	}
	w.Host(1).Send(2, 3)
	// Messages in flight when the link is cut are lost.
	w.After(2500*sim.Microsecond, func() { _ = w.Net().Block(1, 2) })
	if err := w.Run(sim.Second); err != nil {
		panic(err)
	}
	s := w.Net().Stats()
	fmt.Printf("sent %d, delivered %d, dropped by partition %d\n", s.Sent, s.Delivered, s.DroppedPartition)
	// Output:
	// 1ms: 2 got 3 from 1
	// 2ms: 1 got 2 from 2
	// sent 3, delivered 2, dropped by partition 1
}
