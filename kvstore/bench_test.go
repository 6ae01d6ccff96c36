package kvstore

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// BenchmarkServerOps measures client operations per wall second through n
// servers on the simulator, no faults: ten closed-loop clients each run
// their share of b.N ops (puts and gets; benchOps), so the whole
// server path — Receive, Ready handling, the disk's write and sync, apply,
// reply — is what is timed, trace off and no observer.
func BenchmarkServerOps(b *testing.B) {
	for _, n := range []int{3, 5} {
		b.Run("nodes="+strconv.Itoa(n), func(b *testing.B) {
			w, err := sim.NewWorld(sim.Config{
				Seed:      1,
				MaxEvents: 1 << 62,
				Net:       sim.NetConfig{Latency: sim.Dist{Kind: sim.Normal, Mean: sim.Millisecond, Stddev: 300 * sim.Microsecond}},
				Disk:      sim.DiskConfig{SyncLatency: sim.Millisecond},
			})
			if err != nil {
				b.Fatal(err)
			}
			voters := make([]uint64, n)
			for i := range voters {
				voters[i] = uint64(i + 1)
			}
			for i := 1; i <= n; i++ {
				rng, err := w.Stream(fmt.Sprintf("node/%d", i))
				if err != nil {
					b.Fatal(err)
				}
				cfg := ServerConfig{
					ID: uint64(i), Voters: voters,
					Raft: raft.Config{ElectionTicks: 10, HeartbeatTicks: 1, PreVote: true, CheckQuorum: true,
						MaxInflightMsgs: 256, MaxSizePerMsg: 1 << 20, Rand: rng},
					TickInterval:  int64(10 * sim.Millisecond),
					SnapshotEvery: 1000,
					MaxSessions:   64,
					MaxPending:    4096,
				}
				if _, err := w.AddHost(i, sim.HostConfig{Disk: true}, func(h *sim.Host) (sim.Process, error) {
					s, err := NewServer(cfg, simEnv{h})
					if err != nil {
						return nil, err
					}
					s.Start()
					return s, nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			// Let the cluster elect a leader before timing.
			if err := w.Run(2 * sim.Second); err != nil {
				b.Fatal(err)
			}
			const clients = 10
			var cls []*testClient
			for id := uint64(1); id <= clients; id++ {
				ops := benchOps(id, (b.N+clients-1)/clients)
				if _, err := w.AddHost(clientBase+int(id), sim.HostConfig{}, func(h *sim.Host) (sim.Process, error) {
					cl := newTestClient(b, simEnv{h}, n, id, ops)
					cls = append(cls, cl)
					return cl, nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			events0 := w.Events()
			b.ReportAllocs()
			b.ResetTimer()
			for _, cl := range cls {
				cl.start()
			}
			for done := false; !done; {
				if err := w.Run(w.Now() + 100*sim.Millisecond); err != nil {
					b.Fatal(err)
				}
				done = true
				for _, cl := range cls {
					done = done && cl.done
				}
			}
			b.StopTimer()
			ops := 0
			for _, cl := range cls {
				ops += len(cl.results)
			}
			b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "ops/s")
			b.ReportMetric(float64(w.Events()-events0)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// benchOps alternates puts and gets over 16 keys: values keep their size, so
// the cost per op does not grow with b.N (appends would grow every value and
// every snapshot).
func benchOps(id uint64, n int) []Request {
	ops := make([]Request, n)
	for i := range ops {
		k := "k" + strconv.Itoa((int(id)+i)%16)
		if i%2 == 0 {
			ops[i] = Request{Op: OpPut, Key: k, Value: strconv.Itoa(i)}
		} else {
			ops[i] = Request{Op: OpGet, Key: k}
		}
	}
	return ops
}
