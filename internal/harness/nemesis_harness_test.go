package harness

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// The nemesis integration tests run the real simulated cluster (Raft, the KV
// store, clients, the simulator's network, disks and clocks) with a nemesis
// whose every action the test watches as it happens: probeFaults wraps the
// real adapter (simFaults) and calls the test back at each fault start and
// stop, and the trace sink lets the test count what the simulator did.

// windowGap is the gap between scheduler actions in the single-fault tests:
// with one fault, exact intervals and MaxTime = 2.25·windowGap, the fault
// starts once at setup+windowGap and stops at setup+2·windowGap.
const windowGap = 4 * time.Second

// nemHarness is one prepared run with a watched nemesis.
type nemHarness struct {
	t *testing.T
	x *Execution
	p *probeFaults

	onStart func(ev nemesis.Event) // right after a fault started
	onStop  func(ev nemesis.Event) // right after a fault's stop finished
	onTrace func(r sim.Record)     // every trace record

	starts, stops int
}

// probeFaults is the real adapter plus call-backs and a log of the values the
// nemesis asked for, which the simulator does not keep (the bump it chose).
type probeFaults struct {
	*simFaults
	h       *nemHarness
	offsets map[int]int64   // last offset set per node since the last reset
	drifts  map[int]float64 // last drift set per node since the last reset
}

func (p *probeFaults) Record(ev nemesis.Event) {
	p.simFaults.Record(ev)
	if ev.Start {
		p.h.starts++
		if p.h.onStart != nil {
			p.h.onStart(ev)
		}
		return
	}
	p.h.stops++
	if p.h.onStop != nil {
		p.h.onStop(ev)
	}
}

func (p *probeFaults) SetClockOffset(node int, offset int64) {
	p.simFaults.SetClockOffset(node, offset)
	p.offsets[node] = offset
}

func (p *probeFaults) SetClockDrift(node int, ppm float64) {
	p.simFaults.SetClockDrift(node, ppm)
	p.drifts[node] = ppm
}

func (p *probeFaults) ResetClocks() {
	p.simFaults.ResetClocks()
	clear(p.offsets)
	clear(p.drifts)
}

// singleFault is the nemesis configuration of the single-fault tests: one
// fault, exact intervals of windowGap.
func singleFault(name string) nemesis.Config {
	return nemesis.Config{Faults: []string{name}, Interval: int64(windowGap), Jitter: nemesis.Off, MaxActive: 1}
}

// oneWindow returns the run configuration of the single-fault tests: the
// standard cluster and workload, time for exactly one fault window.
func oneWindow(seed uint64) options.Options {
	cfg := quick(seed)
	cfg.MaxTime = windowGap*2 + windowGap/4
	return cfg
}

// newNemHarness prepares cfg's run and replaces its nemesis by one built from
// nc that acts through a probe.
func newNemHarness(t *testing.T, cfg options.Options, nc nemesis.Config) *nemHarness {
	t.Helper()
	cfg.Nemesis = nc
	x, err := Prepare(cfg)
	require.NoError(t, err)
	h := &nemHarness{t: t, x: x}
	h.p = &probeFaults{simFaults: x.faults, h: h, offsets: map[int]int64{}, drifts: map[int]float64{}}
	rng, err := x.w.Stream("nemesis/probe")
	require.NoError(t, err)
	x.nem, err = nemesis.New(nc, h.p, rng)
	require.NoError(t, err)
	x.w.Trace().SetSink(func(r sim.Record) {
		x.obs.record(r)
		if h.onTrace != nil {
			h.onTrace(r)
		}
	})
	return h
}

// run simulates and checks the run.
func (h *nemHarness) run() *Outcome {
	h.t.Helper()
	require.NoError(h.t, h.x.Simulate(context.Background()))
	out, err := h.x.Check(context.Background())
	require.NoError(h.t, err)
	return out
}

// after calls fn d after now (simulated time).
func (h *nemHarness) after(d time.Duration, fn func()) { h.x.w.After(sim.Time(d), fn) }

// every calls fn every step until the run ends or fn returns false.
func (h *nemHarness) every(step time.Duration, fn func() bool) {
	var tick func()
	tick = func() {
		if fn() {
			h.after(step, tick)
		}
	}
	h.after(step, tick)
}

func (h *nemHarness) now() time.Duration { return time.Duration(h.x.w.Now()) }

// host returns node's simulator host.
func (h *nemHarness) host(node int) *sim.Host { return h.x.w.Host(node) }

// status returns node's raft status; ok is false if it is down.
func (h *nemHarness) status(node int) (raft.Status, bool) {
	s := h.x.c.server(node)
	if s == nil {
		return raft.Status{}, false
	}
	return s.Status(), true
}

// leaderOtherThan returns a live node other than not that leads in a term
// above term, or 0.
func (h *nemHarness) leaderOtherThan(not int, term uint64) int {
	for _, id := range h.x.c.nodes {
		if st, ok := h.status(id); ok && id != not && st.Role == raft.Leader && st.Term > term {
			return id
		}
	}
	return 0
}

// blockedLinks returns every blocked directed link between the run's hosts
// (nodes and clients).
func (h *nemHarness) blockedLinks() [][2]int {
	var out [][2]int
	for _, a := range h.x.w.Hosts() {
		for _, b := range h.x.w.Hosts() {
			if a != b && h.x.w.Net().Blocked(a.Addr(), b.Addr()) {
				out = append(out, [2]int{a.Addr(), b.Addr()})
			}
		}
	}
	return out
}

// requireHealthyEnd asserts the state every run must end in after the final
// heal: the verdict is valid, no fault is active, the nemesis saw nothing
// wrong, no link is blocked, every node is up, unpaused, a member and on an
// unskewed clock, and a leader exists.
func (h *nemHarness) requireHealthyEnd(out *Outcome, what string) {
	t := h.t
	t.Helper()
	res := &out.Checked
	require.Equal(t, checker.Valid, res.Verdict, "%s: seed %d: %v", what, h.x.opts.Seed, res.Reasons)
	require.Equal(t, "ok", res.Liveness, what)
	require.Empty(t, h.x.nem.Active(), "%s: faults still active after the final heal", what)
	require.Empty(t, h.x.nem.Anomalies(), what)
	require.Empty(t, h.x.faults.errs, what)
	require.Empty(t, h.blockedLinks(), "%s: links still blocked after the heal", what)
	for _, id := range h.x.c.nodes {
		hs := h.host(id)
		require.True(t, hs.Alive(), "%s: node %d is down after the heal (%v)", what, id, hs.DownReason())
		require.False(t, hs.Paused(), "%s: node %d is still paused", what, id)
		require.Zero(t, hs.Now()-h.x.w.Now(), "%s: node %d's clock is still off", what, id)
		require.Zero(t, hs.Clock().Drift(), "%s: node %d's clock still drifts", what, id)
		require.Equal(t, h.x.opts.Disk.SyncLatency, hs.Disk().SyncLatency(), "%s: node %d's fsync latency", what, id)
	}
	require.Equal(t, h.x.c.nodes, h.x.faults.Members(), "%s: the membership is not back to full size", what)
	require.NotZero(t, h.x.c.leader(), "%s: no leader after the heal", what)
}

// sameSet reports whether a and b hold the same ints, in any order.
func sameSet(a, b []int) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
