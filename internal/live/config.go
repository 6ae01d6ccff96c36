package live

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
)

// Config configures a live run.
type Config struct {
	// Bin is the node binary; Args its arguments (every node gets the same).
	Bin  string
	Args []string
	// Nodes is the cluster size (default 3), nodes n0..n(Nodes-1).
	Nodes int
	// Dir is the run directory: the nodes' working directories and stderr
	// logs go there. Required.
	Dir string
	// Seed seeds the harness's random choices (network, clients). It does
	// not make a live run reproducible: see the package doc.
	Seed uint64

	// Workload is "register" (default: one key, read/write/cas) or "kv"
	// (Keys keys, get/put). lin-kv has no append or delete.
	Workload string
	// Clients is the number of client threads (default 5).
	Clients int
	// Rate is each client's ops/s; 0 runs a closed loop.
	Rate float64
	// Keys is the kv workload's key count (default 5).
	Keys int
	// Mix is the operation mix (nil: the workload's; for kv, get and put
	// half each).
	Mix []clients.Weight
	// RegisterValues: register values are drawn from 0..RegisterValues-1
	// (0: the clients' default).
	RegisterValues int
	// OpTimeout is how long a request waits for its answer (default 1s):
	// then the operation ends info (fail for a read), and the client's next
	// operation goes to another node. Clients resend only after a definite
	// rejection, never after silence: a Maelstrom node has no sessions, so
	// a resent request could apply twice. An operation rejected again and
	// again ends at twice OpTimeout.
	OpTimeout time.Duration
	// FollowLeader sends each operation to the leader the client knows, as
	// in simulated runs. By default each client thread is bound to a home
	// node, as Maelstrom's and Jepsen's clients are, moving to the next
	// node only when a request goes unanswered, and follows redirects from
	// there: every node must serve, forward or redirect what reaches it.
	FollowLeader bool
	// ClientConfig, when set, adjusts client thread t's configuration (tests
	// use it to pin threads to nodes or give them their own mix).
	ClientConfig func(thread int, c *clients.Config)

	// Net is the simulated network between the nodes (and, as TCP-like
	// streams, between clients and nodes). Zero: sim's defaults.
	Net sim.NetConfig

	// Phases run in order once the nodes are ready and the clients start;
	// none: one phase of Duration (default 5s).
	Phases   []Phase
	Duration time.Duration
	// Quiet is how long the run goes on after the clients stop, for
	// operations in flight (default 2 × OpTimeout + 500ms; ends early once
	// no client is busy).
	Quiet time.Duration

	// MaxTime, when positive and Phases is empty, makes a standard run: a
	// simulated run's shape on real processes. Setup runs until a node
	// reports that it leads or an operation succeeds (at most SetupLimit);
	// then the nemesis acts for MaxTime; the final heal; RecoveryTime with
	// the clients running; then Quiet.
	MaxTime      time.Duration
	RecoveryTime time.Duration
	// Nemesis is a standard run's fault schedule. Live mode can partition,
	// slow, drop, duplicate and reorder messages, kill and restart nodes
	// and pause them; clock, disk and membership faults are refused (see
	// Unsupported).
	Nemesis nemesis.Config
	// Swarm draws the schedule from the seed instead (nemesis.Swarm), with
	// the faults live mode cannot inject left out.
	Swarm bool
	// SetupLimit bounds a standard run's setup (default 30s).
	SetupLimit time.Duration

	// NodeDir is the parent of the nodes' working directories (default
	// Dir): a node killed and restarted finds its files there.
	NodeDir string
	// RoleRegex picks the role reports out of each node's stderr, if it
	// writes any: a line it matches says the node took the role (named
	// group "role": leader, follower, candidate, pre-candidate or
	// precandidate, any case) in the term (named group "term"). nil: none
	// are read. See DefaultRoleRegex.
	RoleRegex *regexp.Regexp
	// KeepMessages keeps node-to-node messages for the timeline's arrows.
	KeepMessages bool
	// MaxOps bounds the recorded history (0: clients.DefaultMaxOps).
	MaxOps int

	// InitTimeout bounds each node's init (default 10s).
	InitTimeout time.Duration
	// PendingTTL: a request unanswered this long is forgotten (default
	// max(10 × OpTimeout, 30s)); a reply after it counts as late.
	PendingTTL time.Duration
	// CheckTimeout bounds the linearizability check (0: none).
	CheckTimeout time.Duration
	// CheckMemory bounds its heap, as checker.LinOptions.MemoryLimit (0: the
	// checker's default; negative: none).
	CheckMemory int64
}

// DefaultRoleRegex matches the role reports of the example node
// (examples/maelstrom-raft): "raft: leader in term 3 (leader 1)". Any node
// may write such lines to stderr to give live mode its roles.
const DefaultRoleRegex = `raft: (?P<role>[A-Za-z-]+) in term (?P<term>[0-9]+)`

