package etcdraft_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/etcdraft"
	"github.com/raftcheck/raftcheck/sim"
)

// A small harness: kvstore servers (one per address 1..n, on simulated hosts
// with disks) running a raft.Factory, Jepsen clients recording a history, an
// observer feeding the online invariant checker and the trace hash.

const (
	tick       = 10 * sim.Millisecond
	clientBase = 1000 // client hosts' addresses start here
)

// simEnv adapts a sim host to kvstore.Env.
type simEnv struct{ h *sim.Host }

func (e simEnv) Addr() int                 { return e.h.Addr() }
func (e simEnv) Now() int64                { return int64(e.h.Now()) }
func (e simEnv) Send(to int, msg any)      { e.h.Send(to, msg) }
func (e simEnv) After(d int64, tag uint64) { e.h.After(sim.Time(d), tag) }
func (e simEnv) Disk() kvstore.Disk {
	if d := e.h.Disk(); d != nil {
		return d
	}
	return nil
}

// opts configures a cluster; zero values are the defaults noted.
type opts struct {
	seed      uint64
	nodes     int          // 0: 3
	factory   raft.Factory // nil: etcdraft.New
	readMode  kvstore.ReadMode
	snapEvery uint64 // 0: no snapshots
	crash     sim.CrashMode
	net       sim.NetConfig // zero latency: 1 ms ± 0.3
	workload  string        // "": clients.KV
	threads   int           // 0: 5
	noPreVote bool
	noQuorum  bool // CheckQuorum off
	// attempt is the clients' AttemptTimeout (0: clients.DefaultConfig's).
	attempt sim.Time
	// hostBugs plants kvstore's (host) bugs.
	hostBugs kvstore.Bugs
	// readers of the threads only read (they stay with the server that
	// answers them); the others use the workload's default mix.
	readers int
}

type cluster struct {
	t       testing.TB
	o       opts
	w       *sim.World
	obs     *observer
	rec     *clients.Recorder
	clients []*clients.Client
	voters  []uint64
	ids     []int // every server address added
	rngs    map[int]*rand.Rand
}

func newCluster(t testing.TB, o opts) *cluster {
	t.Helper()
	if o.nodes == 0 {
		o.nodes = 3
	}
	if o.factory == nil {
		o.factory = etcdraft.New
	}
	if o.workload == "" {
		o.workload = clients.KV
	}
	if o.threads == 0 {
		o.threads = 5
	}
	if o.net.Latency.Kind == 0 && o.net.Latency.Mean == 0 {
		o.net.Latency = sim.Dist{Kind: sim.Normal, Mean: sim.Millisecond, Stddev: 300 * sim.Microsecond}
	}
	w, err := sim.NewWorld(sim.Config{
		Seed: o.seed,
		Net:  o.net,
		Disk: sim.DiskConfig{SyncLatency: sim.Millisecond, CrashMode: o.crash},
	})
	require.NoError(t, err)
	c := &cluster{t: t, o: o, w: w, rngs: map[int]*rand.Rand{}}
	c.obs = newObserver(w)
	c.rec = clients.NewRecorder(func() int64 { return int64(w.Now()) })
	for i := 1; i <= o.nodes; i++ {
		c.voters = append(c.voters, uint64(i))
	}
	for i := 1; i <= o.nodes; i++ {
		c.addServer(i, false)
	}
	return c
}

// serverConfig is node id's configuration for one incarnation.
func (c *cluster) serverConfig(id int, join bool) kvstore.ServerConfig {
	rng := c.rngs[id]
	if rng == nil {
		var err error
		rng, err = c.w.Stream(fmt.Sprintf("node/%d", id))
		require.NoError(c.t, err)
		c.rngs[id] = rng
	}
	cfg := kvstore.ServerConfig{
		ID: uint64(id),
		Raft: raft.Config{ElectionTicks: 10, HeartbeatTicks: 1, PreVote: !c.o.noPreVote, CheckQuorum: !c.o.noQuorum,
			MaxInflightMsgs: 64, MaxSizePerMsg: 64 << 10, Rand: rng},
		Consensus:     c.o.factory,
		TickInterval:  int64(tick),
		TickPhase:     1 + rng.Int64N(int64(tick)),
		ReadMode:      c.o.readMode,
		SnapshotEvery: c.o.snapEvery,
		Bugs:          c.o.hostBugs,
		Observer:      c.obs,
	}
	if join {
		cfg.Join = true
	} else {
		cfg.Voters = c.voters
	}
	return cfg
}

// addServer starts server id: a member of the initial cluster, or with join
// a new node with an empty disk that a leader must still add.
func (c *cluster) addServer(id int, join bool) {
	_, err := c.w.AddHost(id, sim.HostConfig{Disk: true}, func(h *sim.Host) (sim.Process, error) {
		s, err := kvstore.NewServer(c.serverConfig(id, join), simEnv{h})
		if err != nil {
			return nil, err
		}
		s.Start()
		return s, nil
	})
	require.NoError(c.t, err)
	c.ids = append(c.ids, id)
}

// server returns node id's running server, nil if it is down.
func (c *cluster) server(id int) *kvstore.Server {
	h := c.w.Host(id)
	if h == nil || !h.Alive() {
		return nil
	}
	s, _ := h.Process().(*kvstore.Server)
	return s
}

