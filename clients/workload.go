package clients

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/kvstore"
)

// registerKey is the store key of the register workload (histories record it
// as the single register, Key "").
const registerKey = "register"

// opSpec is one generated operation: what the history records and what the
// store is asked.
type opSpec struct {
	f     string // history f
	key   string // history key ("" for the register)
	value any    // history value of the invoke

	kind     kvstore.OpKind
	storeKey string
	arg      string // Request.Value
	expected string // Request.Expected (cas)
}

// generator draws a thread's operations. All randomness comes from rng, in a
// fixed order per operation, so a seed fixes the workload.
type generator struct {
	workload string
	thread   int
	threads  int
	rng      *rand.Rand

	fs  []string  // operations of the mix
	cum []float64 // cumulative weights, cum[len-1] is the total

	keyNames []string // "0".."Keys-1"
	zipf     *rand.Zipf
	values   []string // register: decimal text of 0..RegisterValues-1

	appends int64  // append workload: appends issued by this thread
	buf     []byte // scratch for building values
	// reads keeps, per key, the append workload's latest read by this
	// thread (see readList).
	reads map[string]*readTip
}

// readTip is the latest list a thread read of a key: its text and its
// elements. The array under vals is shared by recorded reads up to
// len(vals) and only ever appended to past it.
type readTip struct {
	text string
	vals []any
}

func newGenerator(cfg *Config, thread int, rng *rand.Rand) *generator {
	g := &generator{workload: cfg.Workload, thread: thread, threads: cfg.Threads, rng: rng}
	total := 0.0
	for _, w := range cfg.mix() {
		total += w.Weight
		g.fs = append(g.fs, w.F)
		g.cum = append(g.cum, total)
	}
	switch cfg.Workload {
	case Register:
		g.values = make([]string, cfg.RegisterValues)
		for i := range g.values {
			g.values[i] = strconv.Itoa(i)
		}
	default:
		g.keyNames = make([]string, cfg.Keys)
		for i := range g.keyNames {
			g.keyNames[i] = strconv.Itoa(i)
		}
		if cfg.KeyDist == Zipf {
			g.zipf = rand.NewZipf(rng, cfg.ZipfS, 1, uint64(cfg.Keys-1))
		}
	}
	return g
}

// pickF draws an operation from the mix.
func (g *generator) pickF() string {
	x := g.rng.Float64() * g.cum[len(g.cum)-1]
	for i, c := range g.cum {
		if x < c {
			return g.fs[i]
		}
	}
	// x == total only through rounding: the last op with a positive weight.
	for i := len(g.cum) - 1; i > 0; i-- {
		if g.cum[i] > g.cum[i-1] {
			return g.fs[i]
		}
	}
	return g.fs[0]
}

// pickKey draws a key index.
func (g *generator) pickKey() int {
	if g.zipf != nil {
		return int(g.zipf.Uint64())
	}
	return g.rng.IntN(len(g.keyNames))
}

// next draws the next operation of process, whose seq-th operation it is.
func (g *generator) next(process int, seq uint64) opSpec {
	f := g.pickF()
	switch g.workload {
	case Register:
		return g.register(f)
	case KV:
		return g.kv(f, process, seq)
	}
	return g.appendOp(f)
}

func (g *generator) register(f string) opSpec {
	s := opSpec{f: f, storeKey: registerKey}
	switch f {
	case "read":
		s.kind = kvstore.OpGet
	case "write":
		v := g.rng.IntN(len(g.values))
		s.kind, s.value, s.arg = kvstore.OpPut, int64(v), g.values[v]
	case "cas":
		a, b := g.rng.IntN(len(g.values)), g.rng.IntN(len(g.values))
		s.kind, s.value = kvstore.OpCAS, []any{int64(a), int64(b)}
		s.expected, s.arg = g.values[a], g.values[b]
	}
	return s
}

