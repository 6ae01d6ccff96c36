package harness

import (
	"fmt"

	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/sim"
)

// addClients adds one host per client thread, each running a clients.Client.
func (x *Execution) addClients() error {
	ccfg := clients.DefaultConfig()
	ccfg.Workload = x.opts.Workload
	ccfg.Threads = x.opts.Clients
	ccfg.Servers = append([]int(nil), x.c.nodes...)
	ccfg.Keys = x.opts.Keys
	ccfg.KeyDist = x.opts.KeyDist
	ccfg.Mix = x.opts.Mix
	ccfg.Rate = x.opts.Rate
	ccfg.OpTimeout = int64(x.opts.OpTimeout)
	// A short --op-timeout shortens the per-attempt waits with it.
	ccfg.AttemptTimeout = min(ccfg.AttemptTimeout, ccfg.OpTimeout)
	ccfg.RetryDelay = min(ccfg.RetryDelay, ccfg.OpTimeout)
	for i := 0; i < x.opts.Clients; i++ {
		rng, err := x.w.Stream(fmt.Sprintf("client/%d", i))
		if err != nil {
			return err
		}
		thread := i
		var startErr error
		// A client talks to servers over TCP: no duplicate or reordered
		// request can take effect after its rejection was recorded fail.
		_, err = x.w.AddHost(clientAddrBase+i, sim.HostConfig{Stream: true}, func(h *sim.Host) (sim.Process, error) {
			cl, err := clients.NewClient(ccfg, thread, hostEnv{h}, rng, x.rec)
			if err != nil {
				startErr = err
				return nil, err
			}
			x.clients = append(x.clients, cl)
			return cl, nil
		})
		if startErr != nil {
			return startErr // it names the clients package already
		}
		if err != nil {
			return fmt.Errorf("client %d: %w", i, err)
		}
	}
	return nil
}
