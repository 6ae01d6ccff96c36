package harness

import (
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/sim"
)

// msgKey finds a kept message by its link and planned delivery time, so a drop
// at delivery (partition, dead recipient) marks the arrow that was drawn.
type msgKey struct {
	from, to int
	at       int64
}

// keepMessage records a node-to-node message for the timeline's arrows: a send
// record carries the latency drawn, so the arrow is known at send time; a later
// drop at delivery time marks it. Bounded by maxKeptMessages: later ones are
// not kept.
func (o *observer) keepMessage(r sim.Record) {
	switch r.Kind {
	case sim.KindSend, sim.KindDuplicate:
		if r.Y < 0 { // lost at send: the drop record follows and keeps it
			return
		}
		if len(o.messages) >= maxKeptMessages {
			return
		}
		at := int64(r.At) + r.Y
		o.inFlight[msgKey{r.A, r.B, at}] = len(o.messages)
		o.messages = append(o.messages, report.Message{From: r.A, To: r.B, Sent: int64(r.At), Delivered: at, Kind: msgKindName(uint8(r.X)), Answer: o.answer})
	case sim.KindDeliver:
		delete(o.inFlight, msgKey{r.A, r.B, int64(r.At)})
	case sim.KindDrop:
		reason := sim.DropReason(r.X).String()
		if sim.DropReason(r.X) == sim.DropLoss {
			if len(o.messages) < maxKeptMessages {
				o.messages = append(o.messages, report.Message{From: r.A, To: r.B, Sent: int64(r.At), Delivered: int64(r.At),
					Kind: msgKindName(uint8(r.Y)), Dropped: true, Reason: reason, Answer: o.answer})
			}
			return
		}
		k := msgKey{r.A, r.B, int64(r.At)}
		if i, ok := o.inFlight[k]; ok {
			o.messages[i].Dropped, o.messages[i].Reason = true, reason
			delete(o.inFlight, k)
		}
	}
}
