package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/internal/store"
)

// liveFlags binds every LiveConfig knob to fs.
type liveFlags struct {
	cfg     raftcheck.LiveConfig
	chaos   bool
	jsonOut bool
	nemesis string
}

func addLiveFlags(fs *pflag.FlagSet, lf *liveFlags) {
	c := &lf.cfg
	*c = raftcheck.DefaultLiveConfig()
	lf.nemesis = strings.Join(stringsOf(c.Nemesis), ",")
	fs.StringVar(&c.Bin, "bin", "", "the node binary: a Maelstrom lin-kv node (path, or a name in PATH); required")
	fs.StringArrayVar(&c.BinArgs, "bin-arg", nil, "an argument for the node binary (repeatable, in order; every node gets the same)")
	fs.StringVar(&c.NodeDir, "node-dir", "", "parent of the nodes' working directories n0, n1, ... where they keep their state across crashes (default: the run directory)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the harness's choices (network, clients, nemesis); a live run is not reproducible bit for bit")
	fs.StringVar(&c.Name, "name", c.Name, "store runs under store/<name>/")
	fs.IntVar(&c.Nodes, "nodes", c.Nodes, "cluster size: processes n0..n(N-1), 1..101")
	fs.Var(durationValue{&c.MaxTime}, "max-time", "wall time with faults on (alias --time; bare numbers are seconds)")
	fs.Var(durationValue{&c.RecoveryTime}, "recovery-time", "wall time after the final heal, clients still running")
	fs.Var(durationValue{&c.InitTimeout}, "init-timeout", "how long a node may take to answer init")
	fs.StringVar((*string)(&c.Workload), "workload", string(c.Workload), "register (one key: read, write, cas) | kv (--keys keys: read, write)")
	fs.IntVar(&c.Clients, "clients", c.Clients, "client threads")
	fs.Float64Var(&c.Rate, "rate", c.Rate, "ops/s per client (0 = closed loop)")
	fs.IntVar(&c.Keys, "keys", c.Keys, "keys for the kv workload")
	fs.Var(durationValue{&c.OpTimeout}, "op-timeout", "an unanswered request ends its operation (info; fail for a read)")
	fs.BoolVar(&c.FollowLeader, "follow-leader", c.FollowLeader, "send each operation to the leader the client knows, instead of to the client's home node (clients are bound to nodes, as under Maelstrom, and move on when a request goes unanswered)")
	fs.StringVar(&c.RoleRegex, "role-regex", c.RoleRegex, "stderr lines that report a node's role, with named groups role and term (\"\" = read none)")
	fs.Var(durationValue{&c.Latency}, "latency", "mean one-way message latency added by raftcheck's network")
	fs.Var(durationValue{&c.LatencyStddev}, "latency-stddev", "latency standard deviation (normal, lognormal) or half-width (uniform)")
	fs.StringVar(&c.LatencyDist, "latency-dist", c.LatencyDist, "constant | uniform | normal | exponential | lognormal")
	fs.Float64Var(&c.MessageDropRate, "message-drop-rate", c.MessageDropRate, "probability a message is lost (client traffic too)")
	fs.Float64Var(&c.MessageDupRate, "message-dup-rate", c.MessageDupRate, "probability a node-to-node message is duplicated")
	fs.Float64Var(&c.ReorderRate, "reorder-rate", c.ReorderRate, "probability a node-to-node message is delayed past later ones")
	fs.StringVar(&lf.nemesis, "nemesis", lf.nemesis, "comma-separated faults: partitions, network faults, crashes, pauses (see: raftcheck faults; clock, disk and membership faults are refused; \"none\" for no faults)")
	fs.Var(durationValue{&c.NemesisInterval}, "nemesis-interval", "mean time between fault actions (jittered)")
	fs.IntVar(&c.MaxCrashed, "max-crashed", c.MaxCrashed, "most nodes down at once (0 = a minority)")
	fs.BoolVar(&lf.chaos, "chaos", false, "use the default chaos scenario's faults")
	fs.StringVar((*string)(&c.ChaosScenario), "chaos-scenario", "", "named fault scenario (see: raftcheck scenarios); refused if it has faults live mode cannot inject")
	fs.BoolVar(&c.Swarm, "swarm", false, "choose faults and intensities at random from the seed, leaving out those live mode cannot inject")
	fs.Var(durationValue{&c.CheckTimeout}, "check-timeout", "linearizability search bound (exceeded → verdict unknown; 0 = none)")
	fs.Var(byteSizeValue{&c.CheckMemory}, "check-memory", "heap bound of the linearizability search, e.g. 4GiB (exceeded → verdict unknown; 0 = none)")
	fs.StringVar(&c.Store, "store", c.Store, "result store directory (\"\" = write nothing: the nodes' logs go to a temporary directory, removed at the end)")
	fs.BoolVar(&lf.jsonOut, "json", false, "print one JSON object on stdout and nothing else there")
}

