package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/internal/store"
	"github.com/raftcheck/raftcheck/nemesis"
)

// normalize lets the original brief's spellings work: underscores become dashes
// (`--max_time`, `--chaos_scenario`) and `--time` is an alias of `--max-time`.
func normalize(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	name = strings.ReplaceAll(name, "_", "-")
	if name == "time" {
		name = "max-time"
	}
	return pflag.NormalizedName(name)
}

// durationValue is a flag that takes a Go duration ("90s", "1.5m") or a bare
// number of seconds ("60"), as the original CLI did.
type durationValue struct{ d *raftcheck.Duration }

func (v durationValue) String() string {
	if v.d == nil {
		return "0s"
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v.d = raftcheck.Duration(d)
	return nil
}

func (v durationValue) Type() string { return "duration" }

func parseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if !(f >= 0 && f <= 1e9) { // NaN too: its conversion to an integer is undefined
			return 0, fmt.Errorf("%s seconds is out of range", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("want a duration like 60s or 1.5m, or seconds, got %q", s)
	}
	if d < 0 {
		// No duration flag has a meaning below zero; a negative bound
		// (--check-timeout -1s) would otherwise read as "no bound".
		return 0, fmt.Errorf("%s is negative: want a duration of 0 or more", s)
	}
	return d, nil
}

// byteSizeValue is a flag that takes a memory size ("4GiB", "512MiB", a bare
// number of bytes; "0" or "none" for no bound) and refuses sizes under
// checker.MinMemoryLimit, which would stop every search at once.
type byteSizeValue struct{ b *raftcheck.ByteSize }

func (v byteSizeValue) String() string {
	if v.b == nil {
		return "0"
	}
	return v.b.String()
}

func (v byteSizeValue) Set(s string) error {
	n, err := checker.ParseBytes(s)
	if err != nil {
		return err
	}
	if n != 0 && n < checker.MinMemoryLimit {
		return fmt.Errorf("%q is under %s, which would stop every search at once (0 = no bound)", s, checker.FormatBytes(checker.MinMemoryLimit))
	}
	*v.b = raftcheck.ByteSize(n)
	return nil
}

func (v byteSizeValue) Type() string { return "size" }

// newFlagSet returns a pflag set that reports errors instead of exiting.
func newFlagSet(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetNormalizeFunc(normalize)
	fs.SortFlags = false
	return fs
}

// parseArgs parses args into fs. --help prints the command's synopsis and flags
// on stdout and reports done (the command then exits 0); any other parse error
// is a usage error (exit 254) whose message names the flag.
func parseArgs(fs *pflag.FlagSet, args []string, synopsis string, stdout, stderr io.Writer) (done bool, err error) {
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: raftcheck %s\n\nFlags:\n%s", synopsis, fs.FlagUsages())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return true, nil
		}
		return false, usageError{err}
	}
	return false, nil
}

// checkStore refuses a --store that cannot take a run named name (not a
// directory, not writable, a name the file system will not take) before any
// run starts, so the mistake is a usage error rather than a failed write
// after minutes of running. It leaves the store as it found it.
func checkStore(dir, name string) error {
	if dir == "" {
		return nil
	}
	if err := store.Check(dir, name); err != nil {
		return usagef("--store: %s", strings.TrimPrefix(err.Error(), "store: "))
	}
	return nil
}

// isTerminal reports whether w is a terminal: progress bars redraw in place
// there, but would fill a CI log or a redirected file with frames.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// runFlags binds every Config knob to fs. chaos reports --chaos.
type runFlags struct {
	cfg      raftcheck.Config
	chaos    bool
	logLevel string
	jsonOut  bool
	nemesis  string
	bugs     []string
	schedule string // --nemesis-schedule: the text, or @FILE
}

