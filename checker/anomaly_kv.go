package checker

import "slices"

// kvParse is a kv value taken apart: the base it starts from (a put's value,
// or "" for the initial state or a delete) and the appended strings after it.
type kvParse struct {
	base    string
	fromPut bool // base is a put's value (not the empty start)
	seq     []string
}

// maxParsedValue bounds the values parseKV takes apart, in bytes.
const maxParsedValue = 1 << 20

// countParses counts, up to 2, the ways read rd's value decomposes into a
// base (the empty string, or the value of one of the key's puts) followed by
// any number of the key's appended strings, each usable any number of
// times; with exactly one way it returns it. ok is false when the value is
// too long or the budget is spent (then nothing can be said).
func (c *classifier) countParses(rd *linOp) (n int, p kvParse, ok bool) {
	s := rd.outStr
	if len(s) > maxParsedValue {
		return 0, kvParse{}, false
	}
	puts := make(map[string]bool)
	apps := make(map[string]bool)
	var lens []int
	for _, w := range c.writes {
		switch {
		case w.kind == opPut:
			puts[w.str] = true
		case w.kind == opAppend && w.str != "":
			if !apps[w.str] {
				apps[w.str] = true
				if !slices.Contains(lens, len(w.str)) {
					lens = append(lens, len(w.str))
				}
			}
		}
	}
	if !c.spend((len(s) + 1) * (len(lens) + 1)) {
		return 0, kvParse{}, false
	}
	// ways[i]: decompositions of s[:i], capped at 2; prev[i] the position
	// and string of the step that first reached i.
	ways := make([]uint8, len(s)+1)
	prev := make([]int, len(s)+1)
	add := func(to, from int, w uint8) {
		if w == 0 {
			return
		}
		if ways[to] == 0 {
			prev[to] = from
		}
		ways[to] = min(2, ways[to]+w)
	}
	ways[0] = 1 // the empty base
	prev[0] = -1
	baseAt := map[int]string{0: ""}
	for p := range puts {
		if p != "" && len(p) <= len(s) && s[:len(p)] == p {
			add(len(p), -1, 1)
			baseAt[len(p)] = p
		}
	}
	for i := 0; i < len(s); i++ {
		if ways[i] == 0 {
			continue
		}
		for _, l := range lens {
			if i+l <= len(s) && apps[s[i:i+l]] {
				add(i+l, i, ways[i])
			}
		}
	}
	n = int(ways[len(s)])
	if n != 1 {
		return n, kvParse{}, true
	}
	// Walk back along the one decomposition.
	i := len(s)
	for prev[i] >= 0 {
		p.seq = append(p.seq, s[prev[i]:i])
		i = prev[i]
	}
	slices.Reverse(p.seq)
	p.base = baseAt[i]
	p.fromPut = i > 0
	return 1, p, true
}

// parseKV is read rd's value's one decomposition (ok false when there is
// none, more than one, or it could not be computed).
func (c *classifier) parseKV(rd *linOp) (kvParse, bool) {
	if c.parsed == nil {
		c.parsed = make(map[*linOp]*kvParseResult)
	}
	if res, ok := c.parsed[rd]; ok {
		return res.p, res.ok
	}
	n, p, ok := c.countParses(rd)
	res := &kvParseResult{p: p, ok: ok && n == 1}
	c.parsed[rd] = res
	return res.p, res.ok
}

type kvParseResult struct {
	p  kvParse
	ok bool
}
