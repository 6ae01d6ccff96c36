package live

import (
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/raftcheck/raftcheck/sim"
)

// maxKeptMessages bounds the node-to-node messages kept for the timeline.
const maxKeptMessages = 400_000

// observer gathers what can be seen of the nodes from outside: their
// traffic and lifecycle (from the world's trace), and the roles they report
// on stderr, if they do. Roles are timed when the harness reads them, a few
// milliseconds after the node wrote them.
type observer struct {
	w     *sim.World
	n     int
	roles *checker.RoleTimeline
	tails []*roleTail // per node index
	down  []bool      // per node index: crashed, not restarted yet

	// role and term each node last reported (index), for Leader.
	role []string
	term []uint64

	rolesSeen  bool // some node reported a role
	leaderSeen bool // some node reported leading
	leaders    map[uint64]int
	violations []checker.Violation

	nodeEvents []report.NodeEvent
	keepMsgs   bool
	messages   []report.Message
	inFlight   map[msgKey]int
	kinds      []string // peer message kinds by TraceKind - 1
	kindOf     map[string]uint8
	errs       []error
	regex      string
}

type msgKey struct {
	from, to int
	at       int64
}

func newObserver(w *sim.World, n int, cfg *Config, logPath func(i int) string) *observer {
	o := &observer{
		w: w, n: n, roles: checker.NewRoleTimeline(), down: make([]bool, n),
		role: make([]string, n), term: make([]uint64, n), leaders: map[uint64]int{},
		keepMsgs: cfg.KeepMessages, inFlight: map[msgKey]int{}, kindOf: map[string]uint8{},
	}
	if cfg.RoleRegex != nil {
		o.regex = cfg.RoleRegex.String()
		o.tails = make([]*roleTail, n)
		for i := range n {
			o.tails[i] = newRoleTail(logPath(i), cfg.RoleRegex)
		}
	}
	kinds := []sim.Kind{sim.KindCrash, sim.KindRestart, sim.KindPause, sim.KindResume}
	if o.keepMsgs {
		kinds = append(kinds, sim.KindSend, sim.KindDuplicate, sim.KindDrop, sim.KindDeliver)
	}
	w.Trace().SetSink(o.record, kinds...)
	return o
}

func (o *observer) isNode(addr int) bool { return addr >= 1 && addr <= o.n }

// kind returns the trace kind of a peer message of Maelstrom type typ (its
// name for the timeline's arrows); types past the 255th share kind 0.
func (o *observer) kind(typ string) uint8 {
	if k, ok := o.kindOf[typ]; ok {
		return k
	}
	if len(o.kinds) >= 255 {
		return 0
	}
	o.kinds = append(o.kinds, typ)
	k := uint8(len(o.kinds))
	o.kindOf[typ] = k
	return k
}

func (o *observer) kindName(k uint8) string {
	if k == 0 || int(k) > len(o.kinds) {
		return "msg"
	}
	return o.kinds[k-1]
}

// record is the world's trace sink.
func (o *observer) record(r sim.Record) {
	t := int64(r.At)
	switch r.Kind {
	case sim.KindCrash:
		if !o.isNode(r.A) {
			return
		}
		i := r.A - 1
		// What the node wrote before it went down is read first, so its
		// last reports come before the crash.
		o.poll(i, nil)
		o.down[i] = true
		o.role[i] = checker.RoleCrashed
		o.addRole(t, r.A, checker.RoleCrashed, o.term[i])
		o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: t, Node: r.A, Kind: report.EventCrash})
	case sim.KindRestart:
		// X is the incarnation: the first boot (1) is not a restart.
		if o.isNode(r.A) && r.Y == 0 && r.X > 1 {
			o.down[r.A-1] = false
			o.role[r.A-1] = ""
			o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: t, Node: r.A, Kind: report.EventRestart})
		}
	case sim.KindPause:
		if o.isNode(r.A) {
			o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: t, Node: r.A, Kind: report.EventPause})
		}
	case sim.KindResume:
		if o.isNode(r.A) {
			o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: t, Node: r.A, Kind: report.EventResume})
		}
	default:
		if o.isNode(r.A) && o.isNode(r.B) {
			o.keepMessage(r)
		}
	}
}

