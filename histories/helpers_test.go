package histories

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// simulateHistory builds a history of n ops shaped like a simulated run:
// threads client threads against nodes servers, Jepsen's process model, a kv
// workload (get/put/append on 10 keys with "x p s y" values). With faults, ops
// also fail or time out (info, after which the thread takes a fresh process)
// and the nemesis records partitions.
func simulateHistory(n, threads, nodes int, faults bool, seed uint64) History {
	rng := rand.New(rand.NewPCG(seed, 1))
	h := make(History, 0, n)
	process := make([]int, threads)
	inflight := make([]int, threads) // index of the open invoke + 1
	seq := make([]int, threads)
	for t := range process {
		process[t] = t
	}
	var now int64
	add := func(op Op) {
		op.Index = len(h)
		op.Time = now
		h = append(h, op)
	}
	for len(h) < n {
		now += 1 + rng.Int64N(2_000_000)
		if faults && rng.IntN(200) == 0 {
			add(Op{Process: NemesisProcess, Type: Info, F: "start-partition", Value: "1,2|3,4,5"})
			continue
		}
		t := rng.IntN(threads)
		if inv := inflight[t] - 1; inv >= 0 {
			op := h[inv]
			op.Type = OK
			op.Node = 1 + rng.IntN(nodes)
			if op.F == "get" {
				op.Value = nil
				if rng.IntN(4) > 0 {
					op.Value = "x " + strconv.Itoa(rng.IntN(threads)) + " " + strconv.Itoa(rng.IntN(100)) + " y"
				}
			}
			if faults {
				switch rng.IntN(10) {
				case 0:
					op.Type, op.Error = Fail, "not-leader"
				case 1:
					op.Type, op.Error, op.Node = Info, "timeout", 0
				}
				if op.F == "get" && op.Type != OK {
					op.Value = nil
				}
			}
			add(op)
			inflight[t] = 0
			if op.Type == Info {
				process[t] += threads
			}
			continue
		}
		op := Op{Process: process[t], Type: Invoke, Key: strconv.Itoa(rng.IntN(10))}
		switch rng.IntN(3) {
		case 0:
			op.F = "get"
		case 1:
			op.F = "put"
		default:
			op.F = "append"
		}
		if op.F != "get" {
			seq[t]++
			op.Value = "x " + strconv.Itoa(process[t]) + " " + strconv.Itoa(seq[t]) + " y"
		}
		add(op)
		inflight[t] = len(h)
	}
	return h
}

// awkwardHistory holds every shape of op and value the formats must carry.
func awkwardHistory() History {
	ops := []Op{
		{Process: 0, Type: Invoke, F: "write", Value: int64(math.MaxInt64), Time: 0},
		{Process: 1, Type: Invoke, F: "cas", Value: []any{int64(math.MinInt64), int64(-1)}, Time: 1},
		{Process: 0, Type: OK, F: "write", Value: int64(math.MaxInt64), Time: 2, Node: 5},
		{Process: 1, Type: Fail, F: "cas", Value: []any{int64(math.MinInt64), int64(-1)}, Time: 3, Node: 2, Error: "cas-mismatch"},
		{Process: NemesisProcess, Type: Info, F: "start-partition", Value: "isolated 3 from {1,2,4,5}", Time: 4},
		{Process: 2, Type: Invoke, F: "put", Key: "k \"quoted\"\n", Value: "tab\there \\ back\x00slash é 日本 🙂", Time: 5},
		{Process: 2, Type: Info, F: "put", Key: "k \"quoted\"\n", Value: "tab\there \\ back\x00slash é 日本 🙂", Time: 6, Error: "timeout after 2 attempts"},
		{Process: 12, Type: Invoke, F: "read", Key: "7", Value: nil, Time: 6},
		{Process: 12, Type: OK, F: "read", Key: "7", Value: []any{int64(1), int64(2), int64(300)}, Time: 7, Node: 1},
		{Process: 12, Type: Invoke, F: "read", Key: "8", Value: nil, Time: 8},
		{Process: 12, Type: OK, F: "read", Key: "8", Value: []any{}, Time: 9, Node: 1},
		{Process: 12, Type: Invoke, F: "weird f/with:colon", Key: "x", Value: []any{"x", []any{nil, "", int64(0)}}, Time: 10},
		{Process: 12, Type: OK, F: "weird f/with:colon", Key: "x", Value: []any{"x", []any{nil, "", int64(0)}}, Time: 11, Node: 3, Error: ""},
		{Process: 13, Type: Invoke, F: "get", Key: "", Value: "", Time: 12},
		{Process: math.MaxInt, Type: Invoke, F: "get", Time: 12, Node: math.MaxInt},
		{Process: NemesisProcess, Type: Info, F: "stop-partition", Value: nil, Time: 12},
	}
	for i := range ops {
		ops[i].Index = i
	}
	return ops
}
