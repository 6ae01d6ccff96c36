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

	// replacing[node]: the node's disk was wiped and its re-add is not
	// proposed yet (see replace and AddMember).
	replacing []bool
	// held[node]: the wiped node is kept down until its id may be reused.
	held []bool
	// clearAt[node] > 0: the id could be reused when it was set, and every
	// message in flight then has landed at that time (0: not yet seen).
	clearAt []sim.Time

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
	if node >= 0 && node < len(f.held) && f.held[node] {
		return // a replaced disk's node starts only once its id may be reused (AddMember)
	}
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
	errDraining       = errors.New("messages sent before its id could be reused are still in flight: not re-added")
	errOldConfig      = errors.New("a disk still holds a configuration counting its old disk: not re-added")
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
		f.replacing = make([]bool, len(f.c.hosts))
		f.held = make([]bool, len(f.c.hosts))
		f.clearAt = make([]sim.Time, len(f.c.hosts))
	}
	if wipe && !f.replacing[node] {
		if f.c.obs.conf.contains(node) {
			// Wiping a node that is still a voter would erase the
			// acknowledgements committed entries count on, and its votes.
			return fmt.Errorf("node %d: %w", node, errRemovalPending)
		}
		f.replace(h)
	}
	if f.held[node] {
		if err := f.mayReuse(node); err != nil {
			f.clearAt[node] = 0
			return err
		}
		if f.clearAt[node] == 0 {
			f.clearAt[node] = f.drained()
		}
		if at := f.clearAt[node]; f.w.Now() < at {
			return fmt.Errorf("node %d: %w until %v", node, errDraining, at)
		}
		f.held[node], f.clearAt[node] = false, 0
		h.Restart(0)
	}
	if err := f.propose(raft.ConfChange{Type: raft.AddNode, NodeID: uint64(node)}); err != nil {
		return err
	}
	f.replacing[node] = false
	return nil
}

// replace is the operator's disk replacement: node h goes down and its disk
// is wiped; it comes back as a joiner with an empty disk under its old id,
// started by AddMember once that id may be reused (mayReuse) and every
// message sent until then has landed. In flight, those describe logs and
// configurations from before: an old acknowledgement would tell the leader
// the new node holds entries it never saw, an old heartbeat would commit
// them on it, and an old snapshot could hand another node a configuration
// that still counts the old disk. A real replacement is spared the first two
// because the old process's connections die with it.
func (f *simFaults) replace(h *sim.Host) {
	node := h.Addr()
	if h.Alive() {
		h.Crash()
	}
	h.Disk().Wipe()
	f.c.joining[node] = true
	f.replacing[node], f.held[node], f.clearAt[node] = true, true, 0
}

// drained is when every message in flight now has landed.
func (f *simFaults) drained() sim.Time {
	at := f.w.Now()
	for _, id := range f.c.nodes {
		at = max(at, f.c.obs.inbound[id], f.c.obs.outbound[id])
	}
	return at + 1
}

// mayReuse reports whether the wiped node may come back under its id: no
// disk may still hold a configuration that counts the node's old disk.
//
// Raft's safety assumes a voter's disk outlives every configuration that
// counts it. Its removal being committed is not enough: a node whose log
// still ends before the removal (one that lags, or a joiner that got an old
// snapshot and was cut off or removed before it caught up) uses a
// configuration that counts the old disk, and the new, empty process would
// answer for it — granting a vote with an empty log, acknowledging entries
// to a leader of an old term. Seed 2786 of the swarm did just that: node 2,
// re-added with an empty disk, was sent a snapshot at index 555 whose
// configuration was {1,2,3}, was removed again before it caught up, and won
// term 33 with the vote of node 1, which had been removed at 581, wiped and
// re-added under its id: a leader without committed entries. etcd never
// reuses an id for this reason. So the harness reuses one only once every
// node with a log has a durable snapshot at or after the removal (a snapshot
// is the oldest state a leader can ship), compacting the logs of the running
// nodes that have applied the removal, as an operator would before reusing
// the id; nodes that lag, are down or removed with an old log hold it back
// until they catch up or are wiped themselves.
func (f *simFaults) mayReuse(node int) error {
	removed := f.c.obs.conf.removedAt[node]
	if removed == 0 {
		removed = f.c.obs.conf.index
	}
	var first error
	for _, id := range f.c.nodes {
		d := f.c.obs.disks.at(uint64(id))
		if id == node || d == nil || !d.hasLog || d.snap >= removed {
			continue
		}
		if s := f.c.server(id); s != nil && d.pending < removed && s.Applied() >= removed {
			s.Compact()
		}
		if first == nil {
			first = fmt.Errorf("node %d: %w: node %d's durable snapshot is at index %d, before the removal at %d", node, errOldConfig, id, d.snap, removed)
		}
	}
	return first
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
