package checker

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kvEvent is a pending step of the generator: an op taking effect
// (linearization point) or completing.
type kvEvent struct {
	t      int64
	client int
	kind   int // kvInvoke, kvApply or kvComplete
}

const (
	kvInvoke = iota
	kvApply
	kvComplete
)

type kvQueue []kvEvent

func (q kvQueue) Len() int { return len(q) }
func (q kvQueue) Less(i, j int) bool {
	if q[i].t != q[j].t {
		return q[i].t < q[j].t
	}
	return q[i].client < q[j].client
}
func (q kvQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *kvQueue) Push(x any)   { *q = append(*q, x.(kvEvent)) }
func (q *kvQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// genKV records a linearizable kv history like the standard run's: clients
// issue get/put/append on keys with unique values; each op takes effect at
// a random point inside its interval on an atomic map; ops whose reply is
// lost (infoRate) end as info, and their clients move to a fresh process.
func genKV(seed uint64, ops, clients, keys int, infoRate float64) histories.History {
	rng := rand.New(rand.NewPCG(seed, 0x6b76))
	store := make(map[string]string)
	type inflight struct {
		process int
		inv     histories.Op
		out     any
	}
	cur := make([]inflight, clients)
	var h histories.History
	q := &kvQueue{}
	issued := 0
	issue := func(c int, t int64) {
		if issued == ops {
			return
		}
		issued++
		heap.Push(q, kvEvent{t: t, client: c, kind: kvInvoke})
	}
	invoke := func(c int, t int64) {
		key := fmt.Sprint(rng.IntN(keys))
		op := histories.Op{Process: cur[c].process, Type: histories.Invoke, Key: key, Time: t}
		switch r := rng.IntN(10); {
		case r < 5:
			op.F = "get"
		case r < 7:
			op.F, op.Value = "put", fmt.Sprintf("x %d %d y", c, len(h))
		default:
			op.F, op.Value = "append", fmt.Sprintf("x %d %d y", c, len(h))
		}
		op.Index = len(h)
		h = append(h, op)
		cur[c].inv = op
		heap.Push(q, kvEvent{t: t + 1 + rng.Int64N(5_000_000), client: c, kind: kvApply})
	}
	for c := range clients {
		cur[c].process = c
		issue(c, int64(c))
	}
	for q.Len() > 0 {
		e := heap.Pop(q).(kvEvent)
		c := &cur[e.client]
		switch e.kind {
		case kvInvoke:
			invoke(e.client, e.t)
			continue
		case kvApply:
			switch c.inv.F {
			case "get":
				if v, ok := store[c.inv.Key]; ok {
					c.out = v
				} else {
					c.out = nil
				}
			case "put":
				store[c.inv.Key] = c.inv.Value.(string)
				c.out = c.inv.Value
			case "append":
				store[c.inv.Key] += c.inv.Value.(string)
				c.out = c.inv.Value
			}
			heap.Push(q, kvEvent{t: e.t + 1 + rng.Int64N(5_000_000), client: e.client, kind: kvComplete})
			continue
		}
		done := histories.Op{Index: len(h), Process: c.process, Type: histories.OK, F: c.inv.F, Key: c.inv.Key, Value: c.out, Time: e.t, Node: 1 + rng.IntN(5)}
		if rng.Float64() < infoRate {
			done.Type, done.Error = histories.Info, "timeout"
			if c.inv.F == "get" {
				done.Value = nil
			}
			c.process += clients
		}
		h = append(h, done)
		issue(e.client, e.t+rng.Int64N(1_000_000))
	}
	return h
}

func TestGeneratedKVHistory(t *testing.T) {
	h := genKV(1, 6000, 10, 10, 0.01)
	require.Len(t, h, 12000)
	r, err := CheckLinearizable(h, LinOptions{})
	require.NoError(t, err)
	assert.Equal(t, ModelKV, r.Model)
	assert.Equal(t, LinOK, r.Result)
	assert.Equal(t, 10, r.Partitions)

	// Make one get stale: the checker must notice and explain it briefly.
	bad := append(histories.History(nil), h...)
	for i := len(bad) / 2; i < len(bad); i++ {
		if bad[i].Type == histories.OK && bad[i].F == "get" && bad[i].Value != nil {
			bad[i].Value = "x 99 99 y"
			break
		}
	}
	r, err = CheckLinearizable(bad, LinOptions{})
	require.NoError(t, err)
	assert.Equal(t, LinIllegal, r.Result)
	assert.LessOrEqual(t, len(r.Counterexample), 3, "a get of a value nobody wrote needs little context: %v", r.Explain(nil))
}

// BenchmarkCheckKV6000 checks a history of the standard run's size: 6,000
// ops over 10 keys from 10 clients.
func BenchmarkCheckKV6000(b *testing.B) {
	h := genKV(1, 6000, 10, 10, 0.01)
	b.ReportAllocs()
	for b.Loop() {
		r, err := CheckLinearizable(h, LinOptions{})
		if err != nil || r.Result != LinOK {
			b.Fatal(err, r.Result)
		}
	}
}

// BenchmarkEtcdLogs checks all 80 shared Jepsen etcd logs, counterexample
// search included.
func BenchmarkEtcdLogs(b *testing.B) {
	var hs []histories.History
	for _, c := range etcdCases(b) {
		h, err := readEtcdLog(filepath.Join(porcupineData, c.file))
		if err != nil {
			b.Fatal(err)
		}
		hs = append(hs, h)
	}
	for _, explain := range []int{-1, 0} {
		name := "verdicts"
		if explain == 0 {
			name = "with-counterexamples"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				for _, h := range hs {
					if _, err := CheckLinearizable(h, LinOptions{ExplainChecks: explain}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkInvariantsPerEntry: one entry appended, committed and applied on
// five nodes.
func BenchmarkInvariantsPerEntry(b *testing.B) {
	c := NewInvariants()
	c.Role(0, 1, RoleLeader, 1)
	es := make([]Entry, 1)
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		i++
		es[0] = Entry{Index: i, Term: 1, Digest: i * 31}
		t := int64(i)
		for node := 1; node <= 5; node++ {
			c.Append(t, node, es)
			c.Commit(t, node, i)
			c.Apply(t, node, i, 1, i*31)
		}
	}
	if len(c.Violations()) > 0 {
		b.Fatal(c.Violations())
	}
}
