package live

import (
	"errors"
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/internal/harness"
	"github.com/raftcheck/raftcheck/internal/live/proc"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
)

// errNoMembership refuses the nemesis's membership requests; the config
// refuses membership faults, so only a repair after a heal could ask.
var errNoMembership = errors.New("live mode cannot change a cluster's membership")

// maxFaultErrors bounds the adapter errors kept.
const maxFaultErrors = 16

// liveFaults implements nemesis.Faults on the live cluster: the network
// calls act on the world's network, which carries every node-to-node
// message; a crash is SIGKILL (the node's host goes down with it), a
// restart starts the node again in its directory, a pause is SIGSTOP.
// Node ids are the proxies' addresses: node k is Maelstrom node n(k-1).
type liveFaults struct {
	r     *runner
	base  sim.NetConfig
	log   *harness.FaultLog
	nodes []int
	errs  []string
}

var _ nemesis.Faults = (*liveFaults)(nil)

func newLiveFaults(r *runner) *liveFaults {
	f := &liveFaults{r: r, base: r.cfg.Net, log: harness.NewFaultLog(r.cfg.Nodes)}
	for i := range r.cfg.Nodes {
		f.nodes = append(f.nodes, i+1)
	}
	return f
}

// fail keeps an error of the adapter: a request the cluster refused.
func (f *liveFaults) fail(op string, err error) {
	if err != nil && len(f.errs) < maxFaultErrors {
		f.errs = append(f.errs, fmt.Sprintf("nemesis %s: %v", op, err))
	}
}

func (f *liveFaults) host(node int) *sim.Host {
	if node < 1 || node > len(f.nodes) {
		return nil
	}
	return f.r.c.hosts[node-1]
}

func (f *liveFaults) Now() int64               { return int64(f.r.w.Now()) }
func (f *liveFaults) After(d int64, fn func()) { f.r.w.After(sim.Time(d), fn) }
func (f *liveFaults) Nodes() []int             { return slices.Clone(f.nodes) }

// Members is every node: live mode changes no membership.
func (f *liveFaults) Members() []int { return slices.Clone(f.nodes) }

// Leader is the node that reported leading in the highest term, among those
// up and not paused; when the nodes report no roles, the node that served
// the latest ok write (the leader as the clients see it), if it is up.
func (f *liveFaults) Leader() int {
	up := func(node int) bool { return f.Alive(node) && !f.Paused(node) }
	if f.r.obs.rolesSeen {
		return f.r.obs.leader(up)
	}
	if n := f.r.lastWriter; n != 0 && up(n) {
		return n
	}
	return 0
}

func (f *liveFaults) Block(from, to int) {
	f.fail("block", f.r.w.Net().Block(from, to))
	f.log.Blocked(from, to)
}
func (f *liveFaults) Unblock(from, to int) { f.fail("unblock", f.r.w.Net().Unblock(from, to)) }
func (f *liveFaults) HealNetwork()         { f.r.w.Net().Heal() }
func (f *liveFaults) orBase(p, base float64) float64 {
	return 1 - (1-p)*(1-base)
}
func (f *liveFaults) SetLoss(p float64) {
	f.fail("loss", f.r.w.Net().SetLoss(f.orBase(p, f.base.Loss)))
}
func (f *liveFaults) SetDuplicate(p float64) {
	f.fail("duplicate", f.r.w.Net().SetDuplicate(f.orBase(p, f.base.Duplicate)))
}
func (f *liveFaults) SetReorder(p float64) {
	f.fail("reorder", f.r.w.Net().SetReorder(f.orBase(p, f.base.Reorder)))
}
func (f *liveFaults) SetExtraDelay(mean int64) {
	f.fail("delay", f.r.w.Net().SetExtraDelay(sim.Time(mean)))
}
func (f *liveFaults) SetLinkDelay(a, b int, mean int64) {
	f.fail("link-delay", f.r.w.Net().SetLinkExtraDelay(a, b, sim.Time(mean)))
	f.fail("link-delay", f.r.w.Net().SetLinkExtraDelay(b, a, sim.Time(mean)))
}
func (f *liveFaults) ResetNetwork() { f.r.w.Net().Reset() }

