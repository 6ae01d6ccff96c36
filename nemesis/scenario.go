package nemesis

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultScenario is the mix `--chaos` uses (and `make run`): partitions and
// crashes.
const DefaultScenario = "default"

// ScenarioInfo describes a named fault bundle.
type ScenarioInfo struct {
	Name string `json:"name"`
	// Description says what the scenario is meant to expose.
	Description string `json:"description"`
	// Config is the scenario's nemesis configuration: faults, interval and
	// intensities (zero fields are the package defaults).
	Config Config `json:"config"`
}

// String is a one-line summary: name, faults and pacing.
func (s ScenarioInfo) String() string {
	c := s.Config.WithDefaults()
	return fmt.Sprintf("%s: %s (every %s, up to %d at once)", s.Name, strings.Join(s.Config.Faults, ","), dur(c.Interval), c.MaxActive)
}

// scenarios builds the scenario table; a function, not a variable, so callers
// can never change it.
func scenarios() []ScenarioInfo {
	return []ScenarioInfo{
		{
			Name:        "leader_failure",
			Description: "the leader crashes, pauses or is cut off: elections, acknowledged writes that must survive the leader, and a paused leader waking up to serve stale reads",
			Config: Config{
				Faults:   []string{"crash-leader", "pause-leader", "partition-isolate-leader"},
				Interval: 4 * Second,
			},
		},
		{
			Name:        "rolling_failures",
			Description: "nodes crash one after another, a majority at once, or all at once: recovery from disk only, fsync discipline, no acknowledged write lost",
			Config: Config{
				Faults:     []string{"crash-random", "crash-majority", "crash-all", "rolling-restart", "lose-unsynced"},
				Interval:   5 * Second,
				MaxActive:  1,
				MaxCrashed: BudgetMajority,
				Intensity:  Intensity{Downtime: Second},
			},
		},
		{
			Name:        "split_brain",
			Description: "two nodes that both believe they lead: a leader cut off with a minority, a bridge, a majorities ring, a leader paused and cut off; stale and lease reads must not break linearizability",
			Config: Config{
				Faults:   []string{"partition-leader-minority", "partition-bridge", "partition-majorities-ring", "pause-leader"},
				Interval: 4 * Second,
			},
		},
		{
			Name:        "network_partition",
			Description: "every partition shape, symmetric and one-way: elections under partitions, log reconciliation after the heal, PreVote and CheckQuorum",
			Config: Config{
				Faults: []string{
					"partition-halves", "partition-random-halves", "partition-isolate-one", "partition-isolate-leader",
					"partition-majorities-ring", "partition-bridge", "partition-one-way",
				},
				Interval:  5 * Second,
				MaxActive: 1,
			},
		},
		{
			Name:        "flaky_network",
			Description: "loss, duplication, delay, reordering and a slow link together: retransmission, idempotent retries and session deduplication, stale replies",
			Config: Config{
				Faults:    []string{"flaky", "duplicate", "delay", "reorder", "slow-link"},
				Interval:  3 * Second,
				MaxActive: 3,
				Intensity: Intensity{Loss: 0.25, Duplicate: 0.3, Reorder: 0.4},
			},
		},
		{
			Name:        "clock_chaos",
			Description: "skewed, drifting, jumping and strobing clocks: lease reads must fail the check when drift exceeds the lease margin; ReadIndex and log reads must not care",
			Config: Config{
				Faults:    []string{"clock-skew", "clock-drift", "clock-bump", "clock-strobe", "pause-leader"},
				Interval:  4 * Second,
				MaxActive: 3,
			},
		},
		{
			Name:        "disk_faults",
			Description: "crashes that lose or tear unsynced writes, slow fsync and a flipped bit at rest: persist-before-send, torn-tail recovery, checksums that make a corrupted node fail-stop, and replacing it",
			Config: Config{
				Faults:   []string{"lose-unsynced", "torn-write", "slow-fsync", "corrupt", "crash-all"},
				Interval: 5 * Second,
			},
		},
		{
			Name:        "membership_churn",
			Description: "nodes (sometimes the leader) leave and rejoin, some with an empty disk, while nodes crash and get cut off: one change at a time, a removed leader stepping down, catching up a fresh node",
			Config: Config{
				Faults:   []string{"member-churn", "crash-random", "partition-isolate-one"},
				Interval: 5 * Second,
			},
		},
		{
			Name:        "kitchen_sink",
			Description: "every fault in the catalog, three at a time: the interactions nobody planned for",
			Config: Config{
				Faults:    []string{All},
				Interval:  3 * Second,
				MaxActive: 3,
			},
		},
		{
			Name:        DefaultScenario,
			Description: "the --chaos mix: random partitions, leader isolation, crashes and pauses, one or two at a time",
			Config: Config{
				Faults:   []string{"partition-random-halves", "partition-isolate-leader", "crash-random", "crash-leader", "pause-random"},
				Interval: 5 * Second,
			},
		},
	}
}

// Scenarios returns every named scenario, DefaultScenario last.
func Scenarios() []ScenarioInfo { return scenarios() }

// Scenario returns the configuration of the named scenario. Dashes read as
// underscores and case is ignored; an unknown name is an error listing the
// known ones.
func Scenario(name string) (Config, error) {
	want := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
	var names []string
	for _, s := range scenarios() {
		if s.Name == want {
			c := s.Config
			c.Faults = slices.Clone(c.Faults)
			return c, nil
		}
		names = append(names, s.Name)
	}
	return Config{}, fmt.Errorf("unknown chaos scenario %q (known: %s)", name, strings.Join(names, ", "))
}
