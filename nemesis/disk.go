package nemesis

import "fmt"

// Disk crash modes understood by Faults.SetDiskCrashMode.
const (
	ModeLoseUnsynced = "lose-unsynced" // every unsynced write is lost
	ModeKeepPrefix   = "keep-prefix"   // a random prefix of the unsynced writes survives, whole
	ModeTearLast     = "tear-last"     // a prefix survives and the next write survives torn
	ModeDefault      = ""              // the run's configured mode
)

// startDisk applies fl's disk fault.
func (n *Nemesis) startDisk(fl *fault) (Event, bool) {
	switch fl.kind {
	case kindLoseUnsynced, kindTornWrite:
		x, ok := n.randomHealthy()
		if !ok || n.room() == 0 {
			return Event{}, false
		}
		mode := ModeTearLast
		if fl.kind == kindLoseUnsynced {
			mode = ModeLoseUnsynced
			if n.rng.IntN(2) == 0 {
				mode = ModeKeepPrefix
			}
		}
		fl.node = x
		n.f.SetDiskCrashMode(x, mode)
		n.crash(fl, []int{x})
		return Event{Targets: []int{x}, Detail: fmt.Sprintf("crashed %d with disk crash mode %s", x, mode)}, true

	case kindSlowFsync:
		targets := n.nodes
		if n.rng.IntN(2) == 0 {
			targets = []int{n.nodes[n.rng.IntN(len(n.nodes))]}
		}
		for _, x := range targets {
			n.f.SetSyncLatency(x, n.cfg.Intensity.SyncLatency)
		}
		return Event{Targets: targets, Detail: fmt.Sprintf("fsync takes %s on %s", dur(n.cfg.Intensity.SyncLatency), nodeSet(targets))}, true

	case kindCorrupt:
		x, ok := n.randomHealthy()
		if !ok || n.room() == 0 {
			return Event{}, false
		}
		fl.node = x
		n.crash(fl, []int{x})
		if !n.f.CorruptDisk(x) {
			n.releaseAll(fl)
			n.restart(x, fl.Name)
			return Event{Targets: []int{x}, Detail: fmt.Sprintf("crashed %d, but its disk holds nothing synced to corrupt yet; restarted it", x)}, true
		}
		fl.ok = true
		i := n.pos(x)
		n.corrupted[i] = true
		n.f.Restart(x, 0)
		n.f.After(restartCheck, func() {
			if n.corrupted[i] && n.f.Alive(x) {
				n.corrupted[i] = false
				n.anomaly(AnomalyCorruptUndetected, x, fl.Name, "the node started on a disk with a flipped bit in synced data instead of refusing to (fail-stop)")
			}
		})
		return Event{Targets: []int{x}, Detail: fmt.Sprintf("crashed %d, flipped a bit in its synced data and restarted it: it must refuse to start", x)}, true
	}
	return Event{}, false
}

// stopDisk undoes fl. Replacing a corrupted node needs the membership, so that
// stop finishes later (done=false).
func (n *Nemesis) stopDisk(fl *fault) (ev Event, done bool) {
	switch fl.kind {
	case kindLoseUnsynced, kindTornWrite:
		n.f.SetDiskCrashMode(fl.node, ModeDefault)
		n.releaseAll(fl)
		n.restart(fl.node, fl.Name)
		return Event{Detail: fmt.Sprintf("restarted %d", fl.node)}, true

	case kindSlowFsync:
		for _, x := range fl.targets {
			n.f.SetSyncLatency(x, 0)
		}
		return Event{Detail: "fsync latency restored"}, true

	case kindCorrupt:
		switch {
		case !fl.ok:
			return Event{Detail: "nothing was corrupted"}, true
		case !n.corrupted[n.pos(fl.node)]:
			return Event{Detail: fmt.Sprintf("%d started on its corrupted disk (an anomaly); left as it is", fl.node)}, true
		}
		n.addTask(&task{fault: fl, node: fl.node, remove: true, wipe: true})
		return Event{}, false
	}
	return Event{}, true
}

// randomHealthy returns a random node a fault may take down.
func (n *Nemesis) randomHealthy() (int, bool) {
	h := n.healthy()
	if len(h) == 0 {
		return 0, false
	}
	return h[n.rng.IntN(len(h))], true
}
