package report

import (
	"cmp"
	"slices"
)

// pageMessages are the embedded messages, columnar and sorted by send
// time. Times are microseconds after Run.Start; Deliv is -1 when a dropped
// message's drop time is unknown. Drop is -1 for a delivered message, else
// an index into the page's reason table; Ans is -1 when the message is no
// reply (or its answer is unknown), else an index into the answer table.
type pageMessages struct {
	From  []int   `json:"from"` // lane
	To    []int   `json:"to"`   // lane
	Sent  []int64 `json:"sent"`
	Deliv []int64 `json:"deliv"`
	Kind  []int   `json:"kind"`
	Drop  []int   `json:"drop"`
	Ans   []int   `json:"ans"`
	Total int     `json:"total"` // messages in the run, before sampling
	// Every message of the run, embedded or not, counted in buckets of
	// Bucket µs of send time from the start: the page says how many a view
	// left out. Kept says which spans (µs) kept every message.
	Bucket int64      `json:"bucket"`
	Counts []int      `json:"counts"`
	Kept   [][2]int64 `json:"kept"`
}

// maxMessageBuckets bounds the histogram of all messages.
const maxMessageBuckets = 2000

// keepAround is how much traffic on either side of a finding is embedded
// whole however the rest is sampled: the messages that explain it.
const keepAround = int64(500e6) // ns

// sampleMessages returns the positions in msgs of the messages to embed,
// in send order: all of them when there are at most limit; else every
// message sent within the keep spans (ns; up to half the limit), and the
// rest of the limit evenly spaced over the others' send order, so every
// part of the run keeps the same share of its traffic.
func sampleMessages(msgs []Message, limit int, keep [][2]int64) []int {
	order := make([]int, len(msgs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(msgs[a].Sent, msgs[b].Sent) })
	if len(order) <= limit {
		return order
	}
	inKeep := func(t int64) bool {
		for _, k := range keep {
			if t >= k[0] && t <= k[1] {
				return true
			}
		}
		return false
	}
	var must, rest []int
	for _, i := range order {
		if len(must) < limit/2 && inKeep(msgs[i].Sent) {
			must = append(must, i)
		} else {
			rest = append(rest, i)
		}
	}
	left := limit - len(must)
	kept := must
	for j := range left {
		kept = append(kept, rest[int(int64(j)*int64(len(rest))/int64(left))])
	}
	slices.SortStableFunc(kept, func(a, b int) int { return cmp.Or(cmp.Compare(msgs[a].Sent, msgs[b].Sent), cmp.Compare(a, b)) })
	return kept
}

// keepSpans are the spans around the run's findings (the anomaly, each
// violation) whose messages are all embedded, in ns.
func keepSpans(r *Run) [][2]int64 {
	var at []int64
	if c := r.Counterexample; c != nil && c.Anomaly != nil && c.Anomaly.Time != 0 {
		at = append(at, c.Anomaly.Time)
	}
	for _, v := range r.Violations {
		at = append(at, v.Time)
	}
	spans := make([][2]int64, 0, len(at))
	for _, t := range at {
		spans = append(spans, [2]int64{t - keepAround, t + keepAround})
	}
	return spans
}

func buildMessages(r *Run, ix nodeIndex, kinds, reasons, answers *interner) pageMessages {
	limit := r.MessageCap
	if limit == 0 {
		limit = DefaultMessageCap
	}
	keep := keepSpans(r)
	kept := sampleMessages(r.Messages, limit, keep)
	pm := pageMessages{
		From: make([]int, len(kept)), To: make([]int, len(kept)),
		Sent: make([]int64, len(kept)), Deliv: make([]int64, len(kept)),
		Kind: make([]int, len(kept)), Drop: make([]int, len(kept)), Ans: make([]int, len(kept)),
		Total: len(r.Messages), Kept: [][2]int64{},
	}
	for j, i := range kept {
		m := &r.Messages[i]
		pm.From[j] = ix.lane(m.From)
		pm.To[j] = ix.lane(m.To)
		pm.Sent[j] = (m.Sent - r.Start) / 1000
		pm.Deliv[j] = (m.Delivered - r.Start) / 1000
		pm.Kind[j] = kinds.id(m.Kind)
		pm.Drop[j] = -1
		pm.Ans[j] = -1
		if m.Answer != "" {
			pm.Ans[j] = answers.id(m.Answer)
		}
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
	if len(kept) < len(r.Messages) {
		for _, k := range keep {
			pm.Kept = append(pm.Kept, [2]int64{(k[0] - r.Start) / 1000, (k[1] - r.Start) / 1000})
		}
	}
	span := max(r.End-r.Start, 1) / 1000
	pm.Bucket = max(1, (span+maxMessageBuckets-1)/maxMessageBuckets)
	pm.Counts = make([]int, span/pm.Bucket+1)
	if len(r.Messages) == 0 {
		pm.Counts = []int{}
	}
	for i := range r.Messages {
		b := (r.Messages[i].Sent - r.Start) / 1000 / pm.Bucket
		if len(pm.Counts) > 0 {
			pm.Counts[min(max(b, 0), int64(len(pm.Counts)-1))]++
		}
	}
	return pm
}
