package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/live/proc"
	"github.com/raftcheck/raftcheck/sim"
)

// ErrInternal marks failures of the harness rather than of the nodes.
var ErrInternal = errors.New("live: internal error")

// Result is a live run's outcome.
type Result struct {
	Verdict checker.Verdict    `json:"verdict"`
	Reasons []string           `json:"reasons"`
	Lin     *checker.LinResult `json:"linearizability"`
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
	Note   string        `json:"note"`
}

// NotReproducible is the note every live result carries.
const NotReproducible = "a live run is not reproducible bit for bit: the seed fixes the harness's own choices (network draws, client operations), but the nodes are real processes whose timing depends on the operating system's scheduling, so when their output enters the simulated network, and hence every later draw, differs from run to run"

// runner is one live run in progress; everything runs on Run's goroutine.
type runner struct {
	cfg       Config
	w         *sim.World
	drv       *proc.Driver
	c         *cluster
	p         *pacer
	rec       *clients.Recorder
	clients   []*clients.Client
	clientsAt sim.Time
}

// Run runs the nodes, the clients and the phases, then checks the history.
// It returns an error when the run could not be carried out (bad config,
// a binary that cannot start, a node that never completes init, a
// cancelled context); a failing system is a Result with Verdict invalid.
// Every node process is gone when Run returns, whatever the path.
func Run(ctx context.Context, cfg Config) (_ *Result, err error) {
	start := time.Now()
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	drv, err := proc.New(proc.Config{Bin: cfg.Bin, Args: cfg.Args, Nodes: cfg.Nodes, RunDir: cfg.Dir, InitTimeout: cfg.InitTimeout})
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	defer func() {
		if cerr := drv.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("%w: %v", ErrInternal, cerr)
		}
	}()
	w, err := sim.NewWorld(sim.Config{Seed: cfg.Seed, Net: cfg.Net})
	if err != nil {
		return nil, fmt.Errorf("live: Net: %w", err)
	}
	r := &runner{cfg: cfg, w: w, drv: drv}
	r.c, err = newCluster(w, drv, cfg.Nodes, cfg.Clients, sim.Time(cfg.PendingTTL), func() time.Duration { return time.Duration(w.Now()) })
	if err != nil {
		return nil, err
	}
	if err := drv.StartAll(ctx); err != nil {
		return nil, fmt.Errorf("live: starting the nodes: %w", err)
	}
	for i := range r.c.ready {
		r.c.ready[i] = true
	}
	r.p = newPacer(w, drv.Events(), r.onEvent)
	for _, ev := range drv.Backlog() {
		r.onEvent(ev)
	}
	if err := r.addClients(); err != nil {
		return nil, err
	}
	phases, err := r.runPhases(ctx)
	if err != nil {
		return nil, err
	}
	// The nodes are done: stop them before checking, so the check has the
	// machine to itself.
	if err := drv.Close(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInternal, err)
	}
	res, err := r.check()
	if err != nil {
		return nil, err
	}
	res.Phases = phases
	res.Wall = time.Since(start)
	return res, nil
}

func (r *runner) onEvent(ev proc.Event) {
	r.c.onEvent(ev)
	r.c.sweep()
}

func (r *runner) addClients() error {
	r.rec = clients.NewRecorder(func() int64 { return int64(r.w.Now()) })
	for t := range r.cfg.Clients {
		ccfg := r.cfg.clientConfig(t)
		rng, err := r.w.Stream(fmt.Sprintf("client/%d", t))
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInternal, err)
		}
		var startErr error
		_, err = r.w.AddHost(clientBase+t, sim.HostConfig{Stream: true}, func(h *sim.Host) (sim.Process, error) {
			cl, err := clients.NewClient(ccfg, t, hostEnv{h}, rng, r.rec)
			if err != nil {
				startErr = err
				return nil, err
			}
			r.clients = append(r.clients, cl)
			return cl, nil
		})
		if startErr != nil {
			return fmt.Errorf("live: client %d: %w", t, startErr)
		}
		if err != nil {
			return fmt.Errorf("%w: client %d: %v", ErrInternal, t, err)
		}
	}
	return nil
}

// runPhases starts the clients, runs the phases, stops the clients and
// waits (at most Quiet) for the operations in flight.
func (r *runner) runPhases(ctx context.Context) ([]PhaseResult, error) {
	if err := r.p.catchUp(sim.MaxTime); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInternal, err)
	}
	r.clientsAt = r.w.Now()
	for _, cl := range r.clients {
		cl.Start()
	}
	ctl := &Control{r: r}
	var out []PhaseResult
	for _, ph := range r.cfg.Phases {
		begin := r.w.Now()
		if ph.Start != nil {
			if err := ph.Start(ctl); err != nil {
				return nil, fmt.Errorf("live: phase %s: %w", ph.Name, err)
			}
		}
		var until func() bool
		if ph.Until != nil {
			until = func() bool { return ph.Until(ctl) }
		}
		held, err := r.p.run(ctx, begin+sim.Time(ph.Max), until)
		if err != nil {
			return nil, r.loopErr(err)
		}
		out = append(out, PhaseResult{Name: ph.Name, Until: held, Duration: time.Duration(r.w.Now() - begin)})
	}
	for _, cl := range r.clients {
		cl.Stop()
	}
	idle := func() bool {
		for _, cl := range r.clients {
			if cl.Busy() {
				return false
			}
		}
		return true
	}
	if _, err := r.p.run(ctx, r.w.Now()+sim.Time(r.cfg.Quiet), idle); err != nil {
		return nil, r.loopErr(err)
	}
	return out, nil
}

func (r *runner) loopErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("live: run interrupted: %w", err)
	}
	return fmt.Errorf("%w: %v", ErrInternal, err)
}

// check judges the history: per-key linearizability with the workload's
// model (register with cas, or kv), plus the clients' and the harness's
// anomalies.
func (r *runner) check() (*Result, error) {
	if err := r.rec.Misuse(); err != nil {
		return nil, fmt.Errorf("%w: history: %v", ErrInternal, err)
	}
	if len(r.c.errs) > 0 {
		// The harness misrouted or mistranslated something: no verdict on
		// the nodes can rest on this run.
		return nil, fmt.Errorf("%w: %v", ErrInternal, errors.Join(r.c.errs...))
	}
	h := r.rec.History()
	lin, err := checker.CheckLinearizable(h, checker.LinOptions{Model: r.cfg.Workload, Timeout: r.cfg.CheckTimeout})
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
	stats, err := checker.HistoryStats(h)
	if err != nil {
		return nil, fmt.Errorf("%w: stats: %v", ErrInternal, err)
	}
	cr := checker.Combine(checker.Checks{Lin: lin, Problems: problems, Stats: stats})
	reasons := cr.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	return &Result{
		Verdict: cr.Verdict,
		Reasons: reasons,
		Lin:     lin,
		History: h,
		Ops:     stats,
		Faults:  r.c.faults.list(),
		Stats:   r.c.stats,
		Net:     r.w.Net().Stats(),
		Seed:    r.cfg.Seed,
		Dir:     r.cfg.Dir,
		Note:    NotReproducible,
	}, nil
}
