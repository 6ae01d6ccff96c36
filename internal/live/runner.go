package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/harness"
	"github.com/raftcheck/raftcheck/internal/live/proc"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
)

// ErrInternal marks failures of the harness rather than of the nodes.
var ErrInternal = errors.New("live: internal error")

// ErrInterrupted marks a run cut short by its context (Ctrl-C): the
// history recorded so far was still checked, and Run returns its Result
// with this error.
var ErrInterrupted = errors.New("live: run interrupted")

// NotReproducible is the note every live result carries.
const NotReproducible = "a live run is not reproducible bit for bit: the seed fixes the harness's own choices (network draws, client operations, the nemesis's schedule), but the nodes are real processes whose timing depends on the operating system's scheduling, so when their output enters the simulated network, and hence every later draw, differs from run to run"

// runner is one live run in progress; everything runs on Run's goroutine.
type runner struct {
	cfg       Config
	w         *sim.World
	drv       *proc.Driver
	c         *cluster
	p         *pacer
	obs       *observer
	rec       *clients.Recorder
	clients   []*clients.Client
	clientsAt sim.Time

	// A standard run's nemesis.
	faults  *liveFaults
	nem     *nemesis.Nemesis
	nemCfg  nemesis.Config
	profile *nemesis.Profile

	lastWriter int  // the node that served the latest ok write (0: none yet)
	okSeen     bool // some operation succeeded

	faultsAt, healTime, stopTime, endTime sim.Time
	healed                                bool
	interrupted                           error  // the context's error, if it ended the run
	truncated                             string // why the history is incomplete ("": it is not)
}

// Run runs the nodes, the clients and the phases (or a standard run's
// setup, faults, heal and recovery), then checks the history. It returns an
// error when the run could not be carried out (bad config, a binary that
// cannot start, a node that never completes init, a harness failure); a
// failing system is a Result with Verdict invalid. A cancelled context
// after the clients started ends the run early: the history so far is
// checked, and Run returns the Result with an error wrapping
// ErrInterrupted and the context's error. Every node process is gone when
// Run returns, whatever the path.
func Run(ctx context.Context, cfg Config) (_ *Result, err error) {
	start := time.Now()
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	drv, err := proc.New(proc.Config{Bin: cfg.Bin, Args: cfg.Args, Nodes: cfg.Nodes, RunDir: cfg.Dir, NodeDir: cfg.NodeDir, InitTimeout: cfg.InitTimeout})
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	r := &runner{cfg: cfg, drv: drv}
	defer func() {
		if cerr := drv.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("%w: %v", ErrInternal, cerr)
		}
		if r.obs != nil {
			for _, t := range r.obs.tails {
				t.close()
			}
		}
	}()
	if r.w, err = sim.NewWorld(sim.Config{Seed: cfg.Seed, Net: cfg.Net}); err != nil {
		return nil, fmt.Errorf("live: Net: %w", err)
	}
	r.obs = newObserver(r.w, cfg.Nodes, &cfg, drv.LogPath)
	r.c, err = newCluster(r.w, drv, cfg.Nodes, cfg.Clients, sim.Time(cfg.PendingTTL), func() time.Duration { return time.Duration(r.w.Now()) })
	if err != nil {
		return nil, err
	}
	r.c.msgKind = r.obs.kind
	if err := drv.StartAll(ctx); err != nil {
		return nil, fmt.Errorf("live: starting the nodes: %w", err)
	}
	for i := range r.c.ready {
		r.c.ready[i] = true
	}
	r.p = newPacer(r.w, drv.Events(), r.onEvent)
	for _, ev := range drv.Backlog() {
		r.onEvent(ev)
	}
	if err := r.addClients(); err != nil {
		return nil, err
	}
	if cfg.MaxTime > 0 {
		if err := r.addNemesis(); err != nil {
			return nil, err
		}
	}
	r.pollRoles()
	phases, err := r.runPhases(ctx)
	if err != nil {
		if !errors.Is(err, ErrInterrupted) {
			return nil, err
		}
		r.interrupted = err
	}
	// The nodes are done: stop them before checking, so the check has the
	// machine to itself.
	if err := drv.Close(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInternal, err)
	}
	checkStart := time.Now()
	res, err := r.check()
	if err != nil {
		return nil, err
	}
	res.CheckTime = time.Since(checkStart)
	res.Phases = phases
	res.Wall = time.Since(start)
	return res, r.interrupted
}

