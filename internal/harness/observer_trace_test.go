package harness

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// traceWorld is a world with the observer and recorder wired as prepare wires
// them, for feeding the trace by hand.
type traceWorld struct {
	w   *sim.World
	obs *observer
	rec *clients.Recorder
	f   *simFaults
}

func newTraceWorld(t *testing.T) *traceWorld {
	t.Helper()
	w, err := sim.NewWorld(sim.Config{Seed: 1})
	require.NoError(t, err)
	tw := &traceWorld{w: w, obs: newObserver(w, 3, false, checker.ConfOnAppend)}
	tw.rec = clients.NewRecorder(func() int64 { return int64(w.Now()) })
	tw.rec.OnOp(tw.obs.traceOp)
	tw.f = &simFaults{w: w, rec: tw.rec, log: NewFaultLog(3)}
	return tw
}

// TestTraceSeesOpContent: the trace hash changes with anything an op, an
// applied command or a nemesis event says, not only with when it happened;
// the same content gives the same hash. Each case feeds the trace one step
// that differs from the base in one field only.
func TestTraceSeesOpContent(t *testing.T) {
	type step func(tw *traceWorld)
	invoke := func(process int, f, key string, value any) step {
		return func(tw *traceWorld) { tw.rec.Invoke(process, f, key, value) }
	}
	complete := func(typ histories.Type, value any, node int, errKind string) step {
		return func(tw *traceWorld) {
			tw.rec.Invoke(1, "put", "k", "v")
			tw.rec.Complete(1, typ, value, node, errKind)
		}
	}
	apply := func(data string) step {
		return func(tw *traceWorld) {
			tw.obs.Applied(1, raft.Entry{Index: 7, Term: 2, Data: []byte(data)})
		}
	}
	fault := func(name string, targets []int, detail string) step {
		return func(tw *traceWorld) {
			tw.f.Record(nemesis.Event{Fault: name, Start: true, Targets: targets, Detail: detail})
		}
	}
	tests := []struct {
		name       string
		base, diff step
	}{
		{"invoke process", invoke(1, "put", "k", "v"), invoke(2, "put", "k", "v")},
		{"invoke f", invoke(1, "put", "k", "v"), invoke(1, "append", "k", "v")},
		{"invoke key", invoke(1, "put", "k", "v"), invoke(1, "put", "j", "v")},
		{"invoke value", invoke(1, "put", "k", "v"), invoke(1, "put", "k", "w")},
		{"invoke value type", invoke(1, "write", "", int64(1)), invoke(1, "write", "", "1")},
		{"invoke list value", invoke(1, "cas", "", []any{int64(1), int64(2)}), invoke(1, "cas", "", []any{int64(2), int64(1)})},
		{"complete type", complete(histories.OK, nil, 1, ""), complete(histories.Info, nil, 1, "")},
		{"complete value", complete(histories.OK, "a", 1, ""), complete(histories.OK, "b", 1, "")},
		{"complete nil value", complete(histories.OK, nil, 1, ""), complete(histories.OK, "", 1, "")},
		{"complete node", complete(histories.OK, nil, 1, ""), complete(histories.OK, nil, 2, "")},
		{"complete error", complete(histories.Fail, nil, 1, "not-leader"), complete(histories.Fail, nil, 1, "timeout")},
		{"apply command", apply("put k 1"), apply("put k 2")},
		{"fault detail", fault("partition-random-halves", []int{1, 2}, "isolated 1"), fault("partition-random-halves", []int{1, 2}, "isolated 2")},
		{"fault targets", fault("crash-random", []int{1, 3}, ""), fault("crash-random", []int{1, 2}, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hash := func(s step) uint64 {
				tw := newTraceWorld(t)
				s(tw)
				require.NoError(t, tw.rec.Err())
				return tw.w.Trace().Hash()
			}
			base := hash(tt.base)
			assert.Equal(t, base, hash(tt.base), "the same steps must hash the same")
			assert.NotEqual(t, base, hash(tt.diff), "the trace does not see the difference")
		})
	}
}

// TestTraceOpRecords: the invoke and complete records name the process, the
// node that answered, the op's history index and its digest, as traceOp
// documents; nemesis ops add no client record.
func TestTraceOpRecords(t *testing.T) {
	tw := newTraceWorld(t)
	var got []sim.Record
	tw.w.Trace().SetSink(func(r sim.Record) { got = append(got, r) }, sim.KindInvoke, sim.KindComplete)
	tw.rec.Invoke(4, "get", "k", nil)
	tw.rec.Nemesis("start-crash-random", "nodes 1")
	tw.rec.Complete(4, histories.OK, "v", 3, "")
	h := tw.rec.History()
	require.Len(t, h, 3)
	want := []sim.Record{
		{Kind: sim.KindInvoke, A: 4, B: 0, X: 0, Y: int64(h[0].Digest())},
		{Kind: sim.KindComplete, A: 4, B: 3, X: 2, Y: int64(h[2].Digest())},
	}
	assert.Equal(t, want, got)
}

// TestTraceFaultTargets: a fault's start and stop records are followed by one
// record per target, so the trace names every target even when the detail
// does not.
func TestTraceFaultTargets(t *testing.T) {
	tw := newTraceWorld(t)
	var got []sim.Record
	tw.w.Trace().SetSink(func(r sim.Record) { got = append(got, r) }, sim.KindFaultStart, sim.KindFaultStop, sim.KindFaultTarget)
	tw.f.Record(nemesis.Event{Fault: "crash-majority", Start: true, Targets: []int{2, 4, 5}, Detail: "crashed a majority"})
	tw.f.Record(nemesis.Event{Fault: "crash-majority", Start: false, Targets: []int{2, 4, 5}})
	require.Len(t, got, 8)
	code := int64(faultCode("crash-majority"))
	for i, start := range []bool{true, false} {
		head := got[4*i]
		want := sim.KindFaultStop
		if start {
			want = sim.KindFaultStart
		}
		assert.Equal(t, want, head.Kind)
		for j, node := range []int{2, 4, 5} {
			r := got[4*i+1+j]
			assert.Equal(t, sim.KindFaultTarget, r.Kind)
			assert.Equal(t, node, r.A)
			assert.Equal(t, j, r.B)
			assert.Equal(t, code, r.X)
			assert.Equal(t, int64(b2i(start)), r.Y)
		}
	}
}

// TestUnknownPeerMessagesCounted: messages a node refuses as from outside its
// configuration are counted in the result, not dropped silently — there are
// some around membership changes and none without them.
func TestUnknownPeerMessagesCounted(t *testing.T) {
	cfg := quick(3)
	cfg.MaxTime = 60 * time.Second
	cfg.Nemesis.Faults = []string{"member-churn"}
	_, out := execute(t, cfg)
	assert.Positive(t, out.UnknownPeer)

	cfg.Nemesis.Faults = []string{"crash-random", "partition-random-halves"}
	_, out = execute(t, cfg)
	assert.Zero(t, out.UnknownPeer)
}
