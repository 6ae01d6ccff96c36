// Package harness carries out one run: it builds the simulated world (the
// cluster of kvstore servers over the chosen Raft, the clients, the
// nemesis), simulates the run's phases, and checks what happened. It takes
// its configuration as parsed options.Options and knows nothing of the
// public API built on it (the root package), which turns an Outcome into a
// Result and stores it.
//
// Everything it learns about the nodes comes through the consensus boundary:
// the kvstore.Observer callbacks and raft.Consensus.Status (through
// kvstore.Server.Status), never an implementation's internals, so every
// Raft that satisfies raft.Consensus gets the same checks and reports.
package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/options"
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
// test (the CLI exits 255 on them). The root package exports it.
var ErrInternal = errors.New("internal error")

// Execution is one run in progress: everything Prepare builds, kept for
// checking and reporting once the simulation ends.
type Execution struct {
	opts    options.Options
	nemCfg  nemesis.Config
	profile *nemesis.Profile
	w       *sim.World
	obs     *observer
	c       *cluster
	rec     *clients.Recorder
	clients []*clients.Client
	faults  *simFaults
	lin     *checker.LinResult
	churn   *checker.ChurnResult // nil: election churn was not checked
	nem     *nemesis.Nemesis

	setupTime, healTime, stopTime, endTime sim.Time
	trace                                  *bufio.Writer
	traceFile                              *os.File
	// panic is the failed assertion of the Raft under test that stopped the
	// run, nil if none did.
	panic *implPanic
	// truncated explains a history cut short by the recorder's limit ("" if
	// it was not): the verdict is then at best unknown.
	truncated string
	// clientErrs are the clients' own misuse reports (a bug in the harness or a
	// workload), each a problem of the run.
	clientErrs []string
}

// Execute prepares, simulates and checks the run o describes. When ctx ends
// first, the run stops (see Simulate and Check) with an error wrapping
// ctx.Err().
func Execute(ctx context.Context, o options.Options) (*Execution, *Outcome, error) {
	x, err := Prepare(o)
	if err != nil {
		return nil, nil, err
	}
	if err := x.Simulate(ctx); err != nil {
		return nil, nil, err
	}
	out, err := x.Check(ctx)
	if err != nil {
		return nil, nil, err
	}
	return x, out, nil
}

// Prepare builds the world, cluster, clients and nemesis of the run o
// describes. o must come from a validated configuration.
func Prepare(o options.Options) (_ *Execution, err error) {
	x := &Execution{opts: o}
	wcfg := sim.Config{Seed: o.Seed, Net: o.Net, Disk: o.Disk}
	if o.TracePath != "" {
		f, ferr := os.Create(o.TracePath)
		if ferr != nil {
			return nil, fmt.Errorf("trace: %w", ferr)
		}
		// Simulate closes the file; a run that fails before it (an unknown
		// fault name, say) must not leave the descriptor open, nor an empty
		// trace that looks like a run's.
		defer func() {
			if err != nil {
				f.Close()
				os.Remove(o.TracePath)
			}
		}()
		x.traceFile = f
		x.trace = bufio.NewWriterSize(f, 1<<20)
		wcfg.Trace = x.trace
	}
	if x.w, err = sim.NewWorld(wcfg); err != nil {
		return nil, err
	}
	x.nemCfg, x.profile = o.Nemesis, o.Profile
	// A membership repair must finish, or be reported failed, inside the
	// recovery window, or a short window would hide it.
	if rt := int64(o.RecoveryTime); rt > 0 && x.nemCfg.WithDefaults().RepairTimeout > rt*4/5 {
		x.nemCfg.RepairTimeout = max(rt*4/5, 1)
	}
	x.obs = newObserver(x.w, o.Nodes, o.KeepMessages, o.Raft.Conf)
	if x.c, err = newCluster(x.w, &o, x.obs); err != nil {
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
	x.faults = &simFaults{w: x.w, c: x.c, rec: x.rec, rng: drng, base: wcfg.Net, disk: wcfg.Disk, log: NewFaultLog(o.Nodes)}
	if x.nem, err = nemesis.New(x.nemCfg, x.faults, nrng); err != nil {
		return nil, err // it names the nemesis package already
	}
	return x, nil
}

// History returns the recorded history.
func (x *Execution) History() histories.History { return x.rec.History() }

// digests returns the end-of-run digests of the live members.
func (x *Execution) digests() []checker.ReplicaDigest {
	members := map[int]bool{}
	for _, m := range x.obs.conf.voters {
		members[m] = true
	}
	var ds []checker.ReplicaDigest
	for _, id := range x.c.nodes {
		s := x.c.server(id)
		if s == nil || !members[id] || (x.panic != nil && x.panic.node == id) {
			// A node that panicked may have stopped halfway through applying.
			continue
		}
		ds = append(ds, checker.ReplicaDigest{Node: id, Applied: s.Applied(), Digest: s.Digest()})
	}
	return ds
}
