package etcdraft_test

import (
	"testing"

	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/etcdraft"
	"github.com/raftcheck/raftcheck/sim"
)

// BenchmarkCluster runs the same KV cluster on the built-in Raft and on
// etcd's: 3 or 5 nodes, 10 closed-loop clients (kv workload, readindex
// reads), no faults, 2 s of simulated time per iteration with the observer
// and invariant checker on, as in a harness run. It reports applied
// client operations and simulator events per wall second.
func BenchmarkCluster(b *testing.B) {
	for _, impl := range []struct {
		name    string
		factory raft.Factory
	}{{"builtin", raft.New}, {"etcd", etcdraft.New}} {
		for _, n := range []int{3, 5} {
			b.Run(impl.name+"/nodes="+string(rune('0'+n)), func(b *testing.B) {
				b.ReportAllocs()
				var ops, events uint64
				for i := range b.N {
					c := newCluster(b, opts{seed: uint64(i + 1), nodes: n, factory: impl.factory, threads: 10,
						workload: clients.KV, snapEvery: 1000})
					c.waitLeader()
					c.startClients()
					e0 := c.w.Events()
					c.run(2 * sim.Second)
					events += c.w.Events() - e0
					for _, cl := range c.clients {
						ops += uint64(cl.Stats().OK)
					}
				}
				b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "ops/s")
				b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
				b.ReportMetric(float64(ops)/float64(b.N), "ops/run")
			})
		}
	}
}
