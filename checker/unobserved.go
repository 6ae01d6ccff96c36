package checker

import (
	"sort"
	"strings"
)

// dropUnobservedWrites removes writes whose outcome is unknown (info, or never
// completed) and whose value no read ever observed, for the kv and append
// models. It is what keeps checking fast under faults: porcupine must keep
// every unknown write pending to the end of the history (it may take effect at
// any time, or never), and k of them multiply the states it explores by up to
// 2^k.
//
// Why it is sound for kv (get / put / append / delete of strings) and append
// (append of integers / read of the list): an unknown write X whose value v
// appears in no read can be placed, in any linearization, at the very end of
// the history — its return is at infinity, and at the end it is observed by
// nothing. So the history with X is linearizable if the history without X is.
// Conversely, take a linearization of the full history and delete X: the
// states it changes are those from X up to the next put or delete of the key
// (append only extends a value, so v stays a substring of it until then). A
// read in that window would have returned a value containing v, and none did,
// so no read lies in the window; the writes in it are unobserved too. Deleting
// X therefore leaves every read's result unchanged: the rest is still a
// linearization. Reads that returned before X was invoked lie before X in
// every linearization, so only the others are searched. The substring test is
// conservative: a value that merely looks observed is kept.
//
// Registers (read / write / cas on small integers) have no unique values, so
// nothing is dropped there.
func dropUnobservedWrites(ops []*linOp, model string) []*linOp {
	switch model {
	case ModelKV:
		return dropUnobservedKV(ops)
	case ModelAppend:
		return dropUnobservedAppends(ops)
	}
	return ops
}

// directScanMax is the most unknown writes on one key for which
// dropUnobservedKV scans the key's reads for each of them; beyond it, one
// sorted pass over the reads serves them all.
const directScanMax = 32

func dropUnobservedKV(ops []*linOp) []*linOp {
	isUnknownWrite := func(o *linOp) bool {
		return o.unknown && (o.kind == opPut || o.kind == opAppend) && o.str != ""
	}
	// Only keys with an unknown write need their reads.
	unknown := map[string]int{}
	for _, o := range ops {
		if isUnknownWrite(o) {
			unknown[o.key]++
		}
	}
	if len(unknown) == 0 {
		return ops
	}
	reads := map[string][]*linOp{}
	for _, o := range ops {
		if o.kind == opGet && !o.unknown && o.outStr != "" && unknown[o.key] > 0 {
			reads[o.key] = append(reads[o.key], o)
		}
	}
	observed := map[string]string{} // keys with many unknown writes: their maximal read values
	seen := func(w *linOp) bool {
		rs := reads[w.key]
		if unknown[w.key] <= directScanMax {
			// A read that returned before w was invoked cannot have seen
			// it (equal times overlap, as in porcupine).
			for _, r := range rs {
				if r.done >= w.call && strings.Contains(r.outStr, w.str) {
					return true
				}
			}
			return false
		}
		all, ok := observed[w.key]
		if !ok {
			all = maximalValues(rs)
			observed[w.key] = all
		}
		return strings.Contains(all, w.str)
	}
	out := ops[:0]
	for _, o := range ops {
		if isUnknownWrite(o) && !seen(o) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// maximalValues joins the values the reads returned, NUL-separated, leaving out
// any that is a prefix of another: it adds no substrings.
func maximalValues(rs []*linOp) string {
	vs := make([]string, len(rs))
	for i, r := range rs {
		vs[i] = r.outStr
	}
	sort.Strings(vs)
	var b strings.Builder
	for i, v := range vs {
		if i+1 < len(vs) && strings.HasPrefix(vs[i+1], v) {
			continue
		}
		b.WriteString(v)
		b.WriteByte(0)
	}
	return b.String()
}

func dropUnobservedAppends(ops []*linOp) []*linOp {
	seen := map[string]map[int64]bool{}
	for _, o := range ops {
		if o.kind == opRead && !o.unknown {
			m := seen[o.key]
			if m == nil {
				m = map[int64]bool{}
				seen[o.key] = m
			}
			for _, e := range o.outList {
				m[e] = true
			}
		}
	}
	out := ops[:0]
	for _, o := range ops {
		if o.unknown && o.kind == opAppend && !seen[o.key][o.num] {
			continue
		}
		out = append(out, o)
	}
	return out
}