// keepMessage records a node-to-node message for the timeline's arrows (as
// the simulated harness does): a send carries its latency, a later drop at
// delivery marks it.
func (o *observer) keepMessage(r sim.Record) {
	switch r.Kind {
	case sim.KindSend, sim.KindDuplicate:
		if r.Y < 0 || len(o.messages) >= maxKeptMessages {
			return // lost at send: the drop record keeps it
		}
		at := int64(r.At) + r.Y
		o.inFlight[msgKey{r.A, r.B, at}] = len(o.messages)
		o.messages = append(o.messages, report.Message{From: r.A, To: r.B, Sent: int64(r.At), Delivered: at, Kind: o.kindName(uint8(r.X))})
	case sim.KindDeliver:
		delete(o.inFlight, msgKey{r.A, r.B, int64(r.At)})
	case sim.KindDrop:
		reason := sim.DropReason(r.X).String()
		if sim.DropReason(r.X) == sim.DropLoss {
			if len(o.messages) < maxKeptMessages {
				o.messages = append(o.messages, report.Message{From: r.A, To: r.B, Sent: int64(r.At), Delivered: int64(r.At),
					Kind: o.kindName(uint8(r.Y)), Dropped: true, Reason: reason})
			}
			return
		}
		k := msgKey{r.A, r.B, int64(r.At)}
		if i, ok := o.inFlight[k]; ok {
			o.messages[i].Dropped, o.messages[i].Reason = true, reason
			delete(o.inFlight, k)
		}
	}
}

// pollAll reads every node's new role reports.
func (o *observer) pollAll(inc func(i int) uint64) {
	for i := range o.tails {
		o.poll(i, inc)
	}
}

// poll reads node i's new role reports. inc is the driver's current
// incarnation of each node (nil: keep the tail's own reckoning): a report
// counts only from the running incarnation of a node that is up.
func (o *observer) poll(i int, inc func(i int) uint64) {
	if o.tails == nil {
		return
	}
	tl := o.tails[i]
	if inc != nil {
		tl.want = inc(i)
	}
	for _, rep := range tl.read() {
		if rep.inc != tl.want || o.down[i] {
			continue
		}
		o.report(i, rep)
	}
	if tl.err != nil {
		o.errs = append(o.errs, tl.err)
		tl.err = nil
	}
}

// report takes node i's role report.
func (o *observer) report(i int, rep roleReport) {
	t := int64(o.w.Now())
	node := i + 1
	o.rolesSeen = true
	o.role[i], o.term[i] = rep.role, rep.term
	o.addRole(t, node, rep.role, rep.term)
	o.nodeEvents = append(o.nodeEvents, report.NodeEvent{Time: t, Node: node, Kind: report.EventRole, Role: rep.role, Term: rep.term})
	if rep.role != checker.RoleLeader {
		return
	}
	o.leaderSeen = true
	prev, ok := o.leaders[rep.term]
	switch {
	case !ok:
		o.leaders[rep.term] = node
	case prev != node:
		// Two leaders of one term, each by its own account: Raft's election
		// safety is broken, whenever exactly the reports were read.
		for k := range o.violations {
			if v := &o.violations[k]; v.Invariant == checker.ElectionSafety {
				v.Count++
				return
			}
		}
		o.violations = append(o.violations, checker.Violation{
			Invariant: checker.ElectionSafety, Time: t, Nodes: []int{prev, node}, Terms: []uint64{rep.term}, Count: 1,
			Evidence: fmt.Sprintf("%s and %s both reported on stderr that they led term %d", maelstrom.NodeID(prev-1), maelstrom.NodeID(i), rep.term),
		})
	}
}

func (o *observer) addRole(t int64, node int, role string, term uint64) {
	if err := o.roles.Add(t, node, role, term); err != nil {
		o.errs = append(o.errs, fmt.Errorf("live: role timeline: %w", err))
	}
}

// leader is the live node that last reported leading in the highest term
// (0: none); alive says whether a node is up and not paused.
func (o *observer) leader(alive func(node int) bool) int {
	best, term := 0, uint64(0)
	for i, r := range o.role {
		if r == checker.RoleLeader && alive(i+1) && (best == 0 || o.term[i] > term) {
			best, term = i+1, o.term[i]
		}
	}
	return best
}

// noRolesReason says why no role timeline is available.
func (o *observer) noRolesReason() string {
	if o.tails == nil {
		return "roles unobservable: role reports were not read (no --role-regex)"
	}
	return fmt.Sprintf("roles unobservable: no node wrote a stderr line matching --role-regex %q (the Maelstrom protocol has no way to ask a node its role)", o.regex)
}

// finalState is node index i's row in the final node table.
func (o *observer) finalState(i int, alive, paused bool) report.NodeRow {
	row := report.NodeRow{ID: i + 1, State: "crashed", Term: o.term[i], Alive: alive}
	if alive {
		row.State = o.role[i]
		if row.State == "" || row.State == checker.RoleCrashed {
			row.State = "running"
		}
		if paused {
			row.State += " (paused)"
		}
	}
	return row
}

// normalRole maps a reported role name onto the checker's, or "".
func normalRole(s string) string {
	switch strings.ToLower(s) {
	case "leader":
		return checker.RoleLeader
	case "follower":
		return checker.RoleFollower
	case "candidate":
		return checker.RoleCandidate
	case "pre-candidate", "precandidate", "pre_candidate":
		return checker.RolePreCandidate
	}
	return ""
}
