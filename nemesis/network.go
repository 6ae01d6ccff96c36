package nemesis

import (
	"fmt"
	"slices"
)

// Network faults set cluster-wide knobs. Stopping one resets the network to
// the run's configuration and re-applies the others still active, so no fault
// needs to know what the run's own loss or latency was.

// startNetwork applies fl's network setting.
func (n *Nemesis) startNetwork(fl *fault) (Event, bool) {
	in := n.cfg.Intensity
	all := slices.Clone(n.nodes)
	var detail string
	switch fl.kind {
	case kindFlaky:
		detail = fmt.Sprintf("dropping %.3g%% of messages", 100*in.Loss)
	case kindDuplicate:
		detail = fmt.Sprintf("duplicating %.3g%% of messages", 100*in.Duplicate)
	case kindDelay:
		detail = fmt.Sprintf("extra latency on every message, mean %s", dur(in.Delay))
	case kindReorder:
		detail = fmt.Sprintf("reordering %.3g%% of messages", 100*in.Reorder)
	case kindSlowLink:
		pair := n.pick(slices.Clone(n.nodes), 2)
		fl.targets = pair
		all = pair
		detail = fmt.Sprintf("extra latency between %d and %d, mean %s", pair[0], pair[1], dur(in.LinkDelay))
	default:
		return Event{}, false
	}
	n.applyNetwork(fl)
	return Event{Targets: all, Detail: detail}, true
}

// stopNetwork resets the network and re-applies the faults still active.
func (n *Nemesis) stopNetwork(fl *fault) Event {
	n.f.ResetNetwork()
	for _, other := range n.faults {
		if other != fl && other.state == active && other.Category == CategoryNetwork {
			n.applyNetwork(other)
		}
	}
	return Event{Detail: "network settings restored"}
}

// applyNetwork sets fl's knob on the cluster.
func (n *Nemesis) applyNetwork(fl *fault) {
	in := n.cfg.Intensity
	switch fl.kind {
	case kindFlaky:
		n.f.SetLoss(in.Loss)
	case kindDuplicate:
		n.f.SetDuplicate(in.Duplicate)
	case kindDelay:
		n.f.SetExtraDelay(in.Delay)
	case kindReorder:
		n.f.SetReorder(in.Reorder)
	case kindSlowLink:
		n.f.SetLinkDelay(fl.targets[0], fl.targets[1], in.LinkDelay)
	}
}
