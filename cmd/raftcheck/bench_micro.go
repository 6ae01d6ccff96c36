package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// The building blocks' benchmarks, as `raftcheck bench` runs them: the same
// workloads as BenchmarkEngine, BenchmarkNetwork (sim) and BenchmarkCommit
// (raft), rebuilt on the packages' exported API so that the binary alone can
// print every figure of the table. A fixed amount of work is timed rather
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

// raftBench is a lean in-memory Raft cluster: no disk, no network model;
// every hop handles each node's Ready and delivers what it sent.
type raftBench struct {
	nodes   []*raft.Node
	inbox   [][]raft.Message
	spare   [][]raft.Message
	disk    [][]raft.Entry // what each node "persisted"
	applied []uint64
}

func newRaftBench(n int) (*raftBench, error) {
	c := &raftBench{nodes: make([]*raft.Node, n), inbox: make([][]raft.Message, n),
		spare: make([][]raft.Message, n), disk: make([][]raft.Entry, n), applied: make([]uint64, n)}
	voters := make([]uint64, n)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	for i := range n {
		nd, err := raft.NewNode(raft.Config{ID: uint64(i + 1), Voters: voters, ElectionTicks: 10, HeartbeatTicks: 1,
			PreVote: true, CheckQuorum: true, MaxInflightMsgs: 256, MaxSizePerMsg: 1 << 20,
			Rand: rand.New(rand.NewPCG(uint64(i), 1))}, raft.Persisted{})
		if err != nil {
			return nil, err
		}
		c.nodes[i] = nd
	}
	return c, nil
}

func (c *raftBench) hop() error {
	for i, nd := range c.nodes {
		if !nd.HasReady() {
			continue
		}
		rd := nd.Ready()
		if len(rd.Entries) > 0 {
			// Persisting is a copy into the node's "disk" (as
			// BenchmarkCommit does; compaction empties it).
			d := c.disk[i]
			if k := int(rd.Entries[0].Index - 1); k < len(d) {
				d = d[:k]
			}
			c.disk[i] = append(d, rd.Entries...)
		}
		if k := len(rd.CommittedEntries); k > 0 {
			c.applied[i] = rd.CommittedEntries[k-1].Index
		}
		for _, m := range rd.Messages {
			c.inbox[m.To-1] = append(c.inbox[m.To-1], m)
		}
		nd.Advance()
	}
	for i, nd := range c.nodes {
		msgs := c.inbox[i]
		c.inbox[i] = c.spare[i][:0]
		for _, m := range msgs {
			if err := nd.Step(m); err != nil {
				return err
			}
		}
		c.spare[i] = msgs[:0]
	}
	return nil
}

// elect ticks the cluster until one node leads with its no-op committed.
func (c *raftBench) elect() (*raft.Node, int, error) {
	for range 10_000 {
		for _, nd := range c.nodes {
			nd.Tick()
		}
		for range 4 {
			if err := c.hop(); err != nil {
				return nil, 0, err
			}
		}
		for i, nd := range c.nodes {
			if st := nd.Status(); st.Role == raft.Leader && st.Commit == st.LastIndex && c.applied[i] == st.Commit {
				return nd, i, nil
			}
		}
	}
	return nil, 0, errors.New("raft bench: no leader after 10,000 ticks")
}

// benchRaftCommit measures committed proposals per wall second through an
// n-node cluster, proposing in batches of 64 while earlier batches are in
// flight (BenchmarkCommit).
func benchRaftCommit(n, proposals int) (microResult, error) {
	c, err := newRaftBench(n)
	if err != nil {
		return microResult{}, err
	}
	l, li, err := c.elect()
	if err != nil {
		return microResult{}, err
	}
	data := make([]byte, 64)
	const batch = 64
	want := c.applied[li] + uint64(proposals)
	compacted := append([]uint64(nil), c.applied...) // each node's last compaction
	m := startMeter()
	for proposed := 0; proposed < proposals; {
		k := min(batch, proposals-proposed)
		for range k {
			if _, _, err := l.Propose(data); err != nil {
				return microResult{}, fmt.Errorf("raft bench: propose: %w", err)
			}
		}
		proposed += k
		if err := c.hop(); err != nil {
			return microResult{}, err
		}
		// Compact now and then, as a host would, so memory stays flat.
		if c.applied[li] > compacted[li]+1<<16 {
			for i, nd := range c.nodes {
				if c.applied[i] > compacted[i] {
					if err := nd.Compact(c.applied[i], nil); err != nil {
						return microResult{}, fmt.Errorf("raft bench: compact: %w", err)
					}
					compacted[i] = c.applied[i]
				}
				c.disk[i] = nil
			}
		}
	}
	for hops := 0; c.applied[li] < want; hops++ {
		if hops > 1000 {
			return microResult{}, fmt.Errorf("raft bench: %d of %d proposals applied", c.applied[li]-(want-uint64(proposals)), proposals)
		}
		if err := c.hop(); err != nil {
			return microResult{}, err
		}
	}
	return m.done(proposals), nil
}