// finish applies the flags that need more than a direct binding.
func (lf *liveFlags) finish() error {
	switch faults := splitList(lf.nemesis); {
	case len(faults) == 0 || len(faults) == 1 && faults[0] == "none":
		lf.cfg.Nemesis = nil
	case slices.Contains(faults, "none"):
		return fmt.Errorf("--nemesis: \"none\" cannot be combined with other faults, got %q", lf.nemesis)
	default:
		lf.cfg.Nemesis = namesOf[raftcheck.Fault](faults)
	}
	if lf.chaos && lf.cfg.ChaosScenario == "" {
		lf.cfg.ChaosScenario = raftcheck.DefaultChaosScenario
	}
	return nil
}

// liveOutput is the `live --json` object: `run --json`'s keys, then what a
// live run adds (mode "live", the binary, its arguments, the note on
// reproducibility, the node id map, node faults, logs) and whether the run
// was interrupted.
type liveOutput struct {
	runOutput
	Mode string              `json:"mode"`
	Live *raftcheck.LiveInfo `json:"live"`
}

func cmdLive(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("live")
	var lf liveFlags
	addLiveFlags(fs, &lf)
	if done, err := parseArgs(fs, args, "live --bin PATH [--bin-arg ARG ...] [flags]", stdout, stderr); done || err != nil {
		return exitValid, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q (arguments for the node binary go in --bin-arg, one each)", fs.Arg(0))
	}
	if err := lf.finish(); err != nil {
		return exitUsage, usageError{err}
	}
	cfg := lf.cfg
	if strings.ContainsRune(cfg.Bin, filepath.Separator) {
		// A path, not a name in PATH: stored absolute, so the command that
		// runs it again works from anywhere.
		if abs, err := filepath.Abs(cfg.Bin); err == nil {
			cfg.Bin = abs
		}
	}
	if err := cfg.Validate(); err != nil {
		return exitUsage, usageError{err}
	}
	if cfg.Store != "" {
		if err := store.Check(cfg.Store, cfg.Name); err != nil {
			return exitUsage, err
		}
	}
	info := stdout
	if lf.jsonOut {
		info = stderr
	}
	fmt.Fprintf(info, "live run, seed %d: %s nodes of %s, %v with faults + %v recovery (wall time)\nnote: %s\n",
		cfg.Seed, fmt.Sprint(cfg.Nodes), strings.Join(append([]string{cfg.Bin}, cfg.BinArgs...), " "), cfg.MaxTime, cfg.RecoveryTime, raftcheck.LiveNote)
	ctx, stop := liveInterrupt(stderr)
	defer stop()
	res, err := raftcheck.Live(ctx, cfg)
	if res == nil && ctx.Err() != nil {
		// Ctrl-C before the clients started: nothing to check.
		fmt.Fprintf(stderr, "raftcheck live: interrupted before the run began, nothing recorded: %v\n", err)
		return exitUnknown, nil
	}
	if res == nil {
		return runErrorCode(err), classify(err)
	}
	interrupted := errors.Is(err, raftcheck.ErrInterrupted)
	var storeErr error
	if err != nil && !interrupted {
		storeErr = err // the run finished but storing it failed
		fmt.Fprintln(stderr, "raftcheck live:", err)
	}
	if lf.jsonOut {
		out := liveOutput{runOutput: newRunOutput(res), Mode: res.Mode, Live: res.Live}
		if storeErr != nil {
			out.Error = storeErr.Error()
		}
		if err := writeJSON(stdout, out); err != nil {
			return exitInternal, err
		}
	} else {
		printLive(stdout, res, storeErr)
	}
	code := verdictCode(res.Verdict)
	if storeErr != nil && code != exitInvalid {
		code = exitInternal
	}
	return code, nil
}

