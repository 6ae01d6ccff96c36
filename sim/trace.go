package sim

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// Kind is the type of a trace record.
type Kind uint8

// Engine record kinds. A and B are addresses (0 when not applicable); X and Y
// are documented per kind.
const (
	KindSend      Kind = iota + 1 // A→B; X message kind, Y latency drawn
	KindDeliver                   // A→B; X message kind
	KindDrop                      // A→B; X DropReason, Y message kind
	KindDuplicate                 // A→B; X message kind, Y latency of the copy
	KindHold                      // at paused host A from B; X HeldKind, Y message kind or tag
	KindTimer                     // host A's timer (A=0: a world timer); X tag
	KindCallback                  // a World.After callback ran
	KindSync                      // host A's sync completed; X tag, Y write watermark
	KindWrite                     // host A's disk; X WriteOp, Y bytes
	KindCrash                     // host A crashed; X unsynced writes, Y kept whole<<32 | torn bytes
	KindRestart                   // host A started; X incarnation, Y 1 if start failed
	KindPause                     // host A paused
	KindResume                    // host A resumed; X items held
	KindClock                     // host A's clock changed; X offset, Y drift in ppb
	KindCorrupt                   // host A's disk; X offset, Y bit
	KindWipe                      // host A's disk was wiped
	KindLink                      // link A→B; X 1 blocked, 0 unblocked
	KindNet                       // network knob; A→B for a link knob, X NetKnob, Y value
)

// Application record kinds, emitted by other packages through Trace.Emit. The
// engine never emits them; their A, B, X, Y are defined by the emitter.
const (
	KindRole        Kind = 32 + iota // a node's role/term/leader changed
	KindCommit                       // a node's commit index advanced
	KindApply                        // a node applied an entry
	KindInvoke                       // a client invoked an operation
	KindComplete                     // a client operation completed
	KindFaultStart                   // a nemesis fault began
	KindFaultStop                    // a nemesis fault ended
	KindAnomaly                      // an impossible state: a found bug
	KindFaultTarget                  // one target of the fault start/stop just recorded
	// KindUser is the first kind free for other uses: KindUser+n, n < 192.
	KindUser Kind = 64
)

var kindNames = [...]string{
	KindSend: "send", KindDeliver: "deliver", KindDrop: "drop", KindDuplicate: "dup",
	KindHold: "hold", KindTimer: "timer", KindCallback: "callback", KindSync: "sync",
	KindWrite: "write", KindCrash: "crash", KindRestart: "restart", KindPause: "pause",
	KindResume: "resume", KindClock: "clock", KindCorrupt: "corrupt", KindWipe: "wipe",
	KindLink: "link", KindNet: "net",
	KindRole: "role", KindCommit: "commit", KindApply: "apply", KindInvoke: "invoke",
	KindComplete: "complete", KindFaultStart: "fault-start", KindFaultStop: "fault-stop",
	KindAnomaly: "anomaly", KindFaultTarget: "fault-target",
}

// String returns the record kind's JSON name ("deliver", "user+3").
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	if k >= KindUser {
		return "user+" + strconv.Itoa(int(k-KindUser))
	}
	return "kind" + strconv.Itoa(int(k))
}

// DropReason is X of a KindDrop record.
type DropReason uint8

// Why a message was dropped.
const (
	DropPartition      DropReason = iota + 1 // its link was blocked at delivery time
	DropLoss                                 // random loss at send time
	DropDead                                 // its recipient was crashed
	DropPausedOverflow                       // its paused recipient's queue was full
)

// String names the reason as the reports show it.
func (r DropReason) String() string {
	switch r {
	case DropPartition:
		return "partition"
	case DropLoss:
		return "loss"
	case DropDead:
		return "crashed recipient"
	case DropPausedOverflow:
		return "paused queue full"
	}
	return "dropped"
}

// HeldKind is X of a KindHold record: what a paused host held back.
type HeldKind uint8

// What a paused host holds until it resumes.
const (
	HeldMessage HeldKind = iota + 1
	HeldTimer
	HeldSync
)

// WriteOp is X of a KindWrite record.
type WriteOp uint8

// Disk write operations.
const (
	OpAppend WriteOp = iota + 1
	OpWriteFile
	OpRemove
)

// NetKnob is X of a KindNet record: which network setting changed.
type NetKnob uint8

// Network settings, for KindNet records. Probabilities are recorded in parts
// per billion, durations in nanoseconds.
const (
	KnobLatency NetKnob = iota + 1
	KnobLoss
	KnobDuplicate
	KnobReorder
	KnobExtraDelay
	KnobLinkLatency
	KnobLinkLoss
	KnobLinkExtraDelay
	KnobReset
	KnobHeal
)

// Record is one trace record: compact, fixed-size, with meaning by Kind.
type Record struct {
	At   Time // global virtual time
	Kind Kind
	A, B int
	X, Y int64
}