func addRunFlags(fs *pflag.FlagSet, rf *runFlags) {
	c := &rf.cfg
	*c = raftcheck.DefaultConfig()
	rf.nemesis = strings.Join(stringsOf(c.Nemesis), ",")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the run (every random choice derives from it)")
	fs.StringVar(&c.Name, "name", c.Name, "store runs under store/<name>/")
	fs.StringVar(&c.Raft, "raft", c.Raft, "Raft implementation under test: "+strings.Join(raftcheck.RaftNames(), " | "))
	fs.IntVar(&c.Nodes, "nodes", c.Nodes, "cluster size (voters), 1..101")
	fs.Var(durationValue{&c.MaxTime}, "max-time", "simulated time with faults on (alias --time; bare numbers are seconds)")
	fs.Var(durationValue{&c.RecoveryTime}, "recovery-time", "simulated time after the final heal, clients still running")
	fs.StringVar((*string)(&c.Workload), "workload", string(c.Workload), "register | kv | append")
	fs.IntVar(&c.Clients, "clients", c.Clients, "client threads")
	fs.Float64Var(&c.Rate, "rate", c.Rate, "ops/s per client (0 = closed loop, saturating)")
	fs.IntVar(&c.Keys, "keys", c.Keys, "keys for the kv and append workloads")
	fs.StringVar(&c.KeyDist, "key-dist", c.KeyDist, "uniform | zipf")
	fs.StringVar(&c.Mix, "mix", c.Mix, "operation mix as op=weight,..., e.g. get=2,put=1,delete=1 (default: the workload's)")
	fs.Var(durationValue{&c.OpTimeout}, "op-timeout", "a client gives up on an operation after this")
	fs.StringVar((*string)(&c.ReadMode), "read-mode", string(c.ReadMode), "readindex | log | lease | local (local is deliberately unsafe)")
	fs.BoolVar(&c.PreVote, "prevote", c.PreVote, "Raft PreVote")
	fs.BoolVar(&c.CheckQuorum, "check-quorum", c.CheckQuorum, "Raft CheckQuorum (leaders step down without a quorum)")
	fs.Var(durationValue{&c.TickInterval}, "tick-interval", "Raft tick interval (local clock)")
	fs.IntVar(&c.HeartbeatTicks, "heartbeat-ticks", c.HeartbeatTicks, "ticks between heartbeats")
	fs.IntVar(&c.ElectionTicks, "election-ticks", c.ElectionTicks, "base election timeout in ticks (randomized up to 2x)")
	fs.IntVar(&c.MaxSessions, "max-sessions", c.MaxSessions, "client sessions the state machine keeps (least recently used expire first)")
	fs.IntVar(&c.SnapshotEvery, "snapshot-every", c.SnapshotEvery, "applied entries between snapshots (0 = never)")
	fs.Var(durationValue{&c.Latency}, "latency", "mean one-way message latency")
	fs.Var(durationValue{&c.LatencyStddev}, "latency-stddev", "latency standard deviation (normal, lognormal) or half-width (uniform)")
	fs.StringVar(&c.LatencyDist, "latency-dist", c.LatencyDist, "constant | uniform | normal | exponential | lognormal")
	fs.Float64Var(&c.MessageDropRate, "message-drop-rate", c.MessageDropRate, "probability a message is lost (client traffic too: a connection reset)")
	fs.Float64Var(&c.MessageDupRate, "message-dup-rate", c.MessageDupRate, "probability a node-to-node message is duplicated (client traffic is TCP-like: never)")
	fs.Float64Var(&c.ReorderRate, "reorder-rate", c.ReorderRate, "probability a node-to-node message is delayed past later ones")
	fs.Var(durationValue{&c.SyncLatency}, "sync-latency", "fsync latency")
	fs.StringVar(&c.DiskCrashMode, "disk-crash-mode", c.DiskCrashMode, "what a crash does to unsynced writes: lose-unsynced | keep-prefix | tear-last")
	fs.StringVar(&rf.nemesis, "nemesis", rf.nemesis, "comma-separated faults (see: raftcheck faults; \"none\" for no faults, \"all\" for every fault)")
	fs.Var(durationValue{&c.NemesisInterval}, "nemesis-interval", "mean time between fault actions (jittered)")
	fs.IntVar(&c.MaxCrashed, "max-crashed", c.MaxCrashed, "most nodes down at once (0 = a minority)")
	fs.StringVar(&c.NemesisTuning, "nemesis-tuning", "", "nemesis pacing and intensities as key=value,..., e.g. jitter=0.3,max-active=2,loss=0.05,delay=20ms (keys: "+strings.Join(nemesis.TuningKeys(), ", ")+")")
	fs.StringVar(&rf.schedule, "nemesis-schedule", "", "explicit fault schedule to follow (a run's recorded \"schedule\", or @FILE holding one); see raftcheck shrink")
	fs.BoolVar(&rf.chaos, "chaos", false, "use the default chaos mix of faults")
	fs.StringVar((*string)(&c.ChaosScenario), "chaos-scenario", "", "named fault scenario (see: raftcheck scenarios)")
	fs.BoolVar(&c.Swarm, "swarm", false, "draw the whole run from the seed (swarm testing): cluster, Raft timing, network, disks, workload, read mode, faults and intensities; flags given with it stay fixed")
	fs.Var(durationValue{&c.CheckTimeout}, "check-timeout", "linearizability search bound (exceeded → verdict unknown; 0 = none)")
	fs.Var(byteSizeValue{&c.CheckMemory}, "check-memory", "heap bound of the linearizability search, e.g. 4GiB, 512MiB (exceeded → verdict unknown; 0 = none)")
	fs.Int64Var(&c.CheckSteps, "check-steps", c.CheckSteps, "model steps bound of each linearizability search: the same on every machine, unlike the timeout (exceeded → verdict unknown; 0 = none)")
	fs.StringSliceVar(&rf.bugs, "bug", nil, "plant a deliberate bug (repeatable; see: raftcheck bugs)")
	fs.StringVar(&c.Store, "store", c.Store, "result store directory (\"\" = write nothing)")
	fs.StringVar(&c.TracePath, "trace", "", "write the JSON Lines event trace to this file")
	fs.BoolVar(&rf.jsonOut, "json", false, "print one JSON object on stdout and nothing else there")
	fs.StringVar(&rf.logLevel, "log-level", "warn", "debug | info | warn | error (logs go to stderr)")
}

