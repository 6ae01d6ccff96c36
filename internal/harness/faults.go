package harness

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// simFaults implements nemesis.Faults on the simulated cluster.
type simFaults struct {
	w    *sim.World
	c    *cluster
	rec  *clients.Recorder
	rng  *rand.Rand // disk corruption choices
	base sim.NetConfig
	disk sim.DiskConfig

	// replacing[node] > 0: the node's disk was wiped; it restarts, and may
	// be re-added, at that time (see replace).
	replacing []sim.Time

	log  *FaultLog
	errs []string
}

var _ nemesis.Faults = (*simFaults)(nil)

// maxFaultErrors bounds the adapter errors kept for the result.
const maxFaultErrors = 16

// fail records an adapter error (a nemesis request the simulator refused): it
// means the nemesis and the cluster disagree, which is a bug to surface.
func (f *simFaults) fail(op string, err error) {
	if err != nil && len(f.errs) < maxFaultErrors {
		f.errs = append(f.errs, fmt.Sprintf("nemesis %s: %v", op, err))
	}
}

func (f *simFaults) Now() int64               { return int64(f.w.Now()) }
func (f *simFaults) After(d int64, fn func()) { f.w.After(sim.Time(d), fn) }
func (f *simFaults) Nodes() []int             { return append([]int(nil), f.c.nodes...) }
func (f *simFaults) Members() []int           { return slices.Clone(f.c.obs.conf.voters) }
func (f *simFaults) Leader() int              { return f.c.leader() }
func (f *simFaults) Block(from, to int) {
	f.fail("block", f.w.Net().Block(from, to))
	f.log.Blocked(from, to)
}
func (f *simFaults) Unblock(from, to int) { f.fail("unblock", f.w.Net().Unblock(from, to)) }
func (f *simFaults) HealNetwork()         { f.w.Net().Heal() }
func (f *simFaults) SetExtraDelay(mean int64) {
	f.fail("delay", f.w.Net().SetExtraDelay(sim.Time(mean)))
}
func (f *simFaults) Alive(node int) bool            { h := f.host(node); return h != nil && h.Alive() }
func (f *simFaults) Paused(node int) bool           { h := f.host(node); return h != nil && h.Paused() }
func (f *simFaults) host(node int) *sim.Host        { return f.w.Host(node) }
func (f *simFaults) orBase(p, base float64) float64 { return 1 - (1-p)*(1-base) }

// SetLoss adds p on top of the run's configured loss.
func (f *simFaults) SetLoss(p float64) { f.fail("loss", f.w.Net().SetLoss(f.orBase(p, f.base.Loss))) }

// SetDuplicate adds p on top of the run's configured duplication.
func (f *simFaults) SetDuplicate(p float64) {
	f.fail("duplicate", f.w.Net().SetDuplicate(f.orBase(p, f.base.Duplicate)))
}

// SetReorder adds p on top of the run's configured reordering.
func (f *simFaults) SetReorder(p float64) {
	f.fail("reorder", f.w.Net().SetReorder(f.orBase(p, f.base.Reorder)))
}

// SetLinkDelay slows one link in both directions.
func (f *simFaults) SetLinkDelay(a, b int, mean int64) {
	f.fail("link-delay", f.w.Net().SetLinkExtraDelay(a, b, sim.Time(mean)))
	f.fail("link-delay", f.w.Net().SetLinkExtraDelay(b, a, sim.Time(mean)))
}

// ResetNetwork restores the run's network configuration (links stay blocked).
func (f *simFaults) ResetNetwork() { f.w.Net().Reset() }

func (f *simFaults) Crash(node int) {
	if h := f.host(node); h != nil {
		h.Crash()
	}
}

func (f *simFaults) Restart(node int, delay int64) {
	if h := f.host(node); h != nil {
		h.Restart(sim.Time(delay))
	}
}

func (f *simFaults) Pause(node int) {
	if h := f.host(node); h != nil {
		h.Pause()
	}
}

func (f *simFaults) Resume(node int) {
	if h := f.host(node); h != nil {
		h.Resume()
	}
}

func (f *simFaults) SetClockOffset(node int, offset int64) {
	if h := f.host(node); h != nil {
		h.Clock().SetOffset(sim.Time(offset))
	}
}

func (f *simFaults) SetClockDrift(node int, ppm float64) {
	if h := f.host(node); h != nil {
		f.fail("clock-drift", h.Clock().SetDrift(ppm))
	}
}

func (f *simFaults) ResetClocks() {
	for _, id := range f.c.nodes {
		f.host(id).Clock().Reset()
	}
}

func (f *simFaults) SetDiskCrashMode(node int, mode string) {
	h := f.host(node)
	if h == nil || h.Disk() == nil {
		return
	}
	m := f.disk.CrashMode
	if mode != "" {
		var err error
		if m, err = sim.ParseCrashMode(mode); err != nil {
			f.fail("disk-crash-mode", err)
			return
		}
	}
	f.fail("disk-crash-mode", h.Disk().SetCrashMode(m))
}

