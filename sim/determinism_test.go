package sim

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A synthetic workload that exercises every engine feature at once: servers
// that persist and sync before replying and gossip on timers, clients that
// send requests on timers, and a nemesis that crashes, restarts, pauses,
// partitions, skews clocks, corrupts disks and changes network knobs.

type wlMsg struct {
	kind uint8 // 1 request, 2 reply, 3 gossip
	n    uint64
}

func (m *wlMsg) TraceKind() uint8 { return m.kind }

type wlServer struct {
	h       *Host
	rng     *rand.Rand
	peers   []int
	records uint64
	waiting []int // requesters waiting for the next sync
}

const (
	tagGossip = 1
	tagSync   = 2
)

func (s *wlServer) Receive(from int, msg any) {
	m := msg.(*wlMsg)
	if m.kind == 1 {
		var rec [8]byte
		binary.LittleEndian.PutUint64(rec[:], m.n)
		s.h.Disk().Append("log", rec[:])
		s.waiting = append(s.waiting, from)
		if len(s.waiting) == 1 {
			s.h.Disk().Sync(tagSync)
		}
		return
	}
	s.records += m.n % 3 // gossip changes volatile state only
}

func (s *wlServer) Fire(tag uint64) {
	switch tag {
	case tagGossip:
		s.h.Send(s.peers[s.rng.IntN(len(s.peers))], &wlMsg{kind: 3, n: s.records})
		s.h.After(Time(1+s.rng.IntN(5))*Millisecond, tagGossip)
	case tagSync:
		for _, c := range s.waiting {
			s.h.Send(c, &wlMsg{kind: 2, n: s.records})
		}
		s.waiting = s.waiting[:0]
		if s.h.Disk().Unsynced() > 0 {
			s.h.Disk().Sync(tagSync)
		}
	}
}

type wlClient struct {
	h       *Host
	rng     *rand.Rand
	servers []int
	replies uint64
}

func (c *wlClient) Receive(_ int, msg any) { c.replies += msg.(*wlMsg).n }

func (c *wlClient) Fire(uint64) {
	c.h.Send(c.servers[c.rng.IntN(len(c.servers))], &wlMsg{kind: 1, n: c.rng.Uint64()})
	c.h.After(Time(c.rng.IntN(2000))*Microsecond, 0)
}

