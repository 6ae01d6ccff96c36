package live

import (
	"errors"
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/harness"
	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
)

// Result is a live run's outcome.
type Result struct {
	// Checked is the combined verdict, as for a simulated run: reasons,
	// linearizability, the invariants the nodes' role reports break,
	// liveness, problems and the history's statistics.
	Checked checker.Result     `json:"checked"`
	Verdict checker.Verdict    `json:"verdict"`
	Reasons []string           `json:"reasons"`
	Lin     *checker.LinResult `json:"linearizability"`
	// Liveness is the check after the final heal (nil: not checked, as in
	// a scripted or interrupted run).
	Liveness *checker.LivenessResult `json:"liveness,omitempty"`
	// History is what the clients observed (and the faults, as nemesis ops).
	History histories.History `json:"-"`
	// Ops summarizes the history.
	Ops checker.Stats `json:"ops"`
	// Faults are the nodes' protocol faults. They are reported, not judged:
	// the verdict is the history's.
	Faults []Fault       `json:"faults"`
	Phases []PhaseResult `json:"phases"`
	Stats  Stats         `json:"stats"`
	Net    sim.NetStats  `json:"net"`
	Seed   uint64        `json:"seed"`
	Dir    string        `json:"dir"`
	Wall   time.Duration `json:"wall_ns"`
	// RunTime is the run's length from the nodes' readiness to its end, and
	// CheckTime the wall time the checks took.
	RunTime   time.Duration `json:"run_ns"`
	CheckTime time.Duration `json:"check_ns"`
	Note      string        `json:"note"`
	// Notes are what the run could not observe or do, said plainly: no
	// roles reported, a role log that could not be read, the nemesis's
	// observations (a node that did not come back after a restart).
	Notes []string `json:"notes"`
	// RolesReported says whether any node reported its role on stderr.
	RolesReported bool `json:"roles_reported"`
	// Nodes is the final node table (state from what was observed; term
	// and role only from role reports) and Leader the node that last
	// reported leading, if it is up (0: none).
	Nodes  []report.NodeRow `json:"nodes"`
	Leader int              `json:"leader"`
	// A standard run's fault schedule, the profile a swarm run drew, and
	// the fault windows opened.
	Nemesis     nemesis.Config   `json:"nemesis"`
	Swarm       *nemesis.Profile `json:"swarm,omitempty"`
	FaultEvents int              `json:"fault_events"`
	// Interrupted says the run was cut short (its verdict is at best
	// unknown).
	Interrupted bool `json:"interrupted"`

	rep reportData
}

// reportData is what a live run's reports are drawn from.
type reportData struct {
	nodes      int
	threads    int
	healTime   int64
	endTime    int64
	events     uint64
	nodeEvents []report.NodeEvent
	messages   []report.Message
	faults     []report.FaultWindow
	roles      *checker.RoleTimeline
}