// Crash kills the node's process group (SIGKILL) and takes its host down.
func (f *liveFaults) Crash(node int) {
	if f.host(node) == nil {
		f.fail("crash", fmt.Errorf("node %d does not exist", node))
		return
	}
	f.r.c.kill(node - 1)
}

// Restart starts the node again in its directory after delay; it gets
// init again. A node that runs already is left alone.
func (f *liveFaults) Restart(node int, delay int64) {
	h := f.host(node)
	if h == nil {
		f.fail("restart", fmt.Errorf("node %d does not exist", node))
		return
	}
	f.r.w.After(sim.Time(delay), func() {
		if h.Alive() {
			return
		}
		// Synchronous: the driver waits for the old process to be reaped,
		// but it was killed at the crash, long before; the wait is bounded
		// by proc's KillTimeout, and starting a process takes a fork.
		f.fail("restart", f.r.c.restart(node-1))
	})
}

// Pause stops the node's process group (SIGSTOP); the network holds its
// messages until Resume, as for a paused simulated host.
func (f *liveFaults) Pause(node int) {
	h := f.host(node)
	if h == nil || !h.Alive() || h.Paused() {
		return
	}
	if err := f.r.drv.Pause(node - 1); err != nil {
		if !errors.Is(err, proc.ErrDown) {
			f.fail("pause", err)
		}
		return // it died on its own: its Exited event takes the host down
	}
	h.Pause()
}

// Resume continues the node (SIGCONT) and hands it what waited.
func (f *liveFaults) Resume(node int) {
	h := f.host(node)
	if h == nil || !h.Paused() {
		return
	}
	if err := f.r.drv.Resume(node - 1); err != nil && !errors.Is(err, proc.ErrDown) {
		f.fail("resume", err)
	}
	h.Resume()
}

func (f *liveFaults) Alive(node int) bool  { h := f.host(node); return h != nil && h.Alive() }
func (f *liveFaults) Paused(node int) bool { h := f.host(node); return h != nil && h.Paused() }

// The clock, disk and membership methods have nothing to act on. The
// config refuses those faults; Heal still resets clocks and disks, which
// is a no-op here, and anything else is a bug to report.
func (f *liveFaults) SetClockOffset(node int, offset int64) {
	f.fail("clock-offset", fmt.Errorf("node %d: %s", node, Unsupported("clock-skew")))
}
func (f *liveFaults) SetClockDrift(node int, ppm float64) {
	f.fail("clock-drift", fmt.Errorf("node %d: %s", node, Unsupported("clock-drift")))
}
func (f *liveFaults) ResetClocks() {}
func (f *liveFaults) SetDiskCrashMode(node int, mode string) {
	if mode != "" {
		f.fail("disk-crash-mode", fmt.Errorf("node %d: %s", node, Unsupported("lose-unsynced")))
	}
}
func (f *liveFaults) SetSyncLatency(node int, d int64) {
	if d != 0 {
		f.fail("sync-latency", fmt.Errorf("node %d: %s", node, Unsupported("slow-fsync")))
	}
}
func (f *liveFaults) CorruptDisk(node int) bool {
	f.fail("corrupt", fmt.Errorf("node %d: %s", node, Unsupported("corrupt")))
	return false
}
func (f *liveFaults) RemoveMember(int) error { return errNoMembership }
func (f *liveFaults) AddMember(int, bool) error {
	return errNoMembership
}

// Record logs a fault start or stop in the history (the nodes' Maelstrom
// ids appended, as the detail names them by number) and the report's
// fault windows.
func (f *liveFaults) Record(ev nemesis.Event) {
	name, value := f.log.Record(f.Now(), ev)
	if len(ev.Targets) > 0 {
		ids := make([]int, len(ev.Targets))
		for k, t := range ev.Targets {
			ids[k] = t - 1
		}
		value = fmt.Sprintf("%s [%s]", value, names(ids))
	}
	f.r.rec.Nemesis(name, value)
}
