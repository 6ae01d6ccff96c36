package checker

import (
	"fmt"
	"maps"
	"slices"

	"github.com/raftcheck/raftcheck/histories"
)

// Problem is a finding of a cheap check ([CheckAppend], [CheckDigests]).
// Every problem is a safety violation.
type Problem struct {
	Check  string `json:"check"` // one of the Check* names
	Key    string `json:"key,omitempty"`
	Ops    []int  `json:"ops,omitempty"`   // history positions involved
	Nodes  []int  `json:"nodes,omitempty"` // replicas involved
	Detail string `json:"detail"`
}

// String is the problem as a verdict reason: "<check>: <detail>".
func (p Problem) String() string { return p.Check + ": " + p.Detail }

// Names of the cheap checks, as in [Problem].Check.
const (
	CheckHistory         = "history"          // the history itself is malformed
	CheckAppendDuplicate = "append-duplicate" // a read holds an element twice
	CheckAppendPrefix    = "append-prefix"    // two reads of a key are not prefixes of one another
	CheckAppendLost      = "append-lost"      // an acknowledged append is missing from the final read
	CheckAppendPhantom   = "append-phantom"   // a read holds an element nobody appended
	CheckDigest          = "digest"           // replicas at the same applied index differ
	// CheckSelfReport: a node's own safety assertion fired (an impossible
	// message or state it noticed); reports alike are grouped into one
	// problem with a count.
	CheckSelfReport = "anomaly"
)

// maxProblemsPerCheck bounds the report of one check: past a few examples
// more of the same tells nothing new.
const maxProblemsPerCheck = 10

type appendRead struct {
	inv, done int
	vals      []int64
}

type appendWrite struct {
	inv, done int // done: -1 when not acknowledged
	val       int64
}

// CheckAppend runs the append workload's cheap checks, which need no search:
//   - no read returns an element twice;
//   - all reads of a key are prefixes of its longest read;
//   - every read element was appended by some op of that key;
//   - every acknowledged append is in the key's final read: the last ok
//     read invoked after the key's last acknowledged append completed (keys
//     without such a read are not judged).
func CheckAppend(h histories.History) []Problem {
	pairs, err := pairOps(h)
	if err != nil {
		return []Problem{{Check: CheckHistory, Detail: err.Error()}}
	}
	at := orderTimes(h)
	lists := newListInterner() // reads of a key share their elements' memory
	reads := make(map[string][]appendRead)
	writes := make(map[string][]appendWrite)
	var out []Problem
	add := func(p Problem) {
		n := 0
		for _, q := range out {
			if q.Check == p.Check {
				n++
			}
		}
		if n < maxProblemsPerCheck {
			out = append(out, p)
		}
	}
	for _, p := range pairs {
		inv := &h[p.inv]
		switch inv.F {
		case "append":
			v, ok := asInt(inv.Value)
			if !ok {
				add(Problem{Check: CheckHistory, Key: inv.Key, Ops: []int{p.inv}, Detail: fmt.Sprintf("op %d: append of %s, want an integer", p.inv, histories.DescribeValue(inv.Value))})
				continue
			}
			w := appendWrite{inv: p.inv, done: -1, val: v}
			if p.done >= 0 && h[p.done].Type == histories.OK {
				w.done = p.done
			}
			if p.done < 0 || h[p.done].Type != histories.Fail {
				writes[inv.Key] = append(writes[inv.Key], w)
			}
		case "read":
			if p.done < 0 || h[p.done].Type != histories.OK {
				continue
			}
			vals, ok := lists.ints(inv.Key, h[p.done].Value)
			if !ok {
				add(Problem{Check: CheckHistory, Key: inv.Key, Ops: []int{p.done}, Detail: fmt.Sprintf("op %d: read returned %s, want a list of integers", p.done, histories.DescribeValue(h[p.done].Value))})
				continue
			}
			reads[inv.Key] = append(reads[inv.Key], appendRead{inv: p.inv, done: p.done, vals: vals})
		}
	}
	for _, key := range sortedKeys(reads, writes) {
		checkAppendKey(key, reads[key], writes[key], at, add)
	}
	return out
}

func checkAppendKey(key string, reads []appendRead, writes []appendWrite, at func(int) int64, add func(Problem)) {
	appended := make(map[int64]bool, len(writes))
	for _, w := range writes {
		appended[w.val] = true
	}
	var longest *appendRead
	pos := make(map[int64]int)
	for i := range reads {
		r := &reads[i]
		clear(pos)
		for j, v := range r.vals {
			if k, dup := pos[v]; dup {
				add(Problem{Check: CheckAppendDuplicate, Key: key, Ops: []int{r.done},
					Detail: fmt.Sprintf("read of key %s at history #%d returned %d twice (positions %d and %d)", quoteKey(key), r.done, v, k, j)})
			}
			pos[v] = j
			if !appended[v] {
				add(Problem{Check: CheckAppendPhantom, Key: key, Ops: []int{r.done},
					Detail: fmt.Sprintf("read of key %s at history #%d returned %d, which no op appended to it", quoteKey(key), r.done, v)})
			}
		}
		if longest == nil || len(r.vals) > len(longest.vals) {
			longest = r
		}
	}
	for _, r := range reads {
		for j, v := range r.vals {
			if longest.vals[j] != v {
				add(Problem{Check: CheckAppendPrefix, Key: key, Ops: []int{r.done, longest.done},
					Detail: fmt.Sprintf("reads of key %s at ops %d and %d disagree at position %d: %d vs %d", quoteKey(key), r.done, longest.done, j, v, longest.vals[j])})
				break
			}
		}
	}
	// The final read: the last ok read invoked after every acknowledged
	// append had completed.
	var lastAck int64 = -1 << 63
	acked := 0
	for _, w := range writes {
		if w.done >= 0 {
			lastAck = max(lastAck, at(w.done))
			acked++
		}
	}
	if acked == 0 {
		return
	}
	var final *appendRead
	for i := range reads {
		r := &reads[i]
		if at(r.inv) > lastAck && (final == nil || at(r.done) >= at(final.done)) {
			final = r
		}
	}
	if final == nil {
		return
	}
	in := make(map[int64]bool, len(final.vals))
	for _, v := range final.vals {
		in[v] = true
	}
	for _, w := range writes {
		if w.done >= 0 && !in[w.val] {
			add(Problem{Check: CheckAppendLost, Key: key, Ops: []int{w.done, final.done},
				Detail: fmt.Sprintf("append of %d to key %s acknowledged at history #%d is missing from the final read at history #%d", w.val, quoteKey(key), w.done, final.done)})
		}
	}
}

// sortedKeys is every key with a read or a write, in order.
func sortedKeys(reads map[string][]appendRead, writes map[string][]appendWrite) []string {
	keys := slices.Collect(maps.Keys(reads))
	for k := range writes {
		if _, ok := reads[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
