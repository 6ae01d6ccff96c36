package live

import (
	"fmt"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
)

// Phase is one stretch of a run: Start acts when it begins (faults), then
// the run goes on until Until holds or Max has passed. Until makes a test's
// faults wait for the evidence they need instead of a guessed duration: a
// slow machine then runs longer, and gathers the same evidence, instead
// of reaching a different verdict.
type Phase struct {
	// Name labels the phase in the result.
	Name string
	// Start runs on the run's loop when the phase begins (nil: nothing).
	Start func(c *Control) error
	// Until ends the phase once it holds; it is checked every 10 ms of run
	// time and must be cheap (nil: the phase lasts Max).
	Until func(c *Control) bool
	// Max bounds the phase.
	Max time.Duration
}

// PhaseResult says how a phase ended.
type PhaseResult struct {
	Name     string        `json:"name"`
	Until    bool          `json:"until"` // Until held (false: Max passed)
	Duration time.Duration `json:"duration"`
}

// Control is what a phase may do to the running cluster. Nodes are numbered
// from 0 (n0). Every fault is recorded in the history as a nemesis op.
// Methods run on the run's loop: call them only from Start and Until.
type Control struct {
	r *runner
}

func (c *Control) node(i int) error {
	if i < 0 || i >= c.r.c.n {
		return fmt.Errorf("live: node %d out of range [0, %d)", i, c.r.c.n)
	}
	return nil
}

// Nodes returns the cluster size.
func (c *Control) Nodes() int { return c.r.c.n }

// Elapsed returns the time since the clients started.
func (c *Control) Elapsed() time.Duration { return time.Duration(c.r.w.Now() - c.r.clientsAt) }

// Ready reports whether node i's current process answered init (after a
// Restart, it is false until the node's init_ok arrives).
func (c *Control) Ready(i int) bool { return c.node(i) == nil && c.r.c.ready[i] }

// Now returns the current time on the history's clock (histories.Op.Time).
func (c *Control) Now() int64 { return int64(c.r.w.Now()) }

// History returns the history recorded so far (do not modify it).
func (c *Control) History() histories.History { return c.r.rec.History() }

func names(ids []int) string {
	s := make([]string, len(ids))
	for k, i := range ids {
		s[k] = maelstrom.NodeID(i)
	}
	return strings.Join(s, ",")
}

// Partition cuts the network between the groups of nodes, both ways
// (client links are untouched). It adds to partitions in force.
func (c *Control) Partition(groups ...[]int) error {
	addrs := make([][]int, len(groups))
	desc := make([]string, len(groups))
	for g, group := range groups {
		for _, i := range group {
			if err := c.node(i); err != nil {
				return err
			}
			addrs[g] = append(addrs[g], i+1)
		}
		desc[g] = "{" + names(group) + "}"
	}
	if err := c.r.w.Net().Partition(addrs...); err != nil {
		return fmt.Errorf("live: partition: %w", err)
	}
	c.r.rec.Nemesis("start-partition", strings.Join(desc, " | "))
	return nil
}

// Isolate cuts node i off from every other node.
func (c *Control) Isolate(i int) error {
	if err := c.node(i); err != nil {
		return err
	}
	var rest []int
	for j := range c.r.c.n {
		if j != i {
			rest = append(rest, j)
		}
	}
	return c.Partition([]int{i}, rest)
}

// Heal removes every partition.
func (c *Control) Heal() {
	c.r.w.Net().Heal()
	c.r.rec.Nemesis("stop-partition", "healed")
}

// Kill crashes node i (SIGKILL). Its files stay; Restart runs it again.
func (c *Control) Kill(i int) error {
	if err := c.node(i); err != nil {
		return err
	}
	c.r.c.kill(i)
	c.r.rec.Nemesis("start-kill", maelstrom.NodeID(i))
	return nil
}

// Restart kills node i if it runs, waits for it to be reaped, and starts it
// again in its directory (it gets init again).
func (c *Control) Restart(i int) error {
	if err := c.node(i); err != nil {
		return err
	}
	if err := c.r.c.restart(i); err != nil {
		return err
	}
	c.r.rec.Nemesis("stop-kill", maelstrom.NodeID(i))
	return nil
}

// Pause stops node i (SIGSTOP); messages to it wait in the network, as for
// a paused simulated host.
func (c *Control) Pause(i int) error {
	if err := c.node(i); err != nil {
		return err
	}
	if err := c.r.drv.Pause(i); err != nil {
		return err
	}
	c.r.c.hosts[i].Pause()
	c.r.rec.Nemesis("start-pause", maelstrom.NodeID(i))
	return nil
}

// Resume continues node i (SIGCONT) and hands it what waited.
func (c *Control) Resume(i int) error {
	if err := c.node(i); err != nil {
		return err
	}
	if err := c.r.drv.Resume(i); err != nil {
		return err
	}
	c.r.c.hosts[i].Resume()
	c.r.rec.Nemesis("stop-pause", maelstrom.NodeID(i))
	return nil
}
