package live

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
)

// Unsupported says why live mode cannot inject the named fault ("" if it
// can): clock, disk and membership faults act on what only a simulated
// node has.
func Unsupported(fault string) string {
	for _, fi := range nemesis.Catalog() {
		if fi.Name != fault {
			continue
		}
		switch fi.Category {
		case nemesis.CategoryClock:
			return "a clock fault: live nodes read the machine's one real clock, which raftcheck cannot skew or drift per process"
		case nemesis.CategoryDisk:
			return "a disk fault: live nodes write to the real file system, which raftcheck does not intercept (a crash is SIGKILL: what the node had not fsynced is up to the operating system)"
		case nemesis.CategoryMembership:
			return "a membership fault: the Maelstrom protocol gives raftcheck no way to ask a node to change its configuration (lin-kv has read, write and cas only)"
		}
		return ""
	}
	return ""
}

// maxSwarmDraws bounds the swarm profiles drawn until one has a fault live
// mode can inject.
const maxSwarmDraws = 16

// validateStandard checks a standard run's fields.
func (c Config) validateStandard() error {
	switch {
	case c.MaxTime < 0:
		return fmt.Errorf("live: MaxTime: must not be negative, got %v", c.MaxTime)
	case c.MaxTime == 0:
		return nil
	case len(c.Phases) > 0:
		return errors.New("live: MaxTime and Phases: a run is either standard (MaxTime) or scripted (Phases), not both")
	case c.RecoveryTime < 0:
		return fmt.Errorf("live: RecoveryTime: must not be negative, got %v", c.RecoveryTime)
	case c.SetupLimit <= 0:
		return fmt.Errorf("live: SetupLimit: must be positive, got %v", c.SetupLimit)
	}
	if c.Swarm {
		return nil
	}
	names, err := nemesis.ParseFaults(strings.Join(c.Nemesis.Faults, ","))
	if err != nil {
		return fmt.Errorf("live: Nemesis: %w", err)
	}
	for _, name := range names {
		if why := Unsupported(name); why != "" {
			return fmt.Errorf("live: Nemesis: %s is %s", name, why)
		}
	}
	if err := c.Nemesis.Validate(); err != nil {
		return fmt.Errorf("live: Nemesis: %w", err)
	}
	return nil
}

// swarmProfile draws a standard run's swarm profile from the world's
// "swarm" stream, as a simulated run does, leaving out the faults live mode
// cannot inject; a profile left with none is drawn again (at most
// maxSwarmDraws times).
func swarmProfile(w *sim.World, nodes int) (*nemesis.Profile, error) {
	rng, err := w.Stream("swarm")
	if err != nil {
		return nil, err
	}
	for range maxSwarmDraws {
		p := nemesis.Swarm(rng, nodes)
		var keep []string
		for _, f := range p.Faults {
			if Unsupported(f) == "" {
				keep = append(keep, f)
			}
		}
		if len(keep) > 0 {
			p.Faults = keep
			return &p, nil
		}
	}
	return nil, fmt.Errorf("live: Swarm: %d profiles drawn, none with a fault live mode can inject", maxSwarmDraws)
}

// standardPhases is a standard run: setup, faults, the final heal and the
// recovery window.
func (r *runner) standardPhases() []Phase {
	ph := []Phase{
		{Name: "setup", Max: r.cfg.SetupLimit, Until: func(*Control) bool { return r.obs.leaderSeen || r.okSeen }},
		{Name: "faults", Max: r.cfg.MaxTime, Start: func(*Control) error {
			r.faultsAt = r.w.Now()
			return r.nem.Start(int64(r.w.Now() + sim.Time(r.cfg.MaxTime)))
		}},
	}
	heal := func(*Control) error {
		r.nem.Heal()
		r.healTime, r.healed = r.w.Now(), true
		return nil
	}
	if r.cfg.RecoveryTime > 0 {
		return append(ph, Phase{Name: "recovery", Max: r.cfg.RecoveryTime, Start: heal})
	}
	// No window: heal all the same, so the nodes end as they began.
	return append(ph, Phase{Name: "heal", Max: time.Nanosecond, Start: heal})
}

// liveness checks that the cluster recovered after the final heal: a leader
// within the recovery window, if the nodes report roles, and an ok
// operation on every client thread that tried.
func (r *runner) liveness(h histories.History) (*checker.LivenessResult, error) {
	if !r.healed || r.cfg.RecoveryTime <= 0 {
		return nil, nil
	}
	opts := checker.LivenessOptions{
		HealTime:       int64(r.healTime),
		LeaderBound:    int64(r.cfg.RecoveryTime),
		RecoveryWindow: int64(r.cfg.RecoveryTime),
		Threads:        r.cfg.Clients,
	}
	if !r.obs.rolesSeen {
		opts.LeaderUnobservable = r.obs.noRolesReason()
	}
	live, err := checker.CheckLiveness(h, r.obs.roles, opts)
	if err != nil {
		return nil, err
	}
	return &live, nil
}
