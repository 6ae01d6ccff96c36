package live

import (
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/sim"
)

// hostEnv runs a simulated client on a sim.Host: kvstore.Env in plain int64
// nanoseconds. Clients have no disk.
type hostEnv struct{ h *sim.Host }

func (e hostEnv) Addr() int                 { return e.h.Addr() }
func (e hostEnv) Now() int64                { return int64(e.h.Now()) }
func (e hostEnv) Send(to int, msg any)      { e.h.Send(to, msg) }
func (e hostEnv) After(d int64, tag uint64) { e.h.After(sim.Time(d), tag) }
func (e hostEnv) Disk() kvstore.Disk        { return nil }
