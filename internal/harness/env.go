package harness

import (
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
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

// nodeEnv is a node's hostEnv: before a send it tells the observer what a
// reply says (a vote granted or rejected), which the simulator's send record
// does not carry, so the timeline's arrow can say it. Nothing in the run
// depends on it.
type nodeEnv struct {
	hostEnv
	obs *observer
}

func (e nodeEnv) Send(to int, msg any) {
	if !e.obs.keepMsgs {
		e.h.Send(to, msg)
		return
	}
	e.obs.answer = replyAnswer(msg)
	e.h.Send(to, msg)
	e.obs.answer = ""
}

// replyAnswer is what a Raft reply says: "granted" or "rejected" for a
// vote or pre-vote reply, "accepted" or "rejected" for an append reply, ""
// for anything else.
func replyAnswer(msg any) string {
	var m *raft.Message
	switch v := msg.(type) {
	case *raft.Message:
		m = v
	case raft.Message:
		m = &v
	default:
		return ""
	}
	switch m.Type {
	case raft.MsgVoteResp, raft.MsgPreVoteResp:
		if m.Reject {
			return "rejected"
		}
		return "granted"
	case raft.MsgAppResp:
		if m.Reject {
			return "rejected"
		}
		return "accepted"
	}
	return ""
}