// liveInterrupt is cancelled by the first SIGINT or SIGTERM: the run stops
// its nodes and checks what it recorded. Default handling is restored then,
// so a second Ctrl-C kills raftcheck at once (its nodes die with it: they
// get SIGKILL when their parent dies).
func liveInterrupt(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case sig := <-sigs:
			signal.Stop(sigs)
			fmt.Fprintf(stderr, "\nraftcheck live: %v: stopping the nodes, then checking what was recorded (Ctrl-C again to abort)\n", sig)
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		cancel()
		<-done
	}
}

// writeLiveNodes prints the final node table with what live mode can know:
// up, paused or crashed, and the role and term the node last reported.
func writeLiveNodes(w io.Writer, rows []report.NodeRow) {
	fmt.Fprintf(w, "%-4s  %-4s  %-24s  %s\n", "node", "id", "state", "term (reported)")
	for _, n := range rows {
		term := "-"
		if n.Term > 0 {
			term = fmt.Sprint(n.Term)
		}
		fmt.Fprintf(w, "%4d  n%-3d  %-24s  %s\n", n.ID, n.ID-1, n.State, term)
	}
}

// printLive prints a live run's outcome: the node table, the verdict with
// its reasons, the nodes' faults, notes, and where the reports and logs are.
func printLive(w io.Writer, r *raftcheck.Result, storeErr error) {
	l := r.Live
	fmt.Fprintf(w, "\nseed %d, live: %.1f s run in %.2f s wall; node ids %s\n", r.Seed, r.Stats.SimSeconds, r.Stats.WallSeconds, l.NodeIDs)
	if r.Swarm != nil {
		fmt.Fprintf(w, "swarm profile: %s\n", r.Swarm)
	}
	fmt.Fprintln(w)
	writeLiveNodes(w, r.Nodes)
	leader := "none reported"
	if r.Leader != 0 {
		leader = fmt.Sprintf("node %d (n%d)", r.Leader, r.Leader-1)
	}
	fmt.Fprintf(w, "\nleader: %s\n", leader)
	o := r.Stats.Ops
	fmt.Fprintf(w, "ops: %d invoked, %d ok, %d fail, %d info, %d pending   availability %.1f%%   latency p50 %.1f ms, p99 %.1f ms\n",
		o.Invoked, o.OK, o.Fail, o.Info, o.Pending, 100*r.Stats.Availability, r.Stats.LatencyP50, r.Stats.LatencyP99)
	fmt.Fprintf(w, "messages: %d between nodes, %d dropped, %d duplicated; %d requests, %d replies   faults: %s\n",
		l.PeerMessages, r.Stats.MessagesDropped, r.Stats.MessagesDuplicated, l.Requests, l.Replies, plural(r.Stats.FaultEvents, "window"))
	if len(l.ErrorCodes) > 0 {
		var codes []string
		for code, n := range l.ErrorCodes {
			codes = append(codes, fmt.Sprintf("%s %d", code, n))
		}
		slices.Sort(codes)
		fmt.Fprintf(w, "error replies: %s\n", strings.Join(codes, ", "))
	}
	fmt.Fprintf(w, "linearizability: %s   invariants: %d violated   liveness: %s\n", r.Linearizability, len(r.Invariants), r.Liveness)
	for _, f := range l.NodeFaults {
		fmt.Fprintf(w, "node fault: %s\n", f)
	}
	for _, n := range l.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	verdict := strings.ToUpper(r.Verdict)
	if l.Interrupted {
		verdict += " (INTERRUPTED)"
	}
	fmt.Fprintf(w, "\nverdict: %s\n", verdict)
	for _, reason := range r.Reasons {
		fmt.Fprintf(w, "  - %s\n", reason)
	}
	switch {
	case storeErr != nil && r.Store == "":
		fmt.Fprintf(w, "reports: NOT WRITTEN (%v)\n", storeErr)
	case storeErr != nil:
		fmt.Fprintf(w, "reports: INCOMPLETE in %s (%v)\n", r.Store, storeErr)
	case r.Store != "":
		fmt.Fprintf(w, "reports: %s/{summary.txt,timeline.html,linearizability.html,latency.svg,rate.svg}\n", r.Store)
		fmt.Fprintf(w, "node logs: %s/n*.stderr.log\n", r.Store)
	}
	fmt.Fprintf(w, "seed %d; run it again (live, not a bit-for-bit replay): %s\n", r.Seed, r.Replay)
}
