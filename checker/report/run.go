package report

import (
	"time"

	"github.com/raftcheck/raftcheck/histories"
)

// Run is everything the reports show about one run, in plain values. The
// harness (internal/harness) fills it from the simulator, the nemesis and the checker.
// Times are int64 nanoseconds of global (simulated) time, on the same clock
// as the history's Op.Time.
type Run struct {
	Title   string // e.g. the run's store name; shown as the page title
	Seed    string // shown in the header and summary
	Config  []KV   // ordered key/value pairs shown in the header
	Replay  string // one-line command that reproduces the run
	Verdict string // "valid" | "invalid" | "unknown" (other text is shown as is)
	Reasons []string
	// Counterexample, when the history is not linearizable, names the
	// operations that cannot be linearized together; the timeline
	// highlights them and lists their explanation first. nil: none.
	Counterexample *Counterexample
	// Violations are the invariants broken, the first breach of each.
	Violations []Violation

	Nodes []int // raft ids, one timeline lane each
	// NodeNames, when set, names the nodes on the timeline instead of
	// "n<id>" (live mode: node 1 is Maelstrom's n0). Ids missing keep theirs.
	NodeNames map[int]string
	Threads   int   // client concurrency; a process p runs on thread p % Threads. 0: one lane per process
	Start     int64 // first instant shown
	End       int64 // last instant shown (include the recovery window)
	HealTime  int64 // the final heal; 0 means none

	History    histories.History
	NodeEvents []NodeEvent // any order; sorted stably by time before use
	Faults     []FaultWindow
	Messages   []Message // Raft messages between nodes; see MessageCap
	// MessageCap bounds the messages embedded in timeline.html; 0 means
	// DefaultMessageCap. Above the cap an evenly spaced sample is kept and
	// the page says so.
	MessageCap int

	FinalNodes []NodeRow // the summary table, one row per node
	Leader     int       // final leader, 0 if none
	Events     uint64    // simulator events processed
	SimTime    int64     // simulated time covered, ns
	WallTime   time.Duration
	TraceHash  string
	Stats      []KV // ordered lines for the summary and the page
}

// DefaultMessageCap is the number of messages timeline.html embeds when
// Run.MessageCap is 0. Each costs about 30 bytes of the page, so the cap
// keeps a long run's timeline at a few megabytes.
const DefaultMessageCap = 50000

// Counterexample is the smallest set of operations the linearizability
// checker could not linearize, with the checker's explanation.
type Counterexample struct {
	// Ops are the history positions (indexes into Run.History) of the
	// operations' invokes, in history order.
	Ops []int
	// Culprit is the history position of the operation no order of the
	// others leaves room for; -1 when there is none.
	Culprit int
	Key     string // the key the operations share ("" for a register)
	// Summary is the explanation's first sentence; Explain holds one
	// sentence per operation, in the order of Ops (or is empty), e.g.
	// "op 41 (process 2): read() → 3, ..., served by node 3, leader of
	// term 4, while node 1 was leader of term 5".
	Summary string
	Explain []string
	// Anomaly classifies it: what it shows in one sentence and the decisive
	// operations (nil: not classified).
	Anomaly *Anomaly
}

// Anomaly is what a counterexample shows: its kind, one sentence, the rule
// it breaks, and the operations that prove it, which the timeline frames.
type Anomaly struct {
	Kind     string // e.g. "stale-read"
	Title    string // e.g. "stale read"
	Sentence string
	Rule     string
	Decisive []DecisiveOp // the op that shows it first
	Time     int64        // when it showed (ns, the run's clock)
}

// DecisiveOp is one operation that proves an anomaly.
type DecisiveOp struct {
	Role string // e.g. "read", "missed-write" (checker's Role* names)
	Op   int    // history position of its invoke
}

// Violation is a broken invariant, shown in a panel of its own and marked
// on the timeline at Time.
type Violation struct {
	Invariant string // e.g. "single-vote"
	Rule      string // the rule, in the Raft paper's words with its section ("": unknown)
	Time      int64  // the first breach (ns)
	Nodes     []int
	Terms     []uint64
	Index     uint64 // a log index, when one is involved (0: none)
	Evidence  string
	Count     int // breaches in all
}

// KV is one ordered key/value pair of a header, config or stats list.
type KV struct {
	Key, Value string
}

// NodeEventKind says what happened to a node at a NodeEvent's time.
type NodeEventKind uint8

// Node event kinds.
const (
	// EventRole: the node became Role in Term.
	EventRole NodeEventKind = iota + 1
	// EventCrash: the node lost its volatile state and stopped.
	EventCrash
	// EventRestart: the node came back from its disk, as a follower of its
	// last persisted term unless Term is set.
	EventRestart
	// EventPause: the node's process is stopped (SIGSTOP); it keeps its role.
	EventPause
	// EventResume ends a pause.
	EventResume
	// EventDown: fail-stop (e.g. it refused to start on a corrupt disk);
	// the node stays down unless a restart follows (its disk replaced).
	EventDown
)

var eventKindNames = [...]string{"", "role", "crash", "restart", "pause", "resume", "down"}

// String returns the lower-case kind name: "role", "crash", and so on.
func (k NodeEventKind) String() string {
	if int(k) < len(eventKindNames) && k != 0 {
		return eventKindNames[k]
	}
	return "unknown"
}

// Role names accepted in NodeEvent.Role; they are raft.Role's String values.
const (
	RoleFollower     = "follower"
	RolePreCandidate = "precandidate"
	RoleCandidate    = "candidate"
	RoleLeader       = "leader"
)

// NodeEvent is one change of a node's observable state.
type NodeEvent struct {
	Time int64
	Node int
	Kind NodeEventKind
	Role string // for EventRole: one of the Role* names
	Term uint64 // for EventRole (and optionally EventRestart)
}

// FaultWindow is one fault as a time window, shaded on the timeline and the
// plots.
type FaultWindow struct {
	Fault   string // catalog name, e.g. "partition-isolate-leader"
	Start   int64
	End     int64 // the stop; HealTime if the fault was never stopped
	Targets []int // nodes acted on
	Detail  string
	// Partitions: the blocked directed links (from, to) and, when the
	// fault is described by groups, the groups that still talk among
	// themselves. Either may be empty.
	Links  [][2]int
	Groups [][]int
}

// Message is one Raft message between two nodes.
type Message struct {
	From, To  int
	Sent      int64
	Delivered int64 // delivery time; for a dropped message the drop time, or 0 if unknown
	Kind      string
	Dropped   bool
	Reason    string // why it was dropped
	// Answer is what a reply said, when the run knows: "granted" or
	// "rejected" for a vote reply, "accepted" or "rejected" for an append
	// reply; "" otherwise.
	Answer string
}

// NodeRow is one line of the per-node summary table.
type NodeRow struct {
	ID      int    `json:"id"`
	State   string `json:"state"` // role, or "crashed", "paused", "down"
	Term    uint64 `json:"term"`
	Alive   bool   `json:"alive"`
	LogSize uint64 `json:"log_size"` // entries in the node's log
	Commit  uint64 `json:"commit"`
}
