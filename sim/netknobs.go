package sim

import "fmt"

// Reset restores latency, loss, duplication, reordering and extra delay to the
// run's configuration and clears every per-link override. Blocked links stay
// blocked (see Heal), and stream links stay FIFO for the copies in flight.
func (n *Network) Reset() {
	n.applyConfig(n.w.cfg.Net)
	for i := range n.links {
		n.links[i] = link{blocked: n.links[i].blocked, lastAt: n.links[i].lastAt}
	}
	n.w.trace.add(KindNet, 0, 0, int64(KnobReset), 0)
}

// setting validates and records a network knob change; a bad value is
// returned and also fails the run, so a caller ignoring it cannot hide it.
func (n *Network) setting(knob NetKnob, a, b int, err error, y int64) error {
	if err != nil {
		n.w.fail(fmt.Errorf("%w: %w", ErrBadArgument, err))
		return err
	}
	n.w.trace.add(KindNet, a, b, int64(knob), y)
	return nil
}

func ppb(p float64) int64 { return int64(p * 1e9) }

// SetLatency sets the latency of every link without an override.
func (n *Network) SetLatency(d Dist) error {
	if err := n.setting(KnobLatency, 0, 0, d.check("latency"), int64(d.Mean)); err != nil {
		return err
	}
	n.lat = newSampler(d)
	return nil
}

// SetLinkLatency overrides the latency of the link from → to (one slow link).
func (n *Network) SetLinkLatency(from, to int, d Dist) error {
	i, err := n.linkIndex("set latency", from, to)
	if err != nil {
		return err
	}
	if err := n.setting(KnobLinkLatency, from, to, d.check("latency"), int64(d.Mean)); err != nil {
		return err
	}
	n.links[i].lat, n.links[i].hasLat = newSampler(d), true
	return nil
}

// ClearLinkLatency removes SetLinkLatency's override.
func (n *Network) ClearLinkLatency(from, to int) error {
	i, err := n.linkIndex("clear latency", from, to)
	if err != nil {
		return err
	}
	n.links[i].hasLat = false
	return n.setting(KnobLinkLatency, from, to, nil, 0)
}

// SetLoss sets the probability that any message is lost.
func (n *Network) SetLoss(p float64) error {
	if err := n.setting(KnobLoss, 0, 0, checkProb("loss", p), ppb(p)); err != nil {
		return err
	}
	n.loss = p
	return nil
}

// SetLinkLoss sets an extra, independent loss probability on the link
// from → to (one flaky link); 0 removes it.
func (n *Network) SetLinkLoss(from, to int, p float64) error {
	i, err := n.linkIndex("set loss", from, to)
	if err != nil {
		return err
	}
	if err := n.setting(KnobLinkLoss, from, to, checkProb("loss", p), ppb(p)); err != nil {
		return err
	}
	n.links[i].loss = p
	return nil
}

// SetDuplicate sets the probability that a message is delivered twice.
func (n *Network) SetDuplicate(p float64) error {
	if err := n.setting(KnobDuplicate, 0, 0, checkProb("duplicate", p), ppb(p)); err != nil {
		return err
	}
	n.dup = p
	return nil
}

// SetReorder sets the probability that a message is delayed by up to the
// configured reorder delay, letting later messages overtake it.
func (n *Network) SetReorder(p float64) error {
	if err := n.setting(KnobReorder, 0, 0, checkProb("reorder", p), ppb(p)); err != nil {
		return err
	}
	n.reorder = p
	return nil
}

// SetExtraDelay adds an exponential delay with this mean to every message
// (the "delay" fault); 0 turns it off.
func (n *Network) SetExtraDelay(mean Time) error {
	var err error
	if mean < 0 {
		err = fieldErr("extra_delay", fmt.Sprintf("%v is negative", mean))
	}
	if err := n.setting(KnobExtraDelay, 0, 0, err, int64(mean)); err != nil {
		return err
	}
	n.extra = float64(mean)
	return nil
}

// SetLinkExtraDelay adds an exponential delay with this mean to messages on
// the link from → to only; 0 removes it.
func (n *Network) SetLinkExtraDelay(from, to int, mean Time) error {
	i, err := n.linkIndex("set delay", from, to)
	if err != nil {
		return err
	}
	if mean < 0 {
		err = fieldErr("extra_delay", fmt.Sprintf("%v is negative", mean))
	}
	if err := n.setting(KnobLinkExtraDelay, from, to, err, int64(mean)); err != nil {
		return err
	}
	n.links[i].extra = float64(mean)
	return nil
}