func (r *runner) onEvent(ev proc.Event) {
	r.c.onEvent(ev)
	r.c.sweep()
}

// pollRoles reads the nodes' role reports every rolePoll of run time.
func (r *runner) pollRoles() {
	if r.obs.tails == nil {
		return
	}
	r.obs.pollAll(r.drv.Incarnation)
	r.w.After(rolePoll, r.pollRoles)
}

func (r *runner) addClients() error {
	r.rec = clients.NewRecorder(func() int64 { return int64(r.w.Now()) })
	r.rec.SetLimit(r.cfg.MaxOps)
	r.rec.OnOp(r.onOp)
	for t := range r.cfg.Clients {
		ccfg := r.cfg.clientConfig(t)
		rng, err := r.w.Stream(fmt.Sprintf("client/%d", t))
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInternal, err)
		}
		var startErr error
		_, err = r.w.AddHost(clientBase+t, sim.HostConfig{Stream: true}, func(h *sim.Host) (sim.Process, error) {
			cl, err := clients.NewClient(ccfg, t, harness.Env(h), rng, r.rec)
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

// onOp follows the history as it is recorded: which node served the latest
// ok write (the leader as the clients see it) and whether anything succeeded.
func (r *runner) onOp(op *histories.Op) {
	if op.Type != histories.OK {
		return
	}
	r.okSeen = true
	switch op.F {
	case "write", "put", "cas":
		if op.Node != 0 {
			r.lastWriter = op.Node
		}
	}
}

// addNemesis builds a standard run's nemesis on the live cluster, from the
// "nemesis" stream, as a simulated run does.
func (r *runner) addNemesis() error {
	r.nemCfg = r.cfg.Nemesis
	if r.cfg.Swarm {
		p, err := swarmProfile(r.w, r.cfg.Nodes)
		if err != nil {
			return err
		}
		r.profile, r.nemCfg = p, p.Config()
	}
	rng, err := r.w.Stream("nemesis")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInternal, err)
	}
	r.faults = newLiveFaults(r)
	if r.nem, err = nemesis.New(r.nemCfg, r.faults, rng); err != nil {
		return fmt.Errorf("live: Nemesis: %w", err)
	}
	return nil
}

// runPhases starts the clients, runs the phases, stops the clients and
// waits (at most Quiet) for the operations in flight. A cancelled context
// ends it early with an error wrapping ErrInterrupted.
func (r *runner) runPhases(ctx context.Context) ([]PhaseResult, error) {
	if err := r.p.catchUp(sim.MaxTime); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInternal, err)
	}
	r.clientsAt = r.w.Now()
	for _, cl := range r.clients {
		cl.Start()
	}
	phases := r.cfg.Phases
	if r.cfg.MaxTime > 0 {
		phases = r.standardPhases()
	}
	ctl := &Control{r: r}
	var out []PhaseResult
	stop := func() {
		r.stopTime = r.w.Now()
		for _, cl := range r.clients {
			cl.Stop()
		}
	}
	for _, ph := range phases {
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
			stop()
			r.endTime = r.w.Now()
			return out, r.loopErr(err)
		}
		out = append(out, PhaseResult{Name: ph.Name, Until: held, Duration: time.Duration(r.w.Now() - begin)})
	}
	stop()
	idle := func() bool {
		for _, cl := range r.clients {
			if cl.Busy() {
				return false
			}
		}
		return true
	}
	_, err := r.p.run(ctx, r.w.Now()+sim.Time(r.cfg.Quiet), idle)
	r.endTime = r.w.Now()
	if err != nil {
		return out, r.loopErr(err)
	}
	return out, nil
}

func (r *runner) loopErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w %v into the run: %w", ErrInterrupted, time.Duration(r.w.Now()-r.clientsAt).Round(time.Millisecond), err)
	}
	return fmt.Errorf("%w: %v", ErrInternal, err)
}
