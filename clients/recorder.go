package clients

import (
	"fmt"

	"github.com/raftcheck/raftcheck/histories"
)

// DefaultMaxOps bounds a Recorder's history unless SetLimit changes it: about
// 200 MB of ops, far beyond a standard run.
const DefaultMaxOps = 1 << 21

// Recorder collects a run's history: every client's invokes and completions
// and the nemesis's events, stamped with global virtual time (never a host's
// skewed clock). It is bounded: once the limit is reached it refuses new
// invokes and nemesis events (completions of recorded invokes are still
// taken, so the history stays well formed) and Err reports the overflow.
type Recorder struct {
	now func() int64
	// ops are kept in fixed-size chunks: appending never copies the history
	// recorded so far, which for a long run is hundreds of megabytes.
	chunks  []histories.History
	n       int               // ops recorded
	flat    histories.History // History's result, valid while len(flat) == n
	lastT   int64             // time of the latest op: times never go back
	limit   int               // bound on n for invokes and nemesis events
	open    []openOp          // the in-flight invoke of each process; at most one per live thread
	dropped int               // invokes and nemesis events refused at the limit
	fullAt  int64             // time of the first refusal (valid when dropped > 0)
	err     error             // first misuse
	onOp    func(op *histories.Op)
}

type openOp struct {
	process, index int
}

// NewRecorder returns a recorder that reads the global virtual time from now.
func NewRecorder(now func() int64) *Recorder {
	return &Recorder{now: now, limit: DefaultMaxOps}
}

// SetLimit sets the bound on recorded invokes and nemesis events (n ≥ 1).
func (r *Recorder) SetLimit(n int) {
	r.limit = max(n, 1)
}

// OnOp makes fn see every op as it is recorded (nil turns it off), e.g. to
// fold the history into a run's trace hash. fn runs inside Invoke, Complete
// and Nemesis; it must not keep op, nor call the recorder.
func (r *Recorder) OnOp(fn func(op *histories.Op)) {
	r.onOp = fn
}

// chunkBits sets the chunk size: 4096 ops, about 400 KB.
const chunkBits = 12

// Full reports whether the recorder refuses new invokes.
func (r *Recorder) Full() bool {
	return r.n >= r.limit
}

// Len returns the number of recorded ops.
func (r *Recorder) Len() int {
	return r.n
}

// op returns the op at index i.
func (r *Recorder) op(i int) *histories.Op {
	return &r.chunks[i>>chunkBits][i&(1<<chunkBits-1)]
}

// Invoke records process starting an operation and returns its index, or -1
// if the recorder is full or the call is invalid (see Err).
func (r *Recorder) Invoke(process int, f, key string, value any) (index int) {
	if r.Full() {
		r.drop()
		return -1
	}
	if process < 0 {
		r.fail(fmt.Errorf("recorder: invoke by invalid process %d", process))
		return -1
	}
	if i := r.find(process); i >= 0 {
		r.fail(fmt.Errorf("recorder: process %d invokes %s while op %d is in flight", process, f, r.open[i].index))
		return -1
	}
	index = r.add(histories.Op{Process: process, Type: histories.Invoke, F: f, Key: key, Value: value})
	r.open = append(r.open, openOp{process: process, index: index})
	return index
}

// Complete records the completion of process's in-flight operation: t is OK,
// Fail or Info; node is the server that answered (0 if none did); errKind is
// the reason of a fail or info ("timeout", "not-leader", ...).
func (r *Recorder) Complete(process int, t histories.Type, value any, node int, errKind string) {
	if t != histories.OK && t != histories.Fail && t != histories.Info {
		r.fail(fmt.Errorf("recorder: process %d completes with type %v", process, t))
		return
	}
	i := r.find(process)
	if i < 0 {
		// Either the invoke was refused (full recorder) or a client bug.
		if !r.Full() {
			r.fail(fmt.Errorf("recorder: process %d completes (%v) with no operation in flight", process, t))
		}
		return
	}
	inv := r.op(r.open[i].index)
	r.open[i] = r.open[len(r.open)-1]
	r.open = r.open[:len(r.open)-1]
	r.add(histories.Op{Process: process, Type: t, F: inv.F, Key: inv.Key, Value: value, Node: node, Error: errKind})
}

// Nemesis records a fault event (Jepsen's :process :nemesis, always info),
// e.g. Nemesis("start-partition", "isolated 3 from {1,2,4,5}").
func (r *Recorder) Nemesis(f string, value any) {
	if r.Full() {
		r.drop()
		return
	}
	r.add(histories.Op{Process: histories.NemesisProcess, Type: histories.Info, F: f, Value: value})
}

// History returns the ops recorded so far, in one slice assembled on the
// first call after a change (O(n); call it at the end of a run). The slice is
// shared with later calls: read it, do not modify it.
func (r *Recorder) History() histories.History {
	if r.flat == nil || len(r.flat) != r.n {
		r.flat = make(histories.History, 0, r.n)
		for _, c := range r.chunks {
			r.flat = append(r.flat, c...)
		}
	}
	return r.flat[:r.n:r.n]
}

// Err returns the first misuse (an invalid op, a completion without an
// invoke, time going backwards) or, failing that, the overflow of the limit.
// In simulation a misuse is a bug in a client; the run must report it.
func (r *Recorder) Err() error {
	if r.err != nil {
		return r.err
	}
	if r.dropped > 0 {
		return fmt.Errorf("recorder: limit of %d ops reached: %d invokes and nemesis events dropped", r.limit, r.dropped)
	}
	return nil
}

// Misuse returns the first misuse (see Err), but not the overflow of the
// limit: a full recorder is a truncated history, not a bug.
func (r *Recorder) Misuse() error {
	return r.err
}

// Limit returns the bound on recorded invokes and nemesis events.
func (r *Recorder) Limit() int {
	return r.limit
}

// Overflow reports how many invokes and nemesis events were refused at the
// limit and the virtual time of the first refusal (dropped == 0: none were).
func (r *Recorder) Overflow() (dropped int, at int64) {
	return r.dropped, r.fullAt
}

func (r *Recorder) drop() {
	if r.dropped == 0 {
		r.fullAt = r.now()
	}
	r.dropped++
}

func (r *Recorder) add(op histories.Op) int {
	op.Index = r.n
	op.Time = r.now()
	if r.n > 0 && op.Time < r.lastT {
		r.fail(fmt.Errorf("recorder: op %d at time %d is before op %d at time %d", op.Index, op.Time, r.n-1, r.lastT))
	}
	r.lastT = op.Time
	if err := histories.CheckValue(op.Value); err != nil {
		r.fail(fmt.Errorf("recorder: op %d (%s by process %d): %w", op.Index, op.F, op.Process, err))
	}
	if op.F == "" {
		r.fail(fmt.Errorf("recorder: op %d by process %d has no f", op.Index, op.Process))
	}
	if r.n&(1<<chunkBits-1) == 0 {
		r.chunks = append(r.chunks, make(histories.History, 0, 1<<chunkBits))
	}
	last := &r.chunks[len(r.chunks)-1]
	*last = append(*last, op)
	r.n++
	if r.onOp != nil {
		r.onOp(&(*last)[len(*last)-1])
	}
	return op.Index
}

func (r *Recorder) find(process int) int {
	for i := range r.open {
		if r.open[i].process == process {
			return i
		}
	}
	return -1
}

func (r *Recorder) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}
