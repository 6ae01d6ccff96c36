package raftcheck

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
)

// quietTime is how long the cluster runs after the clients stop, so in-flight
// operations finish and replicas converge before digests are compared.
const quietTime = 3 * sim.Second

// setupLimit bounds the wait for the first leader (a cluster that cannot elect
// one runs its workload anyway and fails liveness); setupStep is how often the
// wait looks.
const (
	setupLimit = 30 * sim.Second
	setupStep  = 10 * sim.Millisecond
)

// maxOps bounds the ops a run records.
const maxOps = clients.DefaultMaxOps

// ErrInternal marks failures of raftcheck itself rather than of the system under
// test (the CLI exits 255 on them).
var ErrInternal = errors.New("internal error")

// execution is one run in progress: everything Run builds, kept for checking
// and reporting once the simulation ends.
type execution struct {
	cfg     Config
	nemCfg  nemesis.Config
	profile *nemesis.Profile
	w       *sim.World
	obs     *observer
	c       *cluster
	rec     *clients.Recorder
	clients []*clients.Client
	faults  *simFaults
	lin     *checker.LinResult
	nem     *nemesis.Nemesis

	setupTime, healTime, stopTime, endTime sim.Time
	trace                                  *bufio.Writer
	traceFile                              *os.File
	// truncated explains a history cut short by the recorder's limit ("" if
	// it was not): the verdict is then at best unknown.
	truncated string
}

// Run executes one seeded run of cfg: simulate, check, and (when cfg.Store is
// set) write the run's directory. An error means the run could not be carried
// out (bad config: wraps the field name; or an internal failure: wraps
// ErrInternal); a failing system under test is a Result with Verdict invalid.
func Run(cfg Config) (*Result, error) {
	start := time.Now()
	x, res, err := execute(cfg, start)
	if err != nil {
		return nil, err
	}
	if cfg.Store != "" {
		if err := x.store(res, start); err != nil {
			return res, err
		}
	}
	return res, nil
}