// check judges the history: per-key linearizability with the workload's
// model (register with cas, or kv), the invariants the nodes' own role
// reports break, liveness after the final heal, and the clients' and the
// harness's anomalies.
func (r *runner) check() (*Result, error) {
	if err := r.rec.Misuse(); err != nil {
		return nil, fmt.Errorf("%w: history: %v", ErrInternal, err)
	}
	if len(r.c.errs) > 0 {
		// The harness misrouted or mistranslated something: no verdict on
		// the nodes can rest on this run.
		return nil, fmt.Errorf("%w: %v", ErrInternal, errors.Join(r.c.errs...))
	}
	if r.faults != nil && len(r.faults.errs) > 0 {
		return nil, fmt.Errorf("%w: the nemesis's requests failed: %v", ErrInternal, r.faults.errs)
	}
	if dropped, at := r.rec.Overflow(); dropped > 0 {
		r.truncated = fmt.Sprintf("history truncated: the limit of %d recorded ops was reached %v into the run; the clients stopped there and %d invokes and nemesis events went unrecorded, so the rest of the run is unchecked and liveness is skipped; use fewer clients, a --rate, or a shorter --max-time",
			r.rec.Limit(), time.Duration(max(at-int64(r.clientsAt), 0)).Round(time.Millisecond), dropped)
	}
	h := r.rec.History()
	lin, err := checker.CheckLinearizable(h, checker.LinOptions{Model: r.cfg.Workload, Timeout: r.cfg.CheckTimeout, MemoryLimit: r.cfg.CheckMemory})
	if err != nil {
		return nil, fmt.Errorf("%w: checking the history: %v", ErrInternal, err)
	}
	var problems []checker.Problem
	for t, cl := range r.clients {
		if err := cl.Err(); err != nil {
			// An impossible answer: a value nobody wrote that the workload
			// cannot even read, a reply for another request...
			problems = append(problems, checker.Problem{Check: "anomaly", Detail: fmt.Sprintf("client %d: %v", t, err)})
		}
	}
	var live *checker.LivenessResult
	if r.interrupted == nil && r.truncated == "" {
		if live, err = r.liveness(h); err != nil {
			return nil, fmt.Errorf("%w: liveness: %v", ErrInternal, err)
		}
	}
	stats, err := checker.HistoryStats(h)
	if err != nil {
		return nil, fmt.Errorf("%w: stats: %v", ErrInternal, err)
	}
	net := r.w.Net().Stats()
	stats.MessagesSent, stats.MessagesDropped, stats.MessagesDuplicated = net.Sent, net.Dropped(), net.Duplicated
	stats.Events, stats.SimulatedTime = r.w.Events(), int64(r.endTime)
	var roles *checker.RoleTimeline
	if r.obs.rolesSeen {
		roles = r.obs.roles // explains a counterexample with who led when
	}
	var faults []report.FaultWindow
	var active []checker.ActiveFault
	if r.faults != nil {
		end := r.healTime
		if !r.healed {
			end = r.endTime
		}
		faults = r.faults.log.Close(int64(end))
		active = harness.ActiveFaults(faults, r.faults.nodes)
	}
	cr := checker.Combine(checker.Checks{Lin: lin, Roles: roles, Problems: problems, Invariants: r.obs.violations, Liveness: live, Faults: active, Stats: stats})
	for _, why := range []string{r.truncated, r.interruptedReason()} {
		if why == "" {
			continue
		}
		cr.Reasons = append(cr.Reasons, why)
		if cr.Verdict == checker.Valid {
			cr.Verdict = checker.Unknown
		}
	}
	if cr.Reasons == nil {
		cr.Reasons = []string{}
	}
	res := &Result{
		Checked:       cr,
		Verdict:       cr.Verdict,
		Reasons:       cr.Reasons,
		Lin:           lin,
		Liveness:      live,
		History:       h,
		Ops:           stats,
		Faults:        r.c.faults.list(),
		Stats:         r.c.stats,
		Net:           net,
		Seed:          r.cfg.Seed,
		Dir:           r.cfg.Dir,
		RunTime:       time.Duration(r.endTime),
		Note:          NotReproducible,
		Notes:         r.notes(live),
		RolesReported: r.obs.rolesSeen,
		Interrupted:   r.interrupted != nil,
		Nemesis:       r.nemCfg,
		Swarm:         r.profile,
	}
	if r.faults != nil {
		res.FaultEvents = r.faults.log.Len()
	}
	res.Nodes, res.Leader = r.nodeTable()
	res.rep = reportData{
		nodes: r.cfg.Nodes, threads: r.cfg.Clients, healTime: int64(r.healTime), endTime: int64(r.endTime), events: r.w.Events(),
		nodeEvents: r.obs.nodeEvents, messages: r.obs.messages, roles: r.obs.roles,
	}
	res.rep.faults = faults
	return res, nil
}

func (r *runner) interruptedReason() string {
	if r.interrupted == nil {
		return ""
	}
	return fmt.Sprintf("%v: the run was cut short, so it had no full fault phase, final heal or recovery window; what was recorded was checked, liveness was not", r.interrupted)
}

// notes says what the run could not observe.
func (r *runner) notes(live *checker.LivenessResult) []string {
	notes := []string{}
	if live != nil && live.LeaderSkipped != "" {
		notes = append(notes, "liveness: leader part skipped: "+live.LeaderSkipped+"; the client part was checked")
	} else if !r.obs.rolesSeen {
		notes = append(notes, r.obs.noRolesReason())
	}
	for _, err := range r.obs.errs {
		notes = append(notes, err.Error())
	}
	if r.nem != nil {
		for _, a := range r.nem.Anomalies() {
			// A node that did not come back within the nemesis's check of a
			// restart: said, not judged (how soon a real process dies is up
			// to the machine); its exit is a recorded fault of the node.
			notes = append(notes, fmt.Sprintf("nemesis: %s (%s) at %v: %s", a.Kind, maelstrom.NodeID(a.Node-1), time.Duration(a.Time).Round(time.Millisecond), a.Detail))
		}
		if s := r.nem.Skipped(); len(s) > 0 {
			notes = append(notes, fmt.Sprintf("nemesis: %v left out: the cluster is too small for them", s))
		}
	}
	return notes
}

// nodeTable is the final node table and the node that last reported leading.
func (r *runner) nodeTable() ([]report.NodeRow, int) {
	rows := make([]report.NodeRow, r.cfg.Nodes)
	for i, h := range r.c.hosts {
		rows[i] = r.obs.finalState(i, h.Alive(), h.Paused())
	}
	leader := r.obs.leader(func(node int) bool { h := r.c.hosts[node-1]; return h.Alive() && !h.Paused() })
	return rows, leader
}
