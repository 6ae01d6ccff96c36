package nemesis

import "slices"

// Heal ends the run's faults: it stops every started fault (recording each
// stop), then resets the whole cluster as a safety net — network healed and
// reset, clocks reset, disk settings restored, paused nodes resumed, crashed
// nodes restarted — and repairs the membership: nodes removed by member-churn
// come back and nodes fail-stopped on a corrupted disk are wiped and re-added.
// Repairs need a leader, so they finish asynchronously within RepairTimeout;
// Active is empty once they have. Heal is idempotent.
func (n *Nemesis) Heal() {
	if n.healed {
		return
	}
	n.healed = true
	n.gen++
	// Nodes down that no fault holds (one that failed to restart, say) are
	// found before the stops restart the held ones, so none restarts twice.
	// A node whose disk was wiped for its re-add is not one: it stays down
	// until its id may be reused, and its repair starts it (Faults.AddMember).
	var orphans []int
	for i, node := range n.nodes {
		if !n.f.Alive(node) && n.holder[i] == nil && !n.corrupted[i] && !n.wipeOnAdd[i] {
			orphans = append(orphans, node)
		}
	}
	for _, fl := range n.faults {
		if fl.state == active {
			n.stopFault(fl, nil)
		}
	}
	n.f.HealNetwork()
	n.f.ResetNetwork()
	n.f.ResetClocks()
	for _, node := range n.nodes {
		n.f.SetSyncLatency(node, 0)
		n.f.SetDiskCrashMode(node, "")
		if n.f.Paused(node) {
			n.f.Resume(node)
		}
	}
	for _, node := range orphans {
		n.restart(node, "heal")
	}
	members := n.members()
	for i, node := range n.nodes {
		if n.hasTask(node) {
			continue
		}
		switch {
		case n.corrupted[i]:
			n.addTask(&task{node: node, remove: true, wipe: true})
		case !slices.Contains(members, node):
			n.addTask(&task{node: node, wipe: n.wipeOnAdd[i]})
		}
	}
	for _, t := range n.tasks {
		t.afterHeal = true
		t.polls, t.issued = 0, -1
	}
	for _, fl := range n.faults {
		if fl.group == groupMembership {
			n.guardUntil = n.f.Now() + n.cfg.RepairTimeout
			n.ensurePolling()
			break
		}
	}
}

// guardMembership, after Heal, queues a repair for any node that is out of
// the membership without one: a member-churn removal proposed just before the
// heal may commit after it.
func (n *Nemesis) guardMembership(members []int) {
	if !n.healed || n.f.Now() >= n.guardUntil {
		return
	}
	for i, node := range n.nodes {
		if !slices.Contains(members, node) && !n.hasTask(node) {
			n.addTask(&task{node: node, wipe: n.wipeOnAdd[i], afterHeal: true, issued: -1})
		}
	}
}

// restart restarts node now and checks shortly after that it came back.
func (n *Nemesis) restart(node int, cause string) {
	n.f.Restart(node, 0)
	n.checkUp(node, cause, 0)
}

// checkUp looks, restartCheck after delay, whether node is running again. A
// node that stays down although nothing holds it and its disk was never
// corrupted by us failed to recover from a plain crash: an anomaly. A node
// waiting to come back with an empty disk is not one: it stays down until its
// id may be reused, and its repair starts it (Faults.AddMember).
func (n *Nemesis) checkUp(node int, cause string, delay int64) {
	i := n.pos(node)
	n.f.After(delay+restartCheck, func() {
		if n.holder[i] != nil || n.corrupted[i] || n.wipeOnAdd[i] || n.f.Alive(node) {
			return
		}
		n.anomaly(AnomalyRestartFailed, node, cause, "the node did not come back after a restart; its disk was never corrupted")
	})
}

// anomaly notes an impossible observation.
func (n *Nemesis) anomaly(kind string, node int, fault, detail string) {
	n.anomalies = append(n.anomalies, Anomaly{Time: n.f.Now(), Kind: kind, Node: node, Fault: fault, Detail: detail})
}
