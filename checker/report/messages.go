package report

import (
	"cmp"
	"slices"
)

// pageMessages are the embedded messages, columnar and sorted by send
// time. Times are microseconds after Run.Start; Deliv is -1 when a dropped
// message's drop time is unknown. Drop is -1 for a delivered message, else
// an index into the page's reason table.
type pageMessages struct {
	From  []int   `json:"from"` // lane
	To    []int   `json:"to"`   // lane
	Sent  []int64 `json:"sent"`
	Deliv []int64 `json:"deliv"`
	Kind  []int   `json:"kind"`
	Drop  []int   `json:"drop"`
	Total int     `json:"total"` // messages in the run, before sampling
}

// sampleMessages returns the positions in msgs of the messages to embed,
// in send order: all of them when there are at most limit, else limit
// positions evenly spaced over the send order, so every part of the run
// keeps the same share of its traffic.
func sampleMessages(msgs []Message, limit int) []int {
	order := make([]int, len(msgs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(msgs[a].Sent, msgs[b].Sent) })
	if len(order) <= limit {
		return order
	}
	kept := make([]int, limit)
	for i := range kept {
		kept[i] = order[int(int64(i)*int64(len(order))/int64(limit))]
	}
	return kept
}

func buildMessages(r *Run, ix nodeIndex, kinds, reasons *interner) pageMessages {
	limit := r.MessageCap
	if limit == 0 {
		limit = DefaultMessageCap
	}
	kept := sampleMessages(r.Messages, limit)
	pm := pageMessages{
		From: make([]int, len(kept)), To: make([]int, len(kept)),
		Sent: make([]int64, len(kept)), Deliv: make([]int64, len(kept)),
		Kind: make([]int, len(kept)), Drop: make([]int, len(kept)),
		Total: len(r.Messages),
	}
	for j, i := range kept {
		m := &r.Messages[i]
		pm.From[j] = ix.lane(m.From)
		pm.To[j] = ix.lane(m.To)
		pm.Sent[j] = (m.Sent - r.Start) / 1000
		pm.Deliv[j] = (m.Delivered - r.Start) / 1000
		pm.Kind[j] = kinds.id(m.Kind)
		pm.Drop[j] = -1
		if m.Dropped {
			reason := m.Reason
			if reason == "" {
				reason = "dropped"
			}
			pm.Drop[j] = reasons.id(reason)
			if m.Delivered == 0 {
				pm.Deliv[j] = -1
			}
		}
	}
	return pm
}
