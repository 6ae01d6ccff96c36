package harness

import (
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/nemesis"
)

// Outcome is what checking one execution found, with the figures the
// public Result reports.
type Outcome struct {
	// Checked is the combined verdict: reasons, the linearizability result,
	// the invariant violations, liveness, the cheap checks' problems, the
	// counterexample and the history's statistics (with the message counts,
	// events, simulated time and trace hash of the run).
	Checked checker.Result
	// Churn is the election-churn check's outcome with its evidence (the
	// term rises and leaders of the window shown); nil when not checked.
	Churn             *checker.ChurnResult
	MessagesDelivered uint64
	UnknownPeer       uint64 // messages a node refused as from outside its configuration
	FaultEvents       int    // fault windows opened
	SimTime           time.Duration
	CheckTime         time.Duration // wall time spent checking
	Nodes             []report.NodeRow
	Leader            int              // 0: none at the end
	Swarm             *nemesis.Profile // the profile a swarm run drew
	Nemesis           nemesis.Config   // the fault schedule used
	Schedule          []nemesis.Step   // the scheduler's actions, as an explicit schedule replays them
}

// nodeTable is the final per-node state: the table the original brief asked for.
func (x *Execution) nodeTable() ([]report.NodeRow, int) {
	rows := make([]report.NodeRow, 0, len(x.c.nodes))
	leader := x.c.leader()
	for _, id := range x.c.nodes {
		row := report.NodeRow{ID: id, State: "crashed"}
		h := x.c.hosts[id]
		if p := x.panic; p != nil && p.node == id {
			// Its state is whatever the panic left: ask it nothing more.
			row.State, row.Term = "panicked", p.term
		} else if s := x.c.server(id); s != nil {
			st := s.Status()
			row.Alive = true
			row.State = st.Role.String()
			if h.Paused() {
				row.State += " (paused)"
			}
			row.Term, row.Commit, row.LogSize = st.Term, st.Commit, uint64(s.LogSize())
		} else if h.DownReason() != nil {
			row.State = "failed"
		}
		rows = append(rows, row)
	}
	return rows, leader
}
