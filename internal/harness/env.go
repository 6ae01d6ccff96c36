package harness

import (
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/sim"
)

// hostEnv adapts a simulator host to kvstore.Env (servers and clients run on it).
// The only work it does is converting sim.Time to the plain int64 nanoseconds
// of the kvstore interface, so the store does not depend on the simulator.
type hostEnv struct{ h *sim.Host }

func (e hostEnv) Addr() int                 { return e.h.Addr() }
func (e hostEnv) Now() int64                { return int64(e.h.Now()) }
func (e hostEnv) Send(to int, msg any)      { e.h.Send(to, msg) }
func (e hostEnv) After(d int64, tag uint64) { e.h.After(sim.Time(d), tag) }

// Env is a simulator host as a kvstore.Env: what simulated servers and
// clients run on, here and in live mode (whose clients are simulated too).
func Env(h *sim.Host) kvstore.Env { return hostEnv{h} }

// Disk returns the host's disk, or a nil interface for diskless hosts (a nil
// *sim.Disk inside a non-nil interface would defeat the caller's nil check).
func (e hostEnv) Disk() kvstore.Disk {
	if d := e.h.Disk(); d != nil {
		return d
	}
	return nil
}
