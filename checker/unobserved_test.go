package checker

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// genConcurrent builds a random concurrent history of a real sequential store:
// each op takes effect at a random moment between its invoke and completion,
// some complete as info (applied or not), and with probability corrupt a read
// result is altered so the history may be illegal.
func genConcurrent(rng *rand.Rand, model string, corrupt float64) histories.History {
	const procs, steps = 4, 60
	type pending struct {
		f, key  string
		val     any
		applied bool
		out     any
		info    bool
	}
	var h histories.History
	state := map[string]string{}
	lists := map[string][]any{}
	cur := make([]*pending, procs)
	proc := make([]int, procs)
	for i := range proc {
		proc[i] = i
	}
	seq := 0
	t := int64(0)
	add := func(op histories.Op) {
		t += 10
		op.Index, op.Time = len(h), t
		h = append(h, op)
	}
	for step := 0; step < steps; step++ {
		p := rng.IntN(procs)
		c := cur[p]
		switch {
		case c == nil:
			key := fmt.Sprint(rng.IntN(2))
			seq++
			np := &pending{key: key}
			switch r := rng.IntN(3); {
			case r == 0:
				np.f = map[string]string{ModelKV: "get", ModelAppend: "read"}[model]
			case r == 1 && model == ModelKV:
				np.f, np.val = "put", fmt.Sprintf("<%d>", seq)
			default:
				np.f = "append"
				if model == ModelKV {
					np.val = fmt.Sprintf("<%d>", seq)
				} else {
					np.val = int64(seq)
				}
			}
			cur[p] = np
			var v any
			if np.f != "get" && np.f != "read" {
				v = np.val
			}
			add(histories.Op{Process: proc[p], Type: histories.Invoke, F: np.f, Key: key, Value: v})
		case !c.applied && !c.info && rng.IntN(3) > 0:
			c.applied = true
			switch c.f {
			case "get":
				if s, ok := state[c.key]; ok {
					c.out = s
				}
			case "read":
				c.out = append([]any{}, lists[c.key]...)
			case "put":
				state[c.key] = c.val.(string)
			case "append":
				if model == ModelKV {
					state[c.key] += c.val.(string)
				} else {
					lists[c.key] = append(lists[c.key], c.val)
				}
			}
		default:
			if (c.f == "put" || c.f == "append") && rng.IntN(4) == 0 {
				// Unknown outcome: applied or lost.
				add(histories.Op{Process: proc[p], Type: histories.Info, F: c.f, Key: c.key, Value: c.val, Error: "timeout"})
				proc[p] += procs
				cur[p] = nil
				continue
			}
			if !c.applied {
				continue // must take effect before an ok completion
			}
			out := c.out
			if c.f != "get" && c.f != "read" {
				out = c.val
			} else if rng.Float64() < corrupt {
				if model == ModelKV {
					out = fmt.Sprintf("<%d>", rng.IntN(seq+1))
				} else {
					out = []any{int64(rng.IntN(seq + 1))}
				}
			}
			add(histories.Op{Process: proc[p], Type: histories.OK, F: c.f, Key: c.key, Value: out})
			cur[p] = nil
		}
	}
	return h
}

// TestDropUnobservedWritesKeepsVerdicts compares the reduced search with the
// plain one on random histories, legal and corrupted: the verdicts must agree.
func TestDropUnobservedWritesKeepsVerdicts(t *testing.T) {
	for _, model := range []string{ModelKV, ModelAppend} {
		illegal, dropped := 0, 0
		for seed := uint64(0); seed < 400; seed++ {
			rng := rand.New(rand.NewPCG(seed, 7))
			h := genConcurrent(rng, model, 0.15)
			plain, err := CheckLinearizable(h, LinOptions{Model: model, KeepUnobservedWrites: true, ExplainChecks: -1})
			require.NoError(t, err, "seed %d", seed)
			reduced, err := CheckLinearizable(h, LinOptions{Model: model, ExplainChecks: -1})
			require.NoError(t, err, "seed %d", seed)
			require.Equal(t, plain.Result, reduced.Result, "%s seed %d: plain %s, reduced %s", model, seed, plain.Result, reduced.Result)
			if plain.Result == LinIllegal {
				illegal++
			}
			dropped += plain.Ops - reduced.Ops
		}
		// The comparison must cover both verdicts and actually drop writes.
		assert.Greater(t, illegal, 20, model)
		assert.Less(t, illegal, 380, model)
		assert.Greater(t, dropped, 50, model)
	}
}

func TestDropUnobservedWritesKeepsObservedOnes(t *testing.T) {
	h := histories.History{
		{Index: 0, Process: 0, Type: histories.Invoke, F: "append", Key: "k", Value: "<a>", Time: 1},
		{Index: 1, Process: 0, Type: histories.Info, F: "append", Key: "k", Value: "<a>", Time: 2, Error: "timeout"},
		{Index: 2, Process: 1, Type: histories.Invoke, F: "put", Key: "k", Value: "<b>", Time: 3},
		{Index: 3, Process: 1, Type: histories.Info, F: "put", Key: "k", Value: "<b>", Time: 4, Error: "timeout"},
		{Index: 4, Process: 2, Type: histories.Invoke, F: "get", Key: "k", Time: 5},
		{Index: 5, Process: 2, Type: histories.OK, F: "get", Key: "k", Value: "<a>", Time: 6},
	}
	r, err := CheckLinearizable(h, LinOptions{Model: ModelKV})
	require.NoError(t, err)
	assert.Equal(t, LinOK, r.Result)
	assert.Equal(t, 2, r.Ops, "the observed append and the read stay; the unobserved put goes")
}