func (f *simFaults) SetSyncLatency(node int, d int64) {
	h := f.host(node)
	if h == nil || h.Disk() == nil {
		return
	}
	if d == 0 {
		d = int64(f.disk.SyncLatency)
	}
	f.fail("sync-latency", h.Disk().SetSyncLatency(sim.Time(d)))
}

func (f *simFaults) CorruptDisk(node int) bool {
	h := f.host(node)
	if h == nil || h.Disk() == nil {
		return false
	}
	_, _, ok := h.Disk().Corrupt(f.rng)
	return ok
}

var (
	errNoLeader       = errors.New("no leader to propose through")
	errRemovalPending = errors.New("its removal is not committed yet: it cannot be wiped")
	errDraining       = errors.New("messages of its old process are still in flight: not re-added")
)

func (f *simFaults) propose(cc raft.ConfChange) error {
	l := f.c.leader()
	if l == 0 {
		return errNoLeader
	}
	return f.c.server(l).ProposeConfChange(cc)
}

func (f *simFaults) RemoveMember(node int) error {
	return f.propose(raft.ConfChange{Type: raft.RemoveNode, NodeID: uint64(node)})
}

func (f *simFaults) AddMember(node int, wipe bool) error {
	if f.c.leader() == 0 {
		return errNoLeader
	}
	h := f.host(node)
	if h == nil || node < 1 || node >= len(f.c.hosts) {
		return fmt.Errorf("node %d does not exist", node)
	}
	if f.replacing == nil {
		f.replacing = make([]sim.Time, len(f.c.hosts))
	}
	if wipe && f.replacing[node] == 0 {
		if f.c.obs.conf.contains(node) {
			// Wiping a node that is still a voter would erase the
			// acknowledgements committed entries count on, and its votes.
			return fmt.Errorf("node %d: %w", node, errRemovalPending)
		}
		f.replace(h)
	}
	if at := f.replacing[node]; at > 0 && f.w.Now() < at {
		return fmt.Errorf("node %d: %w until %v", node, errDraining, at)
	}
	if err := f.propose(raft.ConfChange{Type: raft.AddNode, NodeID: uint64(node)}); err != nil {
		return err
	}
	f.replacing[node] = 0
	return nil
}

// replace is the operator's disk replacement: node h goes down, its disk is
// wiped, and it comes back as a joiner with an empty disk — once every message
// its old process sent or was sent has landed. In flight, those describe a log
// the new process no longer has: an old acknowledgement would tell the leader
// the new node holds entries it never saw, and an old heartbeat would commit
// them on it. A real replacement is spared them because the old process's
// connections die with it; here the adapter waits them out, and proposes the
// re-add only then (see AddMember).
func (f *simFaults) replace(h *sim.Host) {
	node := h.Addr()
	if h.Alive() {
		h.Crash()
	}
	h.Disk().Wipe()
	f.c.joining[node] = true
	at := max(f.c.obs.inbound[node], f.c.obs.outbound[node], f.w.Now()) + 1
	f.replacing[node] = at
	h.Restart(at - f.w.Now())
}

// Record logs a fault start or stop in the history, the trace and the report's fault windows.
func (f *simFaults) Record(ev nemesis.Event) {
	name, value := f.log.Record(int64(f.w.Now()), ev)
	f.rec.Nemesis(name, value)
	kind := sim.KindFaultStop
	if ev.Start {
		kind = sim.KindFaultStart
	}
	first := 0
	if len(ev.Targets) > 0 {
		first = ev.Targets[0]
	}
	// Y is the digest of the nemesis op the history holds, so the trace hash
	// covers what it says (the detail and every target), not only its kind.
	op := histories.Op{Process: histories.NemesisProcess, Type: histories.Info, F: name, Value: value}
	f.w.Trace().Emit(kind, first, len(ev.Targets), int64(faultCode(ev.Fault)), int64(op.Digest()))
	// Every target gets a record of its own (A the node, B its position, X
	// the fault, Y 1 at start, 0 at stop), so a trace names all of them
	// whatever the detail says.
	for i, t := range ev.Targets {
		f.w.Trace().Emit(sim.KindFaultTarget, t, i, int64(faultCode(ev.Fault)), int64(b2i(ev.Start)))
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// closeWindows ends every fault window still open at t (the final heal).
func (f *simFaults) closeWindows(t int64) []report.FaultWindow { return f.log.Close(t) }

// faultCode numbers a fault by its catalog position, for the trace.
func faultCode(name string) int {
	for i, fi := range nemesis.Catalog() {
		if fi.Name == name {
			return i + 1
		}
	}
	return 0
}
