package harness

import (
	"fmt"
	"math/rand/v2"

	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// clientAddrBase is the network address of client thread 0; node addresses are
// their raft ids (1..101), so the two ranges never meet.
const clientAddrBase = 1000

// cluster is the set of replicas of one run on the simulator.
type cluster struct {
	w       *sim.World
	nodes   []int // raft ids 1..N, sorted
	hosts   []*sim.Host
	rngs    []*rand.Rand // per-node election streams, kept across restarts
	joining []bool       // the node's disk was wiped: it rejoins an existing cluster
	base    kvstore.ServerConfig
	obs     *observer
	// bootErrs counts servers that refused to start (fail-stop on a corrupt disk).
	bootErrs int
}

// newCluster adds one host per node to w and boots the servers, each driving
// a node of the Raft implementation o names.
func newCluster(w *sim.World, o *options.Options, obs *observer) (*cluster, error) {
	c := &cluster{w: w, obs: obs}
	voters := make([]uint64, o.Nodes)
	for i := range voters {
		voters[i] = uint64(i + 1)
		c.nodes = append(c.nodes, i+1)
	}
	c.base = kvstore.ServerConfig{
		Voters: voters,
		Raft: raft.Config{
			ElectionTicks:   o.ElectionTicks,
			HeartbeatTicks:  o.HeartbeatTicks,
			PreVote:         o.PreVote,
			CheckQuorum:     o.CheckQuorum,
			MaxInflightMsgs: 256,
			MaxSizePerMsg:   1 << 20,
			Bugs:            o.RaftBugs,
		},
		Consensus:     o.Raft.Factory,
		TickInterval:  int64(o.TickInterval),
		ReadMode:      o.ReadMode,
		SnapshotEvery: uint64(o.SnapshotEvery),
		MaxSessions:   o.MaxSessions,
		MaxPending:    4096,
		Bugs:          o.HostBugs,
		Observer:      obs,
	}
	c.hosts = make([]*sim.Host, o.Nodes+1)
	c.rngs = make([]*rand.Rand, o.Nodes+1)
	c.joining = make([]bool, o.Nodes+1)
	for _, id := range c.nodes {
		rng, err := w.Stream(fmt.Sprintf("node/%d", id))
		if err != nil {
			return nil, err
		}
		c.rngs[id] = rng
		h, err := w.AddHost(id, sim.HostConfig{Disk: true}, c.starter(id))
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", id, err)
		}
		c.hosts[id] = h
	}
	return c, nil
}

// starter returns the function the host calls to build node id's server from its
// disk, at boot and after every restart.
func (c *cluster) starter(id int) func(h *sim.Host) (sim.Process, error) {
	return func(h *sim.Host) (sim.Process, error) {
		scfg := c.base
		scfg.ID = uint64(id)
		scfg.Join = c.joining[id]
		scfg.Raft.Rand = c.rngs[id]
		scfg.TickPhase = 1 + c.rngs[id].Int64N(scfg.TickInterval)
		s, err := kvstore.NewServer(scfg, nodeEnv{hostEnv{h}, c.obs})
		if err != nil {
			c.bootErrs++
			c.obs.down(id, err)
			return nil, err
		}
		c.obs.serving(id, s)
		s.Start()
		return s, nil
	}
}

// server returns node id's running server, or nil if it is down.
func (c *cluster) server(id int) *kvstore.Server {
	if id < 1 || id >= len(c.hosts) {
		return nil
	}
	h := c.hosts[id]
	if !h.Alive() {
		return nil
	}
	s, _ := h.Process().(*kvstore.Server)
	return s
}

// leader returns the live, unpaused node that leads in the highest term, or 0.
func (c *cluster) leader() int {
	best, bestTerm := 0, uint64(0)
	for _, id := range c.nodes {
		s := c.server(id)
		if s == nil || c.hosts[id].Paused() {
			continue
		}
		st := s.Status()
		if st.Role == raft.Leader && st.Term >= bestTerm {
			best, bestTerm = id, st.Term
		}
	}
	return best
}