// execute prepares, simulates and checks cfg, and keeps the execution for
// what the caller does next (Run stores it, runTimed dates its findings).
// start is when the run began, for the result's wall-clock figures.
func execute(cfg Config, start time.Time) (*execution, *Result, error) {
	x, err := prepare(cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := x.simulate(); err != nil {
		return nil, nil, err
	}
	res, err := x.check(start)
	if err != nil {
		return nil, nil, err
	}
	return x, res, nil
}

// prepare validates cfg and builds the world, cluster, clients and nemesis.
func prepare(cfg Config) (_ *execution, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rb, kb, err := resolveBugs(cfg.Bugs)
	if err != nil {
		return nil, err
	}
	lat, err := sim.ParseDist(cfg.LatencyDist, sim.Time(cfg.Latency), sim.Time(cfg.LatencyStddev))
	if err != nil {
		return nil, fmt.Errorf("latency-dist: %w", err)
	}
	crashMode, err := sim.ParseCrashMode(cfg.DiskCrashMode)
	if err != nil {
		return nil, fmt.Errorf("disk-crash-mode: %w", err)
	}
	x := &execution{cfg: cfg}
	wcfg := sim.Config{
		Seed: cfg.Seed,
		Net:  sim.NetConfig{Latency: lat, Loss: cfg.MessageDropRate, Duplicate: cfg.MessageDupRate, Reorder: cfg.ReorderRate},
		Disk: sim.DiskConfig{SyncLatency: sim.Time(cfg.SyncLatency), CrashMode: crashMode},
	}
	if cfg.TracePath != "" {
		f, ferr := os.Create(cfg.TracePath)
		if ferr != nil {
			return nil, fmt.Errorf("trace: %w", ferr)
		}
		// simulate closes the file; a run that fails before it (an unknown
		// fault name, say) must not leave the descriptor open, nor an empty
		// trace that looks like a run's.
		defer func() {
			if err != nil {
				f.Close()
				os.Remove(cfg.TracePath)
			}
		}()
		x.traceFile = f
		x.trace = bufio.NewWriterSize(f, 1<<20)
		wcfg.Trace = x.trace
	}
	if x.w, err = sim.NewWorld(wcfg); err != nil {
		return nil, err
	}
	if x.nemCfg, x.profile, err = nemesisConfig(&cfg, x.w); err != nil {
		return nil, err
	}
	// A membership repair must finish, or be reported failed, inside the
	// recovery window, or a short window would hide it.
	if rt := int64(cfg.RecoveryTime); rt > 0 && x.nemCfg.WithDefaults().RepairTimeout > rt*4/5 {
		x.nemCfg.RepairTimeout = max(rt*4/5, 1)
	}
	x.obs = newObserver(x.w, cfg.Nodes, cfg.KeepMessages && cfg.Store != "")
	if x.c, err = newCluster(x.w, &cfg, rb, kb, x.obs); err != nil {
		return nil, err
	}
	x.rec = clients.NewRecorder(func() int64 { return int64(x.w.Now()) })
	x.rec.SetLimit(maxOps)
	x.rec.OnOp(x.obs.traceOp)
	if err := x.addClients(); err != nil {
		return nil, err
	}
	nrng, err := x.w.Stream("nemesis")
	if err != nil {
		return nil, err
	}
	drng, err := x.w.Stream("nemesis/disk")
	if err != nil {
		return nil, err
	}
	x.faults = &simFaults{w: x.w, c: x.c, rec: x.rec, rng: drng, base: wcfg.Net, disk: wcfg.Disk}
	if x.nem, err = nemesis.New(x.nemCfg, x.faults, nrng); err != nil {
		return nil, fmt.Errorf("nemesis: %w", err)
	}
	return x, nil
}

// nemesisConfig resolves --nemesis, --chaos-scenario and --swarm into one schedule.
func nemesisConfig(cfg *Config, w *sim.World) (nemesis.Config, *nemesis.Profile, error) {
	switch {
	case cfg.Swarm:
		rng, err := w.Stream("swarm")
		if err != nil {
			return nemesis.Config{}, nil, err
		}
		p := nemesis.Swarm(rng, cfg.Nodes)
		return p.Config(), &p, nil
	case cfg.ChaosScenario != "":
		nc, err := nemesis.Scenario(cfg.ChaosScenario)
		if err != nil {
			return nemesis.Config{}, nil, fmt.Errorf("chaos-scenario: %w", err)
		}
		return nc, nil, nil
	}
	faults, err := nemesis.ParseFaults(strings.Join(cfg.Nemesis, ","))
	if err != nil {
		return nemesis.Config{}, nil, fmt.Errorf("nemesis: %w", err)
	}
	nc := nemesis.Config{Faults: faults, Interval: int64(cfg.NemesisInterval), MaxCrashed: cfg.MaxCrashed}
	if err := nc.Validate(); err != nil {
		return nemesis.Config{}, nil, err
	}
	return nc, nil, nil
}

func (x *execution) addClients() error {
	ccfg := clients.DefaultConfig()
	ccfg.Workload = x.cfg.Workload
	ccfg.Threads = x.cfg.Clients
	ccfg.Servers = append([]int(nil), x.c.nodes...)
	ccfg.Keys = x.cfg.Keys
	ccfg.KeyDist = x.cfg.KeyDist
	mix, err := parseMix(x.cfg.Mix, x.cfg.Workload)
	if err != nil {
		return fmt.Errorf("mix: %w", err)
	}
	ccfg.Mix = mix
	ccfg.Rate = x.cfg.Rate
	ccfg.OpTimeout = int64(x.cfg.OpTimeout)
	// A short --op-timeout shortens the per-attempt waits with it.
	ccfg.AttemptTimeout = min(ccfg.AttemptTimeout, ccfg.OpTimeout)
	ccfg.RetryDelay = min(ccfg.RetryDelay, ccfg.OpTimeout)
	for i := 0; i < x.cfg.Clients; i++ {
		rng, err := x.w.Stream(fmt.Sprintf("client/%d", i))
		if err != nil {
			return err
		}
		thread := i
		var startErr error
		// A client talks to servers over TCP: no duplicate or reordered
		// request can take effect after its rejection was recorded fail.
		_, err = x.w.AddHost(clientAddrBase+i, sim.HostConfig{Stream: true}, func(h *sim.Host) (sim.Process, error) {
			cl, err := clients.NewClient(ccfg, thread, hostEnv{h}, rng, x.rec)
			if err != nil {
				startErr = err
				return nil, err
			}
			x.clients = append(x.clients, cl)
			return cl, nil
		})
		if startErr != nil {
			return fmt.Errorf("clients: %w", startErr)
		}
		if err != nil {
			return fmt.Errorf("client %d: %w", i, err)
		}
	}
	return nil
}

// simulate runs the phases: faults until MaxTime, the final heal, the recovery
// window with clients running, then a quiet period with clients stopped.
func (x *execution) simulate() (err error) {
	defer func() {
		if r := recover(); r != nil {
			// In simulation an assertion failure is a found bug, but also one
			// that stops the run: report it with the seed to reproduce it.
			err = fmt.Errorf("%w: seed %d at %v: panic: %v", ErrInternal, x.cfg.Seed, x.w.Now(), r)
		}
		if x.trace != nil {
			if ferr := x.trace.Flush(); ferr != nil && err == nil {
				err = fmt.Errorf("trace: %w", ferr)
			}
			if cerr := x.traceFile.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("trace: %w", cerr)
			}
		}
	}()
	// Setup, as in Jepsen: clients and faults start once the cluster has
	// elected its first leader, so early ops do not all fail for want of one.
	for !x.obs.leaderSeen && x.w.Now() < setupLimit {
		if err := x.w.Run(x.w.Now() + setupStep); err != nil {
			return fmt.Errorf("%w: seed %d: %v", ErrInternal, x.cfg.Seed, err)
		}
	}
	x.setupTime = x.w.Now()
	for _, cl := range x.clients {
		cl.Start()
	}
	maxT := x.setupTime + sim.Time(x.cfg.MaxTime)
	if err := x.nem.Start(int64(maxT)); err != nil {
		return fmt.Errorf("%w: nemesis: %v", ErrInternal, err)
	}
	if err := x.w.Run(maxT); err != nil {
		return fmt.Errorf("%w: seed %d: %v", ErrInternal, x.cfg.Seed, err)
	}
	x.nem.Heal()
	x.healTime = x.w.Now()
	if err := x.w.Run(maxT + sim.Time(x.cfg.RecoveryTime)); err != nil {
		return fmt.Errorf("%w: seed %d: %v", ErrInternal, x.cfg.Seed, err)
	}
	x.stopTime = x.w.Now()
	for _, cl := range x.clients {
		cl.Stop()
	}
	if err := x.w.Run(x.stopTime + quietTime); err != nil {
		return fmt.Errorf("%w: seed %d: %v", ErrInternal, x.cfg.Seed, err)
	}
	x.endTime = x.w.Now()
	if err := x.rec.Misuse(); err != nil {
		return fmt.Errorf("%w: history: %v", ErrInternal, err)
	}
	if dropped, at := x.rec.Overflow(); dropped > 0 {
		// The clients stopped when the recorder filled: what was recorded is
		// checked, but it is not the whole run.
		x.truncated = fmt.Sprintf("history truncated: the limit of %d recorded ops was reached %v into the run (--max-time %v, --recovery-time %v); the clients stopped there and %d invokes and nemesis events went unrecorded, so the rest of the run is unchecked and liveness is skipped; to stay under the limit use fewer --clients, a --rate (ops/s per client), or a shorter --max-time",
			x.rec.Limit(), time.Duration(max(at-int64(x.setupTime), 0)).Round(time.Millisecond), x.cfg.MaxTime, x.cfg.RecoveryTime, dropped)
	}
	for i, cl := range x.clients {
		if err := cl.Err(); err != nil {
			x.obs.anomalies = append(x.obs.anomalies, fmt.Sprintf("client %d: %v", i, err))
		}
	}
	return nil
}

// history returns the recorded history.
func (x *execution) history() histories.History { return x.rec.History() }

// digests returns the end-of-run digests of the live members.
func (x *execution) digests() []checker.ReplicaDigest {
	members := map[int]bool{}
	for _, m := range x.obs.conf.voters {
		members[m] = true
	}
	var ds []checker.ReplicaDigest
	for _, id := range x.c.nodes {
		s := x.c.server(id)
		if s == nil || !members[id] {
			continue
		}
		ds = append(ds, checker.ReplicaDigest{Node: id, Applied: s.Applied(), Digest: s.Digest()})
	}
	return ds
}