// finish applies the flags that need more than a direct binding.
func (rf *runFlags) finish(fs *pflag.FlagSet) error {
	faults := splitList(rf.nemesis)
	if len(faults) != strings.Count(rf.nemesis, ",")+1 {
		// ",,," or "a,,b": an empty name is a typo, not a request for no
		// faults (that is "none").
		return fmt.Errorf("--nemesis: %q holds an empty fault name; give faults as a,b,c (see: raftcheck faults), or \"none\" for no faults", rf.nemesis)
	}
	switch {
	case len(faults) == 1 && faults[0] == "none":
		rf.cfg.Nemesis = nil
	case slices.Contains(faults, "none"):
		return fmt.Errorf("--nemesis: \"none\" cannot be combined with other faults, got %q", rf.nemesis)
	default:
		rf.cfg.Nemesis = namesOf[raftcheck.Fault](faults)
	}
	rf.cfg.Bugs = namesOf[raftcheck.BugName](rf.bugs)
	if err := rf.faultConflicts(fs); err != nil {
		return err
	}
	if rf.chaos && rf.cfg.ChaosScenario == "" {
		rf.cfg.ChaosScenario = raftcheck.DefaultChaosScenario
	}
	rf.cfg.NemesisSchedule = rf.schedule
	if name, ok := strings.CutPrefix(rf.schedule, "@"); ok {
		raw, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("--nemesis-schedule: %w", err)
		}
		rf.cfg.NemesisSchedule = strings.TrimSpace(string(raw))
	}
	if rf.cfg.Swarm {
		// Knobs given on the command line stay as given; the swarm draws
		// the rest.
		rf.cfg.SwarmFixed = nil
		for _, k := range raftcheck.SwarmKnobs() {
			if fs.Changed(k) {
				rf.cfg.SwarmFixed = append(rf.cfg.SwarmFixed, k)
			}
		}
	}
	return nil
}

// scheduleFlags are the flags that shape a --nemesis schedule: a scenario or
// a swarm profile brings its own and would silently ignore them.
var scheduleFlags = []string{"nemesis", "nemesis-interval", "max-crashed"}

// faultConflicts refuses fault flags that another fault flag would override
// without a word (while the replay line still showed them): a scenario
// (--chaos-scenario, --chaos) with --nemesis, --nemesis-interval or
// --max-crashed, and --swarm with a scenario. --swarm with those flags is
// no conflict: a flag given with --swarm stays fixed (Config.SwarmFixed).
func (rf *runFlags) faultConflicts(fs *pflag.FlagSet) error {
	scenario := ""
	switch {
	case fs.Changed("chaos-scenario"):
		scenario = "--chaos-scenario"
	case fs.Changed("chaos") && rf.chaos:
		scenario = "--chaos"
	}
	swarm := fs.Changed("swarm") && rf.cfg.Swarm
	if swarm && scenario != "" {
		return fmt.Errorf("--swarm with %s: a swarm run draws its faults from the seed and a scenario names them; give one or the other", scenario)
	}
	by, why := scenario, "the scenario brings its own faults, interval and crash limit (see: raftcheck scenarios)"
	if by == "" {
		return nil
	}
	for _, name := range scheduleFlags {
		if fs.Changed(name) {
			return fmt.Errorf("--%s with %s: %s, so --%s would be ignored; drop one of them", name, by, why, name)
		}
	}
	return nil
}

// manyRuns rejects the run flags that name one run's output, for commands
// that run many seeds (sweep, suite): every run would write the same --trace
// file at once, interleaving their records.
func (rf *runFlags) manyRuns(cmd string) error {
	if rf.cfg.TracePath != "" {
		return usagef("--trace: %s runs many seeds, which would all write %s; trace one seed with `raftcheck run --seed N --trace FILE`", cmd, rf.cfg.TracePath)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// namesOf types a list of names from the command line.
func namesOf[T ~string](names []string) []T {
	if len(names) == 0 {
		return nil
	}
	out := make([]T, len(names))
	for i, n := range names {
		out[i] = T(n)
	}
	return out
}

// stringsOf is the inverse of namesOf.
func stringsOf[T ~string](names []T) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return out
}