// DefaultSetupLimit bounds a standard run's setup.
const DefaultSetupLimit = 30 * time.Second

// Defaults.
const (
	DefaultNodes    = 3
	DefaultClients  = 5
	DefaultKeys     = 5
	DefaultDuration = 5 * time.Second
	DefaultTimeout  = time.Second
)

// ErrAppend refuses the append workload.
var ErrAppend = errors.New("live: Workload: lin-kv has no append (Maelstrom's lin-kv offers read, write and cas): use register or kv")

func (c Config) withDefaults() Config {
	if c.Nodes == 0 {
		c.Nodes = DefaultNodes
	}
	if c.Workload == "" {
		c.Workload = clients.Register
	}
	if c.Clients == 0 {
		c.Clients = DefaultClients
	}
	if c.Keys == 0 {
		c.Keys = DefaultKeys
	}
	if c.Mix == nil && c.Workload == clients.KV {
		c.Mix = []clients.Weight{{F: "get", Weight: 0.5}, {F: "put", Weight: 0.5}}
	}
	if c.OpTimeout == 0 {
		c.OpTimeout = DefaultTimeout
	}
	if len(c.Phases) == 0 && c.MaxTime <= 0 {
		d := c.Duration
		if d == 0 {
			d = DefaultDuration
		}
		c.Phases = []Phase{{Name: "run", Max: d}}
	}
	if c.Quiet == 0 {
		c.Quiet = 2*c.OpTimeout + 500*time.Millisecond
	}
	if c.SetupLimit == 0 {
		c.SetupLimit = DefaultSetupLimit
	}
	if c.MaxOps == 0 {
		c.MaxOps = clients.DefaultMaxOps
	}
	if c.PendingTTL == 0 {
		c.PendingTTL = max(10*c.OpTimeout, 30*time.Second)
	}
	return c
}

// validate names the first bad field. The binary is the driver's to check.
func (c Config) validate() error {
	switch {
	case c.Dir == "":
		return errors.New("live: Dir: no run directory given")
	case c.Nodes < 1 || c.Nodes >= clientBase:
		return fmt.Errorf("live: Nodes: must be in [1, %d], got %d", clientBase-1, c.Nodes)
	case c.Workload == clients.Append:
		return ErrAppend
	case c.Workload != clients.Register && c.Workload != clients.KV:
		return fmt.Errorf("live: Workload: unknown workload %q (want register or kv)", c.Workload)
	case c.Clients < 1 || c.Clients > clients.MaxThreads:
		return fmt.Errorf("live: Clients: must be in [1, %d], got %d", clients.MaxThreads, c.Clients)
	case c.OpTimeout <= 0:
		return fmt.Errorf("live: OpTimeout: must be positive, got %v", c.OpTimeout)
	case c.Quiet < 0:
		return fmt.Errorf("live: Quiet: must not be negative, got %v", c.Quiet)
	}
	for i, w := range c.Mix {
		if c.Workload == clients.KV && !slices.Contains([]string{"get", "put"}, w.F) {
			return fmt.Errorf("live: Mix[%d].F: %q has no lin-kv request (the kv workload offers get and put)", i, w.F)
		}
	}
	if re := c.RoleRegex; re != nil && (re.SubexpIndex("role") < 0 || re.SubexpIndex("term") < 0) {
		return fmt.Errorf("live: RoleRegex: %q needs the named groups (?P<role>...) and (?P<term>...)", re)
	}
	if err := c.validateStandard(); err != nil {
		return err
	}
	for i, p := range c.Phases {
		if p.Max <= 0 {
			return fmt.Errorf("live: Phases[%d] (%s): Max must be positive, got %v", i, p.Name, p.Max)
		}
	}
	return nil
}

// clientConfig is thread t's client configuration.
func (c Config) clientConfig(t int) clients.Config {
	cc := clients.DefaultConfig()
	cc.Workload = c.Workload
	cc.Threads = c.Clients
	cc.Servers = make([]int, c.Nodes)
	for i := range cc.Servers {
		cc.Servers[i] = i + 1
	}
	cc.Keys = c.Keys
	cc.Mix = c.Mix
	if c.RegisterValues > 0 {
		cc.RegisterValues = c.RegisterValues
	}
	cc.Rate = c.Rate
	// A Maelstrom node has no sessions: a resent request is a new one, and
	// both could apply. An unanswered request therefore ends its operation
	// (info; fail for a read) after OpTimeout, and the next goes to another
	// node; definite rejections are resent. The operation's own deadline
	// is a backstop for one rejected again and again.
	cc.NoResend = true
	cc.AttemptTimeout = int64(c.OpTimeout)
	cc.OpTimeout = 2 * int64(c.OpTimeout)
	cc.RetryDelay = min(cc.RetryDelay, cc.AttemptTimeout)
	cc.MaxAttempts = 32
	cc.Spread = !c.FollowLeader
	if c.ClientConfig != nil {
		c.ClientConfig(t, &cc)
	}
	return cc
}
