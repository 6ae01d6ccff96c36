package kvstore

import (
	"fmt"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// simEnv adapts a sim host to Env: sim counts time in sim.Time, Env in int64
// nanoseconds; *sim.Disk is a Disk as it is.
type simEnv struct{ h *sim.Host }

func (e simEnv) Addr() int                 { return e.h.Addr() }
func (e simEnv) Now() int64                { return int64(e.h.Now()) }
func (e simEnv) Send(to int, msg any)      { e.h.Send(to, msg) }
func (e simEnv) After(d int64, tag uint64) { e.h.After(sim.Time(d), tag) }
func (e simEnv) Disk() Disk {
	if d := e.h.Disk(); d != nil {
		return d
	}
	return nil
}

type simRun struct {
	world   *sim.World
	servers []*Server // by address; the current incarnation
	clients []*testClient
	obs     *recObserver
}

// runOnSim runs n servers and 10 retrying clients on the simulator with
// crashes of every kind the disk's crash mode allows, partitions and
// duplicated messages, then heals and waits for the clients to finish.
func runOnSim(t *testing.T, seed uint64, n int, mode sim.CrashMode) *simRun {
	t.Helper()
	w, err := sim.NewWorld(sim.Config{
		Seed: seed,
		Net: sim.NetConfig{
			Latency:   sim.Dist{Kind: sim.Normal, Mean: sim.Millisecond, Stddev: 300 * sim.Microsecond},
			Duplicate: 0.02,
		},
		Disk: sim.DiskConfig{SyncLatency: sim.Millisecond, CrashMode: mode},
	})
	require.NoError(t, err)
	r := &simRun{world: w, servers: make([]*Server, n+1), obs: newRecObserver(t)}
	voters := make([]uint64, n)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	for i := 1; i <= n; i++ {
		rng, err := w.Stream(fmt.Sprintf("node/%d", i))
		require.NoError(t, err)
		cfg := ServerConfig{
			ID:     uint64(i),
			Voters: voters,
			Raft: raft.Config{ElectionTicks: 10, HeartbeatTicks: 1, PreVote: true, CheckQuorum: true,
				MaxInflightMsgs: 64, MaxSizePerMsg: 64 << 10, Rand: rng},
			TickInterval:  int64(10 * sim.Millisecond),
			SnapshotEvery: 25,
			Observer:      r.obs,
		}
		_, err = w.AddHost(i, sim.HostConfig{Disk: true}, func(h *sim.Host) (sim.Process, error) {
			s, err := NewServer(cfg, simEnv{h})
			if err != nil {
				return nil, err
			}
			s.Start()
			r.servers[h.Addr()] = s
			return s, nil
		})
		require.NoError(t, err)
	}
	for id := uint64(1); id <= 10; id++ {
		ops := kvOps(id, 1500, 4)
		_, err := w.AddHost(clientBase+int(id), sim.HostConfig{}, func(h *sim.Host) (sim.Process, error) {
			cl := newTestClient(t, simEnv{h}, n, id, ops)
			cl.retryAll = true
			r.clients = append(r.clients, cl)
			return cl, nil
		})
		require.NoError(t, err)
	}
	for _, cl := range r.clients {
		w.After(200*sim.Millisecond, cl.start)
	}
	// Faults: a follower-or-leader crash at a time, a partition, all crash.
	for k := 0; k < 6; k++ {
		at := sim.Time(300+250*k) * sim.Millisecond
		victim := 1 + k%n
		w.After(at, func() { w.Host(victim).Restart(150 * sim.Millisecond) })
	}
	minority, majority := []int{}, []int{}
	for i := 1; i <= n; i++ {
		if i <= (n-1)/2 {
			minority = append(minority, i)
		} else {
			majority = append(majority, i)
		}
	}
	w.After(1900*sim.Millisecond, func() { w.Net().Partition(minority, majority) })
	w.After(2300*sim.Millisecond, func() { w.Net().Heal() })
	w.After(2500*sim.Millisecond, func() {
		for i := 1; i <= n; i++ {
			w.Host(i).Restart(50 * sim.Millisecond)
		}
	})
	require.NoError(t, w.Run(3*sim.Second))
	for _, cl := range r.clients {
		require.False(t, cl.done, "client %d finished before the faults ended", cl.id)
	}
	for step := 0; step < 600; step++ {
		if r.finished() {
			break
		}
		require.NoError(t, w.Run(w.Now()+100*sim.Millisecond))
	}
	require.True(t, r.finished(), "clients or replicas did not finish within a minute after the faults")
	return r
}

func (r *simRun) finished() bool {
	for _, cl := range r.clients {
		if !cl.done {
			return false
		}
	}
	applied, digest := r.servers[1].Applied(), r.servers[1].Digest()
	for _, s := range r.servers[2:] {
		if s.Applied() != applied || s.Digest() != digest {
			return false
		}
	}
	return true
}

func TestOnSimulatorWithCrashesAndPartitions(t *testing.T) {
	for _, mode := range []sim.CrashMode{sim.LoseUnsynced, sim.KeepPrefix, sim.TearLast} {
		t.Run(mode.String(), func(t *testing.T) {
			r := runOnSim(t, 42, 5, mode)
			for i, s := range r.servers[1:] {
				require.NoError(t, r.world.Host(i+1).DownReason())
				assert.Zero(t, s.Stats().Anomalies)
			}
			for _, cl := range r.clients {
				for i, res := range cl.results {
					require.Equal(t, ErrNone, res.Err, "client %d op %d", cl.id, i)
				}
			}
			checkReadYourWrites(t, r.clients)
			for i := 1; i <= 5; i++ {
				checkAppendsOnceIn(t, i, r.servers[i].sm, r.clients)
				assert.NotEmpty(t, r.obs.recovered[uint64(i)], "node %d never restarted", i)
			}
			for term, leaders := range r.obs.leadersByTerm() {
				assert.Len(t, leaders, 1, "leaders of term %d", term)
			}
		})
	}
}

// TestOnSimulatorIsDeterministic: the server adds no nondeterminism of its
// own — one seed gives the same trace hash and the same final state.
func TestOnSimulatorIsDeterministic(t *testing.T) {
	a := runOnSim(t, 7, 3, sim.TearLast)
	b := runOnSim(t, 7, 3, sim.TearLast)
	assert.Equal(t, a.world.Trace().Hash(), b.world.Trace().Hash())
	assert.Equal(t, a.world.Events(), b.world.Events())
	assert.Equal(t, a.servers[1].Digest(), b.servers[1].Digest())
	c := runOnSim(t, 8, 3, sim.TearLast)
	assert.NotEqual(t, a.world.Trace().Hash(), c.world.Trace().Hash())
}