func (g *generator) kv(f string, process int, seq uint64) opSpec {
	key := g.keyNames[g.pickKey()]
	s := opSpec{f: f, key: key, storeKey: key}
	switch f {
	case "get":
		s.kind = kvstore.OpGet
	case "delete":
		s.kind = kvstore.OpDelete
	case "put", "append":
		s.kind = kvstore.OpPut
		if f == "append" {
			s.kind = kvstore.OpAppend
		}
		// "x <process> <seq> y": unique, and readable inside a concatenation.
		g.buf = append(g.buf[:0], "x "...)
		g.buf = strconv.AppendInt(g.buf, int64(process), 10)
		g.buf = append(g.buf, ' ')
		g.buf = strconv.AppendUint(g.buf, seq, 10)
		g.buf = append(g.buf, " y"...)
		v := string(g.buf)
		s.value, s.arg = v, v
	}
	return s
}

func (g *generator) appendOp(f string) opSpec {
	key := g.keyNames[g.pickKey()]
	s := opSpec{f: f, key: key, storeKey: key}
	if f == "read" {
		s.kind = kvstore.OpGet
		return s
	}
	// Unique across threads: thread + k·threads for this thread's k-th append.
	v := int64(g.thread) + g.appends*int64(g.threads)
	g.appends++
	g.buf = strconv.AppendInt(g.buf[:0], v, 10)
	g.buf = append(g.buf, ' ')
	s.kind, s.value, s.arg = kvstore.OpAppend, v, string(g.buf)
	return s
}

// errBadResponse marks a response whose value the workload cannot read.
var errBadResponse = errors.New("bad-response")

// okValue maps a successful response to the value the history records.
func (g *generator) okValue(s *opSpec, resp *kvstore.Response) (any, error) {
	if s.kind != kvstore.OpGet {
		return s.value, nil
	}
	switch g.workload {
	case Register:
		if !resp.Found {
			return nil, nil
		}
		v, err := strconv.ParseInt(resp.Value, 10, 64)
		if err != nil {
			return nil, errBadResponse
		}
		return v, nil
	case KV:
		if !resp.Found {
			return nil, nil
		}
		return resp.Value, nil
	}
	return g.readList(s.key, resp.Value)
}

// readList parses an append-workload read of key. A closed-loop thread reads
// the same ever longer list again and again: parsed afresh each time, the
// history holds O(reads × length) boxed integers — gigabytes for a minute
// of closed loop. A read whose text extends this thread's previous read of
// the key, or is a prefix of it (a stale read), shares that read's elements
// instead: the recorded slice is a window, without spare capacity, on one
// array. The values are the same as parseList's.
func (g *generator) readList(key, s string) ([]any, error) {
	t := g.reads[key]
	if t != nil && len(s) <= len(t.text) && strings.HasPrefix(t.text, s) && (s == "" || s[len(s)-1] == ' ') {
		// A stale read: the first tokens of the previous one.
		n := strings.Count(s, " ")
		return t.vals[:n:n], nil
	}
	if t == nil || !strings.HasPrefix(s, t.text) {
		vals, err := parseList(s)
		if err != nil {
			return nil, err
		}
		if t == nil || len(vals) >= len(t.vals) {
			if g.reads == nil {
				g.reads = make(map[string]*readTip)
			}
			g.reads[key] = &readTip{text: s, vals: vals}
		}
		return vals[:len(vals):len(vals)], nil
	}
	// t.text is empty or ends with a token's space: s continues at a token.
	more, err := parseList(s[len(t.text):])
	if err != nil {
		return nil, err
	}
	t.text, t.vals = s, append(t.vals, more...)
	return t.vals[:len(t.vals):len(t.vals)], nil
}

// parseList reads an append workload value: decimal tokens each followed by a
// space. A missing key reads as the empty list.
func parseList(s string) ([]any, error) {
	out := []any{}
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		if j == i || j == len(s) {
			// An empty token, or a last token without its space: the store
			// did not apply appends whole.
			return nil, errBadResponse
		}
		v, err := strconv.ParseInt(s[i:j], 10, 64)
		if err != nil {
			return nil, errBadResponse
		}
		out = append(out, v)
		i = j + 1
	}
	return out, nil
}
