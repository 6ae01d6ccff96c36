package raftcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Flag is one `raftcheck run` flag with its value, as Config.Flags lists them.
type Flag struct {
	Name  string // without the leading dashes
	Value string
	Bool  bool // a boolean flag: written --name=value, as pflag requires
}

// Arg renders f as command-line words.
func (f Flag) Arg() []string {
	if f.Bool {
		return []string{"--" + f.Name + "=" + f.Value}
	}
	return []string{"--" + f.Name, f.Value}
}

// Flags returns the `raftcheck run` flags that recreate c: the seed first, then
// every knob that differs from DefaultConfig. Output settings are left out.
func (c Config) Flags() []Flag {
	d := DefaultConfig()
	flags := []Flag{{Name: "seed", Value: strconv.FormatUint(c.Seed, 10)}}
	add := func(name, v, def string) {
		if v != def {
			flags = append(flags, Flag{Name: name, Value: v})
		}
	}
	addBool := func(name string, v, def bool) {
		if v != def {
			flags = append(flags, Flag{Name: name, Value: strconv.FormatBool(v), Bool: true})
		}
	}
	dur := func(x Duration) string { return time.Duration(x).String() }
	i := strconv.Itoa
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	add("name", c.Name, d.Name)
	add("raft", c.Raft, d.Raft)
	add("nodes", i(c.Nodes), i(d.Nodes))
	add("max-time", dur(c.MaxTime), dur(d.MaxTime))
	add("recovery-time", dur(c.RecoveryTime), dur(d.RecoveryTime))
	add("workload", string(c.Workload), string(d.Workload))
	add("clients", i(c.Clients), i(d.Clients))
	add("rate", f(c.Rate), f(d.Rate))
	add("keys", i(c.Keys), i(d.Keys))
	add("key-dist", c.KeyDist, d.KeyDist)
	add("mix", c.Mix, d.Mix)
	add("op-timeout", dur(c.OpTimeout), dur(d.OpTimeout))
	add("read-mode", string(c.ReadMode), string(d.ReadMode))
	addBool("prevote", c.PreVote, d.PreVote)
	addBool("check-quorum", c.CheckQuorum, d.CheckQuorum)
	add("tick-interval", dur(c.TickInterval), dur(d.TickInterval))
	add("heartbeat-ticks", i(c.HeartbeatTicks), i(d.HeartbeatTicks))
	add("election-ticks", i(c.ElectionTicks), i(d.ElectionTicks))
	add("snapshot-every", i(c.SnapshotEvery), i(d.SnapshotEvery))
	add("max-sessions", i(c.MaxSessions), i(d.MaxSessions))
	add("latency", dur(c.Latency), dur(d.Latency))
	add("latency-stddev", dur(c.LatencyStddev), dur(d.LatencyStddev))
	add("latency-dist", c.LatencyDist, d.LatencyDist)
	add("message-drop-rate", f(c.MessageDropRate), f(d.MessageDropRate))
	add("message-dup-rate", f(c.MessageDupRate), f(d.MessageDupRate))
	add("reorder-rate", f(c.ReorderRate), f(d.ReorderRate))
	add("sync-latency", dur(c.SyncLatency), dur(d.SyncLatency))
	add("disk-crash-mode", c.DiskCrashMode, d.DiskCrashMode)
	// A scenario or a swarm profile brings its own schedule, and the CLI
	// refuses these flags beside one: leave out what the run ignored.
	if c.ChaosScenario == "" && !c.Swarm {
		nem := joinNames(c.Nemesis, ",")
		if nem == "" {
			nem = "none"
		}
		add("nemesis", nem, joinNames(d.Nemesis, ","))
		add("nemesis-interval", dur(c.NemesisInterval), dur(d.NemesisInterval))
		add("max-crashed", i(c.MaxCrashed), i(d.MaxCrashed))
	}
	add("chaos-scenario", string(c.ChaosScenario), "")
	addBool("swarm", c.Swarm, false)
	add("check-timeout", dur(c.CheckTimeout), dur(d.CheckTimeout))
	add("check-memory", c.CheckMemory.String(), d.CheckMemory.String())
	add("check-steps", strconv.FormatInt(c.CheckSteps, 10), strconv.FormatInt(d.CheckSteps, 10))
	for _, bug := range c.Bugs {
		flags = append(flags, Flag{Name: "bug", Value: string(bug)})
	}
	return flags
}

// Args returns Flags as command-line words for `raftcheck run`.
func (c Config) Args() []string {
	var args []string
	for _, f := range c.Flags() {
		args = append(args, f.Arg()...)
	}
	return args
}

// ReplayCommand is one shell command that reruns exactly the run c describes.
func ReplayCommand(c Config) string {
	args := c.Args()
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return "raftcheck run " + strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,+@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// LoadRun reads a stored run: path is a run directory or its results.json. It
// returns the stored result and the config that reproduces the run.
func LoadRun(path string) (*Result, Config, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "results.json")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, Config{}, err
	}
	// Runs stored before Config.Raft existed ran the built-in.
	sr := storedResult{Config: Config{Raft: DefaultRaft}}
	if err := json.Unmarshal(raw, &sr); err != nil {
		return nil, Config{}, fmt.Errorf("%s:%d: %w", path, jsonErrorLine(raw, err), err)
	}
	if sr.Result != nil && sr.Result.Mode == ModeLive {
		return nil, Config{}, liveRunError(path, raw)
	}
	if sr.Version != resultsVersion || sr.Result == nil {
		return nil, Config{}, fmt.Errorf("%s: not a raftcheck results file (raftcheck_results %d, want %d)", path, sr.Version, resultsVersion)
	}
	if !validTraceHash(sr.Result.TraceHash) {
		return nil, Config{}, fmt.Errorf("%s: trace_hash: %q is not 16 hexadecimal digits, so there is nothing to confirm a replay against", path, sr.Result.TraceHash)
	}
	if err := consistent(raw, &sr); err != nil {
		return nil, Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := sr.Config.Validate(); err != nil {
		return nil, Config{}, fmt.Errorf("%s: config: %w", path, err)
	}
	return sr.Result, sr.Config, nil
}

// ErrLiveRun is wrapped by LoadRun's error for a live run's results: real
// processes cannot be replayed bit for bit (see LiveNote).
var ErrLiveRun = errors.New("a live run cannot be replayed")

// liveRunError refuses a live run's results.json, with the command that
// runs it again live.
func liveRunError(path string, raw []byte) error {
	var sl storedLiveResult
	again := ""
	if json.Unmarshal(raw, &sl) == nil && sl.LiveConfig.Bin != "" {
		again = "; to run it again live with the same seed (a new run, not a replay): " + LiveCommand(sl.LiveConfig)
	}
	return fmt.Errorf("%s: %w: it ran real node processes, and %s%s", path, ErrLiveRun, LiveNote, again)
}

// jsonErrorLine is the 1-based line of raw where decoding failed (1 when the
// error carries no offset), so a hand-edited results.json error names its line.
func jsonErrorLine(raw []byte, err error) int {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	off = min(max(off, 0), int64(len(raw)))
	return 1 + bytes.Count(raw[:off], []byte("\n"))
}

// validTraceHash reports whether s is a trace hash as Result.TraceHash
// writes it: 16 lower-case hexadecimal digits.
func validTraceHash(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