// TraceKinder may be implemented by messages: the value is recorded with
// sends, deliveries and drops, so the trace hash and the JSON Lines tell
// message types apart.
type TraceKinder interface {
	TraceKind() uint8
}

// Trace folds every record into a running 64-bit hash that identifies a run,
// and optionally writes records as JSON Lines and hands them to a sink.
type Trace struct {
	w     *World
	hash  uint64
	count uint64
	slow  bool // out or sink set
	out   *bufio.Writer
	sink  func(Record)
	// sinkKinds is a bit per Kind: the records the sink takes.
	sinkKinds [4]uint64
	buf       []byte
	err       error
}

const (
	hashK1 = 0x9E3779B97F4A7C15
	hashK2 = 0xC2B2AE3D27D4EB4F
	hashK3 = 0x165667B19E3779F9
	hashK4 = 0xD6E8FEB86659FD93
	hashK5 = 0xFF51AFD7ED558CCD
)

func (t *Trace) init(w *World, out io.Writer) {
	t.w = w
	t.hash = splitmix(w.cfg.Seed)
	if out != nil {
		t.out = bufio.NewWriterSize(out, 64<<10)
		t.slow = true
	}
}

// Hash returns the running hash of every record so far. Two runs with the
// same seed and configuration have the same hash after the same events.
func (t *Trace) Hash() uint64 { return t.hash }

// Count returns the number of records so far.
func (t *Trace) Count() uint64 { return t.count }

// SetSink makes fn receive every later record (nil turns it off), or with
// kinds only the records of those kinds. fn must not keep the World busy: it
// runs on the simulation's hot path; naming the few kinds it wants spares the
// call for every other record (sends and deliveries are most of them).
func (t *Trace) SetSink(fn func(Record), kinds ...Kind) {
	t.sink = fn
	t.sinkKinds = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	if len(kinds) > 0 {
		t.sinkKinds = [4]uint64{}
		for _, k := range kinds {
			t.sinkKinds[k>>6] |= 1 << (k & 63)
		}
	}
	t.slow = t.out != nil || fn != nil
}

// wants reports whether the sink takes records of kind k.
func (t *Trace) wants(k Kind) bool { return t.sinkKinds[k>>6]&(1<<(k&63)) != 0 }

// Emit records an application event at the current virtual time. Kinds below
// KindRole belong to the engine; emitting them is allowed but confuses readers.
func (t *Trace) Emit(kind Kind, a, b int, x, y int64) {
	t.add(kind, a, b, x, y)
}

// add folds a record into the hash. Each field is multiplied by its own odd
// constant (a bijection) and the products are combined, so the multiplies run
// in parallel; the fold into the running hash is again a bijection for a
// fixed record. Two traces that differ in one field of one record therefore
// never collide (A counts up to 2^56, which addresses never reach).
func (t *Trace) add(kind Kind, a, b int, x, y int64) {
	v := uint64(t.w.now)*hashK1 ^ (uint64(kind)|uint64(a)<<8)*hashK2 ^
		uint64(b)*hashK3 ^ uint64(x)*hashK4 ^ uint64(y)*hashK5
	h := (t.hash ^ v) * hashK1
	t.hash = h ^ h>>29
	t.count++
	if t.slow && (t.out != nil || t.wants(kind)) {
		t.emitSlow(Record{At: t.w.now, Kind: kind, A: a, B: b, X: x, Y: y})
	}
}

func (t *Trace) emitSlow(r Record) {
	if t.sink != nil && t.wants(r.Kind) {
		t.sink(r)
	}
	if t.out == nil || t.err != nil {
		return
	}
	b := append(t.buf[:0], `{"t":`...)
	b = strconv.AppendInt(b, int64(r.At), 10)
	b = append(b, `,"k":"`...)
	b = append(b, r.Kind.String()...)
	b = append(b, `","a":`...)
	b = strconv.AppendInt(b, int64(r.A), 10)
	b = append(b, `,"b":`...)
	b = strconv.AppendInt(b, int64(r.B), 10)
	b = append(b, `,"x":`...)
	b = strconv.AppendInt(b, r.X, 10)
	b = append(b, `,"y":`...)
	b = strconv.AppendInt(b, r.Y, 10)
	b = append(b, "}\n"...)
	t.buf = b
	if _, err := t.out.Write(b); err != nil {
		t.err = fmt.Errorf("sim: writing trace: %w", err)
	}
}

// Flush writes buffered JSON Lines out and returns the first write error.
func (t *Trace) Flush() error {
	if t.out != nil && t.err == nil {
		if err := t.out.Flush(); err != nil {
			t.err = fmt.Errorf("sim: writing trace: %w", err)
		}
	}
	return t.err
}

// traceKindOf returns msg's TraceKind, or 0.
func traceKindOf(msg any) uint8 {
	if k, ok := msg.(TraceKinder); ok {
		return k.TraceKind()
	}
	return 0
}