// leader returns the running node that leads in the highest term, 0 if none.
func (c *cluster) leader() int {
	best, bestTerm := 0, uint64(0)
	for _, id := range c.ids {
		if s := c.server(id); s != nil {
			if role, term, _ := s.Role(); role == raft.Leader && term >= bestTerm {
				best, bestTerm = id, term
			}
		}
	}
	return best
}

// run advances simulated time by d.
func (c *cluster) run(d sim.Time) {
	c.t.Helper()
	require.NoError(c.t, c.w.Run(c.w.Now()+d))
}

// runUntil advances time until cond holds, failing after limit.
func (c *cluster) runUntil(limit sim.Time, what string, cond func() bool) {
	c.t.Helper()
	end := c.w.Now() + limit
	for !cond() {
		require.Less(c.t, c.w.Now(), end, "seed %d: still waiting for %s after %v", c.o.seed, what, limit)
		c.run(10 * sim.Millisecond)
	}
}

func (c *cluster) waitLeader() int {
	c.t.Helper()
	c.runUntil(10*sim.Second, "a leader", func() bool { return c.leader() != 0 })
	return c.leader()
}

// startClients starts the Jepsen clients on every server added so far.
func (c *cluster) startClients() {
	cfg := clients.DefaultConfig()
	cfg.Workload, cfg.Threads, cfg.Keys = c.o.workload, c.o.threads, 4
	if c.o.attempt > 0 {
		cfg.AttemptTimeout = int64(c.o.attempt)
	}
	for _, id := range c.ids {
		cfg.Servers = append(cfg.Servers, id)
	}
	for th := range c.o.threads {
		rng, err := c.w.Stream(fmt.Sprintf("client/%d", th))
		require.NoError(c.t, err)
		tcfg := cfg
		if th >= c.o.threads-c.o.readers {
			read := "read"
			if c.o.workload == clients.KV {
				read = "get"
			}
			tcfg.Mix = []clients.Weight{{F: read, Weight: 1}}
		}
		_, err = c.w.AddHost(clientBase+th, sim.HostConfig{Stream: true}, func(h *sim.Host) (sim.Process, error) {
			cl, err := clients.NewClient(tcfg, th, simEnv{h}, rng, c.rec)
			if err != nil {
				return nil, err
			}
			c.clients = append(c.clients, cl)
			return cl, nil
		})
		require.NoError(c.t, err)
	}
	for _, cl := range c.clients {
		cl.Start()
	}
}

// stopClients stops invoking and lets every operation in flight complete.
func (c *cluster) stopClients() {
	c.t.Helper()
	for _, cl := range c.clients {
		cl.Stop()
	}
	c.runUntil(5*sim.Second, "client operations to complete", func() bool {
		return !slices.ContainsFunc(c.clients, (*clients.Client).Busy)
	})
}

// converged reports whether every running server applied the same index to
// the same state.
func (c *cluster) converged() bool {
	var applied, digest uint64
	first := true
	for _, id := range c.ids {
		s := c.server(id)
		if s == nil {
			continue
		}
		if first {
			applied, digest, first = s.Applied(), s.Digest(), false
		} else if s.Applied() != applied || s.Digest() != digest {
			return false
		}
	}
	return true
}

// checkSafe asserts what every run must show: no anomaly, no broken
// invariant, clients without errors, a linearizable history.
func (c *cluster) checkSafe() checker.LinResult {
	c.t.Helper()
	require.Empty(c.t, c.obs.anomalies, "seed %d: anomalies", c.o.seed)
	for _, v := range c.obs.inv.Violations() {
		c.t.Errorf("seed %d: invariant violated: %v", c.o.seed, v)
	}
	require.NoError(c.t, c.rec.Err())
	for _, cl := range c.clients {
		require.NoError(c.t, cl.Err())
	}
	h := c.rec.History()
	if c.o.workload == clients.Append {
		require.Empty(c.t, checker.CheckAppend(h), "seed %d", c.o.seed)
	}
	res, err := checker.CheckLinearizable(h, checker.LinOptions{})
	require.NoError(c.t, err)
	if res.Result != checker.LinOK {
		for _, i := range res.Counterexample { // to debug
			c.t.Logf("counterexample: %v\n\t→ %v", h[i], completion(h, i))
		}
	}
	require.Equal(c.t, checker.LinOK, res.Result, "seed %d: linearizability (%s)", c.o.seed, res.Reason)
	return *res
}

// okOps counts the operations that completed ok, by function.
func (c *cluster) okOps() map[string]int {
	n := map[string]int{}
	for _, op := range c.rec.History() {
		if op.Type == histories.OK {
			n[op.F]++
		}
	}
	return n
}

// chaosSeeds sets how many seeds TestChaos runs.
var chaosSeeds = flag.Int("chaos.seeds", 12, "seeds TestChaos runs")

// chaosFrom sets the first seed TestChaos runs (to rerun one: -chaos.from=N
// -chaos.seeds=1).
var chaosFrom = flag.Uint64("chaos.from", 1, "first seed TestChaos runs")

// chaosBuiltin runs TestChaos on the built-in Raft (raft.New) instead of
// etcd's: the same faults and checks hold any implementation to the same
// contract.
var chaosBuiltin = flag.Bool("chaos.builtin", false, "TestChaos drives the built-in Raft instead of etcd's")
