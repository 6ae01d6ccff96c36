package nemesis

import (
	"fmt"
	"slices"
)

// Membership changes go through the leader and take effect only when the
// cluster commits them, so the nemesis proposes, then polls Members until the
// change shows, re-proposing now and then, for at most RepairTimeout.
const (
	pollEvery    = 250 * Millisecond
	reissueEvery = 4 // polls between two proposals of the same change
)

// task is one membership repair in progress: bring node back as a running
// voter, first removing it (a fail-stopped voter) and wiping its disk if asked.
type task struct {
	fault     *fault // the fault whose stop this repair finishes; nil for Heal's own
	node      int
	remove    bool // remove the node before adding it back
	wipe      bool // re-add it with an empty disk
	added     bool // an AddMember was accepted
	polls     int
	issued    int  // poll of the last accepted proposal; -1 none yet
	afterHeal bool // a failure now is final: the cluster stays short of the node
}

// startChurn removes a node from the membership.
func (n *Nemesis) startChurn(fl *fault) (Event, bool) {
	if n.room() == 0 {
		return Event{}, false
	}
	h := n.healthy()
	x, note := 0, ""
	if l := n.f.Leader(); l != 0 && slices.Contains(h, l) {
		if n.rng.Float64() < n.cfg.Intensity.ChurnLeader {
			x, note = l, "leader "
		} else {
			h = without(h, l)
		}
	}
	if x == 0 {
		if len(h) == 0 {
			return Event{}, false
		}
		x = h[n.rng.IntN(len(h))]
	}
	wipe := n.rng.Float64() < n.cfg.Intensity.ChurnWipe
	if err := n.f.RemoveMember(x); err != nil {
		return Event{}, false
	}
	n.proposedRemoval(x)
	n.hold(fl, x)
	fl.node, fl.wipe = x, wipe
	back := "with its disk"
	if wipe {
		back = "with an empty disk"
	}
	return Event{Targets: []int{x}, Detail: fmt.Sprintf("removing %s%d from the membership; it comes back %s", note, x, back)}, true
}

// stopChurn starts adding the removed node back; the repair finishes fl.
//
// A removal that Members does not show yet is not known to have failed: it
// may be in flight and commit at any later time, and if a second fault had
// taken the node's budget slot by then, what is left could be short of a
// quorum for good. The stop then finishes at once — the membership group is
// free again, so other membership faults may overlap the uncertain change, as
// a correct Raft must tolerate — but the node stays marked removing (it counts
// against the budget) and a repair of its own sees the removal through,
// re-proposing it if it was lost, and adds the node back, so the cluster ends
// in a known configuration.
func (n *Nemesis) stopChurn(fl *fault) (Event, bool) {
	n.wipeOnAdd[n.pos(fl.node)] = fl.wipe
	if slices.Contains(n.members(), fl.node) {
		if !n.hasTask(fl.node) {
			n.addTask(&task{node: fl.node, remove: true, wipe: fl.wipe})
		}
		return Event{Targets: []int{fl.node}, Detail: fmt.Sprintf("the removal of %d has not taken effect yet; %d counts as down until it does and is back", fl.node, fl.node)}, true
	}
	n.addTask(&task{fault: fl, node: fl.node, wipe: fl.wipe})
	return Event{}, false
}

// hasTask reports whether a repair of node is in progress.
func (n *Nemesis) hasTask(node int) bool {
	for _, t := range n.tasks {
		if t.node == node {
			return true
		}
	}
	return false
}

// addTask queues a repair and makes sure the poller runs.
func (n *Nemesis) addTask(t *task) {
	t.issued = -1
	n.tasks = append(n.tasks, t)
	n.ensurePolling()
}

// ensurePolling schedules the next poll if repairs are waiting.
func (n *Nemesis) ensurePolling() {
	if n.polling || (len(n.tasks) == 0 && !(n.healed && n.f.Now() < n.guardUntil)) {
		return
	}
	n.polling = true
	n.f.After(pollEvery, n.poll)
}

// poll advances every repair by one step.
func (n *Nemesis) poll() {
	n.polling = false
	members := slices.Clone(n.members())
	n.guardMembership(members)
	kept := n.tasks[:0]
	for _, t := range n.tasks {
		if !n.stepTask(t, members) {
			kept = append(kept, t)
		}
	}
	clear(n.tasks[len(kept):])
	n.tasks = kept
	n.ensurePolling()
}

// stepTask advances t; it reports whether t is finished.
func (n *Nemesis) stepTask(t *task, members []int) bool {
	t.polls++
	i := n.pos(t.node)
	isMember := slices.Contains(members, t.node)
	due := t.issued < 0 || t.polls-t.issued >= reissueEvery
	switch {
	case t.remove && isMember:
		if due && n.f.RemoveMember(t.node) == nil {
			n.proposedRemoval(t.node)
			t.issued = t.polls
		}
	case isMember && n.f.Alive(t.node):
		n.completeTask(t, true)
		return true
	case !isMember:
		if t.remove {
			t.remove, due = false, true
		}
		if due && n.f.AddMember(t.node, t.wipe && !t.added) == nil {
			if t.wipe {
				n.corrupted[i] = false
				n.wipeOnAdd[i] = false
			}
			t.added = true
			t.issued = t.polls
		}
	}
	if int64(t.polls)*pollEvery >= n.cfg.RepairTimeout {
		n.completeTask(t, false)
		return true
	}
	return false
}

// completeTask records the end of a repair.
func (n *Nemesis) completeTask(t *task, ok bool) {
	var detail string
	switch {
	case ok && t.wipe:
		detail = fmt.Sprintf("%d is back as a member with an empty disk", t.node)
	case ok:
		detail = fmt.Sprintf("%d is back as a member", t.node)
	default:
		detail = fmt.Sprintf("gave up after %s: %d is still not a running member; the cluster stays short of it", dur(n.cfg.RepairTimeout), t.node)
		if t.afterHeal {
			n.anomaly(AnomalyRepairFailed, t.node, faultName(t.fault), detail)
		}
	}
	if t.fault != nil && t.fault.state == stopping {
		n.finish(t.fault, Event{Targets: []int{t.node}, Detail: detail})
	}
}

// faultName names the fault a repair belongs to ("heal" for Heal's own).
func faultName(fl *fault) string {
	if fl == nil {
		return "heal"
	}
	return fl.Name
}