// runWorkload runs the synthetic workload for one seed and returns a digest
// of everything observable: trace hash, event count, network stats.
func runWorkload(t testing.TB, seed uint64, trace *bytes.Buffer, sink func(Record)) (uint64, uint64, NetStats) {
	cfg := Config{Seed: seed, Net: NetConfig{Loss: 0.01, Duplicate: 0.01, Reorder: 0.05}}
	if trace != nil {
		cfg.Trace = trace
	}
	w, err := NewWorld(cfg)
	require.NoError(t, err)
	w.Trace().SetSink(sink)
	servers := []int{1, 2, 3, 4, 5}
	for _, id := range servers {
		rng, err := w.Stream(fmt.Sprintf("node/%d", id))
		require.NoError(t, err)
		var peers []int
		for _, p := range servers {
			if p != id {
				peers = append(peers, p)
			}
		}
		mode := CrashMode(1 + id%3)
		_, err = w.AddHost(id, HostConfig{Disk: true, CrashMode: mode}, func(h *Host) (Process, error) {
			log, _ := h.Disk().ReadFile("log")
			if len(log)%8 != 0 {
				if mode != TearLast {
					t.Errorf("seed %d: host %d: torn log under %v", seed, h.Addr(), mode)
				}
				return nil, fmt.Errorf("torn record") // fail-stop until the nemesis restarts it
			}
			s := &wlServer{h: h, rng: rng, peers: peers, records: uint64(len(log) / 8)}
			h.After(Time(rng.IntN(3))*Millisecond, tagGossip)
			return s, nil
		})
		require.NoError(t, err)
	}
	for i := range 3 {
		id := 1000 + i
		rng, err := w.Stream(fmt.Sprintf("client/%d", id))
		require.NoError(t, err)
		_, err = w.AddHost(id, HostConfig{ClockDriftPPM: float64(i) * 100}, func(h *Host) (Process, error) {
			h.After(0, 0)
			return &wlClient{h: h, rng: rng, servers: servers}, nil
		})
		require.NoError(t, err)
	}
	nem, err := w.Stream("nemesis")
	require.NoError(t, err)
	var fault func()
	fault = func() {
		h := w.Host(servers[nem.IntN(len(servers))])
		switch nem.IntN(10) {
		case 0:
			h.Restart(Time(nem.IntN(20)) * Millisecond)
		case 1:
			h.Pause()
			w.After(Time(nem.IntN(20))*Millisecond, h.Resume)
		case 2:
			_ = w.Net().Partition([]int{h.Addr()}, nil)
			var rest []int
			for _, s := range servers {
				if s != h.Addr() {
					rest = append(rest, s)
				}
			}
			_ = w.Net().Partition([]int{h.Addr()}, rest)
			w.After(Time(nem.IntN(30))*Millisecond, w.Net().Heal)
		case 3:
			_ = w.Net().Block(h.Addr(), servers[nem.IntN(len(servers))])
		case 4:
			_ = w.Net().SetLoss(nem.Float64() * 0.2)
		case 5:
			_ = w.Net().SetDuplicate(nem.Float64() * 0.1)
		case 6:
			_ = h.Clock().SetDrift(float64(nem.IntN(2000) - 1000))
			h.Clock().Bump(Time(nem.IntN(10)) * Millisecond)
		case 7:
			if nem.IntN(4) == 0 {
				h.Crash()
				h.Disk().Wipe()
				h.Restart(Time(nem.IntN(20)) * Millisecond)
			} else {
				h.Disk().Corrupt(nem)
			}
		case 8:
			_ = w.Net().SetLinkExtraDelay(h.Addr(), servers[nem.IntN(len(servers))], Time(nem.IntN(5))*Millisecond)
		case 9:
			w.Net().Reset()
			w.Net().Heal()
			for _, s := range servers {
				if w.Host(s).Alive() {
					w.Host(s).Resume()
				} else {
					w.Host(s).Restart(0)
				}
			}
		}
		w.After(Time(1+nem.IntN(20))*Millisecond, fault)
	}
	w.After(5*Millisecond, fault)
	require.NoError(t, w.Run(Second))
	s := w.Net().Stats()
	requireConserved(t, s)
	return w.Trace().Hash(), w.Events(), s
}

func TestDeterminismHundredSeedsTwice(t *testing.T) {
	hashes := map[uint64]uint64{}
	var events uint64
	// The first run of each seed also counts what happened (a sink must not
	// change the run), to prove the workload exercises every feature.
	var seen [256]int
	var failedStarts int
	count := func(r Record) {
		seen[r.Kind]++
		if r.Kind == KindRestart && r.Y == 1 {
			failedStarts++
		}
	}
	for seed := range uint64(100) {
		h1, e1, s1 := runWorkload(t, seed, nil, count)
		h2, e2, s2 := runWorkload(t, seed, nil, nil)
		require.Equal(t, h1, h2, "seed %d: trace hash differs between two runs", seed)
		require.Equal(t, e1, e2, "seed %d", seed)
		require.Equal(t, s1, s2, "seed %d", seed)
		hashes[h1] = seed
		events += e1
		if seed == 0 {
			assert.Positive(t, s1.DroppedPartition+s1.DroppedDead, "the nemesis must bite")
			assert.Positive(t, s1.DroppedLoss)
			assert.Positive(t, s1.Duplicated)
		}
	}
	for k := KindSend; k <= KindNet; k++ {
		assert.Positive(t, seen[k], "no %v record in 100 runs", k)
	}
	assert.Positive(t, failedStarts, "some torn disk must refuse a start")
	assert.Len(t, hashes, 100, "different seeds must give different runs")
	assert.Greater(t, events/100, uint64(3000), "the workload must be busy")
	t.Logf("%d events per run on average", events/100)
}

func TestDeterminismOfTheJSONLTrace(t *testing.T) {
	var a, b bytes.Buffer
	runWorkload(t, 12345, &a, nil)
	runWorkload(t, 12345, &b, nil)
	require.Positive(t, a.Len())
	assert.True(t, bytes.Equal(a.Bytes(), b.Bytes()), "JSON Lines traces must be byte-identical")
}
