package sim

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// recv is a message a recProc received.
type recv struct {
	at   Time
	from int
	msg  any
}

// fired is a timer or sync completion a recProc saw.
type fired struct {
	at  Time
	tag uint64
}

// recProc records everything that happens to it; onRecv/onFire, when set, act.
type recProc struct {
	h      *Host
	got    []recv
	fires  []fired
	onRecv func(p *recProc, from int, msg any)
	onFire func(p *recProc, tag uint64)
}

func (p *recProc) Receive(from int, msg any) {
	p.got = append(p.got, recv{at: p.h.w.now, from: from, msg: msg})
	if p.onRecv != nil {
		p.onRecv(p, from, msg)
	}
}

func (p *recProc) Fire(tag uint64) {
	p.fires = append(p.fires, fired{at: p.h.w.now, tag: tag})
	if p.onFire != nil {
		p.onFire(p, tag)
	}
}

func (p *recProc) msgs() []any {
	out := make([]any, len(p.got))
	for i, r := range p.got {
		out[i] = r.msg
	}
	return out
}

func (p *recProc) tags() []uint64 {
	out := make([]uint64, len(p.fires))
	for i, f := range p.fires {
		out[i] = f.tag
	}
	return out
}

// constLatency is a network with a fixed 1ms latency and no faults.
func constLatency(seed uint64) Config {
	return Config{Seed: seed, Net: NetConfig{Latency: Dist{Kind: Constant, Mean: Millisecond}}}
}

func newTestWorld(t testing.TB, cfg Config) *World {
	t.Helper()
	w, err := NewWorld(cfg)
	require.NoError(t, err)
	return w
}

// addRec adds a host whose every incarnation is a fresh recProc; procs
// collects them in start order.
func addRec(t testing.TB, w *World, addr int, cfg HostConfig, procs *[]*recProc) *Host {
	t.Helper()
	h, err := w.AddHost(addr, cfg, func(h *Host) (Process, error) {
		p := &recProc{h: h}
		if procs != nil {
			*procs = append(*procs, p)
		}
		return p, nil
	})
	require.NoError(t, err)
	return h
}

// proc returns the recProc currently running on h.
func proc(h *Host) *recProc { return h.Process().(*recProc) }

// requireConserved checks the network's accounting identity.
func requireConserved(t testing.TB, s NetStats) {
	t.Helper()
	require.Equal(t, s.Sent+s.Duplicated, s.Delivered+s.Dropped()+s.InFlight+s.Held, "stats %+v", s)
}

// handlerFunc adapts a function to Handler.
type handlerFunc func(tag uint64)

func (f handlerFunc) Fire(tag uint64) { f(tag) }
