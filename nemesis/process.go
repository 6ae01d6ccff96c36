package nemesis

import (
	"fmt"
	"slices"
)

// maxRollingSteps bounds one rolling-restart window's crash/restart steps.
const maxRollingSteps = 10000

// startProcess crashes or pauses nodes within the budget.
func (n *Nemesis) startProcess(fl *fault) (Event, bool) {
	switch fl.kind {
	case kindCrashRandom:
		k := min(n.cfg.Intensity.CrashCount, n.room())
		if k <= 0 {
			return Event{}, false
		}
		targets := n.pick(n.healthy(), k)
		if len(targets) == 0 {
			return Event{}, false
		}
		n.crash(fl, targets)
		return Event{Targets: targets, Detail: "crashed " + nodeSet(targets)}, true

	case kindCrashLeader:
		if n.room() == 0 {
			return Event{}, false
		}
		x, fallback, ok := n.leaderOr()
		if !ok {
			return Event{}, false
		}
		n.crash(fl, []int{x})
		return Event{Targets: []int{x}, Detail: fmt.Sprintf("crashed %s %d", leaderNote(fallback), x)}, true

	case kindCrashMajority:
		want := len(n.nodes)/2 + 1
		k := min(want, n.room())
		if k <= 0 {
			return Event{}, false
		}
		targets := n.pick(n.healthy(), k)
		if len(targets) == 0 {
			return Event{}, false
		}
		n.crash(fl, targets)
		detail := fmt.Sprintf("crashed the majority %s", nodeSet(targets))
		if len(targets) < want {
			detail = fmt.Sprintf("crashed %s: the budget of %d down allows %d, a majority is %d", nodeSet(targets), n.budget, len(targets), want)
		}
		return Event{Targets: targets, Detail: detail}, true

	case kindCrashAll:
		// A power loss of the whole cluster, deliberately beyond any budget;
		// it starts only on a fully healthy cluster so it stays one clean event.
		if n.down() > 0 {
			return Event{}, false
		}
		targets := slices.Clone(n.nodes)
		n.crash(fl, targets)
		return Event{Targets: targets, Detail: "power loss: crashed every node at once"}, true

	case kindRollingRestart:
		if len(n.healthy()) == 0 {
			return Event{}, false
		}
		fl.cursor = n.rng.IntN(len(n.nodes))
		n.rollingStep(fl, fl.gen)
		return Event{Targets: slices.Clone(n.nodes), Detail: fmt.Sprintf("rolling restart from node %d, each node down for %s", n.nodes[fl.cursor], dur(n.cfg.Intensity.Downtime))}, true

	case kindPauseRandom, kindPauseLeader:
		if n.room() == 0 {
			return Event{}, false
		}
		var x int
		var note string
		if fl.kind == kindPauseLeader {
			var fallback, ok bool
			if x, fallback, ok = n.leaderOr(); !ok {
				return Event{}, false
			}
			note = leaderNote(fallback) + " "
		} else {
			h := n.healthy()
			if len(h) == 0 {
				return Event{}, false
			}
			x = h[n.rng.IntN(len(h))]
		}
		n.hold(fl, x)
		n.f.Pause(x)
		return Event{Targets: []int{x}, Detail: fmt.Sprintf("paused %s%d", note, x)}, true
	}
	return Event{}, false
}

// stopProcess restarts or resumes what fl took down.
func (n *Nemesis) stopProcess(fl *fault) Event {
	var back []int
	for i, h := range n.holder {
		if h == fl {
			back = append(back, n.nodes[i])
		}
	}
	if fl.kind == kindPauseRandom || fl.kind == kindPauseLeader {
		for _, x := range back {
			n.f.Resume(x)
		}
		return Event{Detail: "resumed " + nodeSet(back)}
	}
	n.releaseAll(fl) // so the restart check sees the nodes as nobody's
	for _, x := range back {
		n.restart(x, fl.Name)
	}
	switch {
	case fl.kind != kindRollingRestart:
		return Event{Detail: "restarted " + nodeSet(back)}
	case len(back) > 0:
		return Event{Detail: "rolling restart ended; restarted " + nodeSet(back)}
	}
	return Event{Detail: "rolling restart ended"}
}

// crash crashes targets and holds them for fl.
func (n *Nemesis) crash(fl *fault, targets []int) {
	for _, x := range targets {
		n.hold(fl, x)
		n.f.Crash(x)
	}
}

// releaseAll lets go of every node fl holds.
func (n *Nemesis) releaseAll(fl *fault) {
	for i, h := range n.holder {
		if h == fl {
			n.holder[i] = nil
		}
	}
}

// rollingStep crashes the next healthy node in the rotation (budget
// permitting), restarts it after the downtime and comes back for the next one
// a downtime later. A step that finds no room waits a downtime and retries.
func (n *Nemesis) rollingStep(fl *fault, gen uint64) {
	if fl.gen != gen || fl.state != active || fl.flips >= maxRollingSteps {
		return
	}
	fl.flips++
	downtime := n.cfg.Intensity.Downtime
	if n.room() > 0 {
		h := n.healthy()
		for k := 0; k < len(n.nodes); k++ {
			x := n.nodes[(fl.cursor+k)%len(n.nodes)]
			if !slices.Contains(h, x) {
				continue
			}
			fl.cursor = (fl.cursor + k + 1) % len(n.nodes)
			fl.node = x
			n.crash(fl, []int{x})
			n.f.After(downtime, func() {
				if fl.gen != gen || fl.state != active {
					return // the stop restarted it
				}
				n.releaseAll(fl)
				fl.node = 0
				n.restart(x, fl.Name)
				n.f.After(downtime, func() { n.rollingStep(fl, gen) })
			})
			return
		}
	}
	n.f.After(downtime, func() { n.rollingStep(fl, gen) })
}

// leaderNote names the node a leader-targeted fault hit.
func leaderNote(fallback bool) string {
	if fallback {
		return "(no healthy leader) node"
	}
	return "leader"
}

// dur formats nanoseconds for event details.
func dur(ns int64) string {
	switch {
	case ns%Second == 0:
		return fmt.Sprintf("%ds", ns/Second)
	case ns >= Second:
		return fmt.Sprintf("%.3gs", float64(ns)/float64(Second))
	case ns%Millisecond == 0 || ns >= Millisecond:
		return fmt.Sprintf("%.4gms", float64(ns)/float64(Millisecond))
	}
	return fmt.Sprintf("%dns", ns)
}
