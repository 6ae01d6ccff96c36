package nemesis

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Bounds that keep every loop and timer chain finite.
const (
	// maxActions bounds the scheduler's actions in one run (MinInterval over a
	// long run stays well below it).
	maxActions = 1 << 20
	// restartCheck is how long after a restart the nemesis looks whether the
	// node came back.
	restartCheck = 200 * Millisecond
	// minGap is the smallest gap between two scheduler actions.
	minGap = Millisecond
)

// faultState is where a fault is in its start/stop cycle.
type faultState uint8

const (
	idle     faultState = iota
	active              // started, not yet asked to stop
	stopping            // asked to stop; a membership repair finishes it
)

// fault is one enabled catalog entry and its live state.
type fault struct {
	*spec
	state faultState
	// gen is bumped on every start and stop; a timer scheduled under an older
	// generation finds it changed and does nothing (After cannot be cancelled).
	gen     uint64
	targets []int     // the nodes acted on, sorted
	links   []link    // partitions: the links this fault blocked
	offsets []int64   // clock faults: offset contribution per node position
	drifts  []float64 // clock-drift: drift per node position
	node    int       // the single node acted on (rolling-restart: the one down now)
	cursor  int       // rolling-restart: position in the rotation
	flips   int       // clock-strobe: flips so far in this window; rolling-restart: steps so far
	wipe    bool      // member-churn: re-add with an empty disk
	ok      bool      // corrupt: something was corrupted
}

// link is a directed network link.
type link struct{ from, to int }

// Anomaly kinds.
const (
	// AnomalyCorruptUndetected: a node started on a disk the nemesis corrupted
	// instead of refusing to (fail-stop). A found bug in recovery.
	AnomalyCorruptUndetected = "corrupt-undetected"
	// AnomalyRestartFailed: a node did not come back after a restart although
	// the nemesis never corrupted its disk (e.g. a torn tail recovery rejects).
	AnomalyRestartFailed = "restart-failed"
	// AnomalyRepairFailed: after Heal, a membership repair did not finish within
	// RepairTimeout; the cluster stays short of that node.
	AnomalyRepairFailed = "repair-failed"
)

// Anomaly is something the nemesis saw that a correct cluster must not do.
// The root turns anomalies into verdict reasons.
type Anomaly struct {
	Time   int64  `json:"time"`
	Kind   string `json:"kind"` // one of the Anomaly constants
	Node   int    `json:"node"`
	Fault  string `json:"fault"`
	Detail string `json:"detail"`
}

// String formats the anomaly for a report line.
func (a Anomaly) String() string {
	return fmt.Sprintf("%s: node %d after %s: %s", a.Kind, a.Node, a.Fault, a.Detail)
}

// Nemesis schedules faults against a cluster through a Faults implementation.
// It is not safe for concurrent use; the simulator calls it from its one
// thread.
type Nemesis struct {
	cfg   Config
	f     Faults
	rng   *rand.Rand // draws through tape
	tape  *tape
	nodes []int // every node id, sorted

	faults  []*fault // enabled faults, catalog order
	skipped []string // named faults the cluster is too small for

	holder    []*fault // per node position: the fault holding the node down
	corrupted []bool   // per node position: fail-stopped on a disk we corrupted
	wipeOnAdd []bool   // per node position: the next re-add wipes the disk
	// removing, per node position: a removal of the node was proposed and
	// Members has not yet stopped listing it. Such a proposal may commit at
	// any later time, so the node counts against the budget until it is seen
	// out of the membership (see members).
	removing []bool

	budget  int
	gen     uint64 // bumped by Heal: scheduler timers of an older one do nothing
	until   int64
	actions int
	started bool
	healed  bool
	// guardUntil: after Heal, until this time, the poller re-adds any node
	// that drops out of the membership (a removal still in flight at the heal
	// that commits later).
	guardUntil int64

	// The schedule as carried out: startAt is when Start ran; steps are
	// the scheduler's actions; acting is set during one, acted once it
	// started or stopped a fault.
	startAt       int64
	steps         []Step
	acting, acted bool

	tasks      []*task // membership repairs in progress
	polling    bool    // a poll timer is pending
	anomalies  []Anomaly
	scratch    []int
	membersBuf []int
}

// New validates cfg against the cluster f exposes and returns a nemesis that
// draws every random choice from rng. Faults the cluster is too small for are
// left out and reported by Skipped.
func New(cfg Config, f Faults, rng *rand.Rand) (*Nemesis, error) {
	if f == nil {
		return nil, errors.New("nemesis: no Faults implementation")
	}
	if rng == nil {
		return nil, errors.New("nemesis: no random stream")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	nodes := slices.Clone(f.Nodes())
	if len(nodes) == 0 {
		return nil, errors.New("nemesis: the cluster has no nodes")
	}
	if !slices.IsSorted(nodes) {
		return nil, fmt.Errorf("nemesis: Faults.Nodes returned %v, not sorted", nodes)
	}
	n := len(nodes)
	budget := (n - 1) / 2
	switch {
	case cfg.MaxCrashed == BudgetMajority:
		budget = n/2 + 1
	case cfg.MaxCrashed > n:
		return nil, fmt.Errorf("nemesis: max_crashed: %d exceeds the cluster's %d nodes", cfg.MaxCrashed, n)
	case cfg.MaxCrashed > 0:
		budget = cfg.MaxCrashed
	}
	names, err := ParseFaults(strings.Join(cfg.Faults, ","))
	if err != nil {
		return nil, fmt.Errorf("nemesis: faults: %w", err)
	}
	cfg = cfg.WithDefaults()
	cfg.Faults = names
	for i, st := range cfg.Script {
		if st.Fault != "" && !slices.Contains(names, st.Fault) {
			return nil, fmt.Errorf("nemesis: script: step %d: fault %s is not among the faults (%s)", i+1, st.Fault, strings.Join(names, ","))
		}
	}
	// The tape passes the stream through unchanged (a *rand.Rand is a
	// Source of its own values), recording what each action draws.
	tp := &tape{src: rng}
	nm := &Nemesis{
		cfg:       cfg,
		f:         f,
		rng:       rand.New(tp),
		tape:      tp,
		nodes:     nodes,
		holder:    make([]*fault, n),
		corrupted: make([]bool, n),
		wipeOnAdd: make([]bool, n),
		removing:  make([]bool, n),
		budget:    budget,
	}
	for _, name := range names {
		s := &catalog[indexOf(name)]
		if n < s.MinNodes {
			nm.skipped = append(nm.skipped, name)
			continue
		}
		nm.faults = append(nm.faults, &fault{spec: s})
	}
	return nm, nil
}

// Config returns the configuration in use: defaults filled in and the fault
// list expanded.
func (n *Nemesis) Config() Config {
	c := n.cfg
	c.Faults = slices.Clone(c.Faults)
	c.Script = slices.Clone(c.Script)
	return c
}

// Skipped returns the named faults left out because the cluster has fewer
// nodes than they need (see FaultInfo.MinNodes).
func (n *Nemesis) Skipped() []string { return slices.Clone(n.skipped) }

// Budget returns how many nodes may be down at once.
func (n *Nemesis) Budget() int { return n.budget }

// Active returns the names of the faults that are started and not yet fully
// stopped, in catalog order.
func (n *Nemesis) Active() []string {
	var out []string
	for _, fl := range n.faults {
		if fl.state != idle {
			out = append(out, fl.Name)
		}
	}
	return out
}

// Anomalies returns what the nemesis observed that a correct cluster must not
// do, in order of observation.
func (n *Nemesis) Anomalies() []Anomaly { return slices.Clone(n.anomalies) }
