package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
)

// benchRow is one line of the benchmark table.
type benchRow struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Target string  `json:"target,omitempty"` // e.g. "≥ 2000000"
	Status string  `json:"status,omitempty"` // ok | MISS when there is a target; skipped when not measured
	Note   string  `json:"note,omitempty"`
}

// target is a bound a measure should meet.
type target struct {
	atLeast bool
	v       float64
}

func atLeast(v float64) *target { return &target{atLeast: true, v: v} }
func atMost(v float64) *target  { return &target{v: v} }

// benchPlan is how much work each measure does.
type benchPlan struct {
	engineEvents, netMsgs, raftProposals  int
	seeds, satSeeds, sweepSeeds, etcdReps int
	scale                                 []int
	// checkReps is how many times both porcupine and raftcheck check each
	// file side by side (bench_check.go).
	checkReps int
	// checkOnly keeps only the checking measures.
	checkOnly bool
}

func fullPlan() benchPlan {
	return benchPlan{engineEvents: 20_000_000, netMsgs: 10_000_000, raftProposals: 2_000_000,
		seeds: 5, satSeeds: 3, sweepSeeds: max(40, 20*runtime.GOMAXPROCS(0)), etcdReps: 3,
		scale: []int{3, 5, 9, 25, 51, 101}, checkReps: 7}
}

// quickPlan is a smoke test of the whole table in a few seconds: the figures
// are noisier and it skips the 25- to 101-node runs.
func quickPlan() benchPlan {
	return benchPlan{engineEvents: 1_000_000, netMsgs: 1_000_000, raftProposals: 100_000,
		seeds: 1, satSeeds: 1, sweepSeeds: 2 * runtime.GOMAXPROCS(0), etcdReps: 1,
		scale: []int{3, 5, 9}, checkReps: 1}
}

// bencher accumulates the table; a Ctrl-C stops it between measures.
type bencher struct {
	ctx    context.Context
	stderr io.Writer
	rows   []benchRow
}

func (b *bencher) add(name string, v float64, unit string, t *target, note string) {
	r := benchRow{Name: name, Value: v, Unit: unit, Note: note}
	if t != nil {
		op := "≤"
		ok := v <= t.v
		if t.atLeast {
			op, ok = "≥", v >= t.v
		}
		r.Target, r.Status = fmt.Sprintf("%s %s", op, humanNum(t.v)), "ok"
		if !ok {
			r.Status = "MISS"
		}
	}
	b.rows = append(b.rows, r)
}

// step announces a measure on stderr and reports whether to run it (false
// once interrupted).
func (b *bencher) step(what string) bool {
	if b.ctx.Err() != nil {
		return false
	}
	fmt.Fprintf(b.stderr, "bench: %s\n", what)
	return true
}

func cmdBench(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("bench")
	quick := fs.Bool("quick", false, "a smoke run of the whole table in seconds: less work per measure, no 25- to 101-node runs")
	etcdFlag := fs.String("etcd-logs", "", "directory of porcupine's Jepsen etcd logs to time checking on (default: "+defaultEtcdLogs+" under the working directory, else under the module root; the row is skipped without logs)")
	kvFlag := fs.String("kv-histories", "", "directory of porcupine's Knossos kv histories (c50-ok.txt, c50-bad.txt) to time checking on beside porcupine (default: porcupine's test_data/kv in the Go module cache; the rows are skipped without them)")
	checkOnly := fs.Bool("check-only", false, "take only the checking measures: the etcd logs and the kv histories, beside porcupine")
	jsonOut := fs.Bool("json", false, "print the table as one JSON object")
	if done, err := parseArgs(fs, args, "bench [flags]", stdout, stderr); done || err != nil {
		return exitValid, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := checkEtcdLogsFlag(*etcdFlag); err != nil {
		return exitUsage, err
	}
	plan := fullPlan()
	if *quick {
		plan = quickPlan()
	}
	plan.checkOnly = *checkOnly
	wd, err := os.Getwd()
	if err != nil {
		return exitInternal, fmt.Errorf("bench: finding the etcd logs: %w", err)
	}
	etcdDir := findEtcdLogs(*etcdFlag, wd)
	ctx, interrupted, stop := interruptContext(stderr)
	defer stop()
	b := &bencher{ctx: ctx, stderr: stderr}
	loadStart := loadAverage()
	if err := b.run(plan, etcdDir, findKVHistories(*kvFlag)); err != nil {
		return exitInternal, err
	}
	gogc := debug.SetGCPercent(100)
	debug.SetGCPercent(gogc)
	if *jsonOut {
		if err := writeJSON(stdout, map[string]any{"gomaxprocs": runtime.GOMAXPROCS(0), "gogc": gogc, "go": runtime.Version(),
			"load_start": loadStart, "load_end": loadAverage(), "quick": *quick, "interrupted": interrupted(), "rows": b.rows}); err != nil {
			return exitInternal, err
		}
	} else {
		host, _ := os.Hostname()
		fmt.Fprintf(stdout, "raftcheck bench on %s: %d CPUs, GOMAXPROCS=%d, GOGC=%d, %s", host, runtime.NumCPU(), runtime.GOMAXPROCS(0), gogc, runtime.Version())
		if loadStart != "" {
			fmt.Fprintf(stdout, "; load average %s at the start, %s at the end", loadStart, loadAverage())
		}
		if *quick {
			fmt.Fprint(stdout, " (--quick: indicative only)")
		}
		fmt.Fprint(stdout, "\n\n")
		if err := printBench(stdout, b.rows); err != nil {
			return exitInternal, err
		}
	}
	if interrupted() {
		fmt.Fprintf(stderr, "bench: interrupted: %d measures taken\n", len(b.rows))
		return exitUnknown, nil
	}
	return exitValid, nil
}

// defaultEtcdLogs is where porcupine's Jepsen etcd logs live in the
// repository.
var defaultEtcdLogs = filepath.Join("histories", "testdata", "porcupine", "jepsen")

// etcdSource is the directory bench times the etcd logs of, and whether the
// user named it.
type etcdSource struct {
	dir   string // "" when no logs were found
	given bool
}

// findEtcdLogs picks the etcd logs' directory: flag when set (even without
// logs: the row then says so); else defaultEtcdLogs under the working
// directory wd, else under the module root (the nearest directory from wd up
// holding a go.mod), the first of them that holds *.log files; else none.
func findEtcdLogs(flag, wd string) etcdSource {
	if flag != "" {
		return etcdSource{dir: flag, given: true}
	}
	cands := []string{filepath.Join(wd, defaultEtcdLogs)}
	if root, ok := moduleRoot(wd); ok {
		cands = append(cands, filepath.Join(root, defaultEtcdLogs))
	}
	for _, d := range cands {
		if files, _ := filepath.Glob(filepath.Join(d, "*.log")); len(files) > 0 {
			return etcdSource{dir: d}
		}
	}
	return etcdSource{}
}

// checkEtcdLogsFlag refuses an --etcd-logs that names no directory before
// the benchmarks start: a typo would otherwise cost the whole table's time
// and then report the row skipped. A directory without logs is a way to
// skip the row, as its note says.
func checkEtcdLogsFlag(dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return usagef("--etcd-logs: %v", err)
	case !fi.IsDir():
		return usagef("--etcd-logs: %s is not a directory", dir)
	}
	return nil
}

// moduleRoot is the nearest directory from dir up that holds a go.mod.
func moduleRoot(dir string) (string, bool) {
	for {
		if st, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !st.IsDir() {
			return dir, true
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", false
		}
		dir = up
	}
}

// run takes every measure of plan in turn, stopping early on Ctrl-C.
func (b *bencher) run(plan benchPlan, etcd etcdSource, kv kvSource) error {
	if !plan.checkOnly {
		if err := b.simulation(plan); err != nil {
			return err
		}
	}
	if b.step(etcdRow) {
		if err := b.etcdLogs(etcd, plan.etcdReps, plan.checkReps); err != nil {
			return err
		}
	}
	if b.step("checking porcupine's kv histories beside porcupine") {
		if err := b.kvHistories(kv, plan.checkReps); err != nil {
			return err
		}
	}
	return nil
}

// simulation takes the measures of the simulator: the building blocks,
// whole runs, sweeps and scaling.
func (b *bencher) simulation(plan benchPlan) error {
	if err := b.micro(plan); err != nil {
		return err
	}
	std := raftcheck.DefaultConfig()
	std.Store = ""
	if b.step(fmt.Sprintf("standard seed (%d seeds)", plan.seeds)) {
		s, err := runSeeds(b.ctx, std, plan.seeds)
		if err != nil {
			return err
		}
		note := fmt.Sprintf("median of %d seeds; %s events, %s ops", len(s), humanNum(medianOf(s, events)), humanNum(medianOf(s, ops)))
		b.add("standard seed: wall time", 1000*medianOf(s, wall), "ms", nil, note)
		b.add("standard seed: events/s", medianOf(s, eventsPerSec), "events/s", atLeast(2e6), cpuNote(s))
		b.add("standard seed: simulated/wall", medianOf(s, simPerWall), "× real time", atLeast(1000), "")
		b.add("standard seed: checking share", medianOf(s, checkShare), "% of wall", atMost(30), "")
		if err := b.etcdRaft(std, s); err != nil {
			return err
		}
	}
	if b.step(fmt.Sprintf("saturating variant (%d seeds)", plan.satSeeds)) {
		sat := std
		sat.Rate = 0
		s, err := runSeeds(b.ctx, sat, plan.satSeeds)
		if err != nil {
			return err
		}
		note := fmt.Sprintf("rate 0 (closed loop); median of %d; %s events, %s ops; %s", len(s), humanNum(medianOf(s, events)), humanNum(medianOf(s, ops)), cpuNote(s))
		b.add("saturating: events/s", medianOf(s, eventsPerSec), "events/s", atLeast(2e6), note)
		b.add("saturating: wall time", 1000*medianOf(s, wall), "ms", nil, fmt.Sprintf("checking %.0f%% of it", medianOf(s, checkShare)))
	}
	if b.step(fmt.Sprintf("sweep throughput (%d seeds on all cores)", plan.sweepSeeds)) {
		b.sweep(std, plan.sweepSeeds)
	}
	for _, n := range plan.scale {
		reps := 3
		if n > 25 || plan.seeds == 1 {
			reps = 1
		}
		if !b.step(fmt.Sprintf("scaling: %d nodes", n)) {
			break
		}
		cfg := std
		cfg.Nodes = n
		s, err := runSeeds(b.ctx, cfg, reps)
		if err != nil {
			return err
		}
		ev := medianOf(s, events)
		b.add(fmt.Sprintf("scaling: %d nodes", n), 1000*medianOf(s, wall), "ms wall", nil,
			fmt.Sprintf("%s events/s, %s events, %.0f ns/event", humanNum(medianOf(s, eventsPerSec)), humanNum(ev), 1e9/medianOf(s, eventsPerSec)))
	}
	return nil
}

// etcdRaftRow names the standard seed's rows on etcd's Raft.
const etcdRaftRow = "standard seed on etcd's Raft"

// etcdRaft runs the standard seeds again on etcd's Raft (--raft etcd),
// right after builtin, their runs on the built-in, and gives etcd's rate
// beside the built-in's: the same work through another implementation.
func (b *bencher) etcdRaft(std raftcheck.Config, builtin []runStat) error {
	if !b.step(fmt.Sprintf("%s (%d seeds)", etcdRaftRow, len(builtin))) {
		return nil
	}
	cfg := std
	cfg.Raft = "etcd"
	s, err := runSeeds(b.ctx, cfg, len(builtin))
	if err != nil {
		return fmt.Errorf("%s: %w", etcdRaftRow, err)
	}
	note := fmt.Sprintf("median of %d seeds; %s events, %s ops", len(s), humanNum(medianOf(s, events)), humanNum(medianOf(s, ops)))
	b.add(etcdRaftRow+": wall time", 1000*medianOf(s, wall), "ms", nil, note)
	b.add(etcdRaftRow+": events/s", medianOf(s, eventsPerSec), "events/s", nil, cpuNote(s))
	ratio := medianOf(s, eventsPerSec) / medianOf(builtin, eventsPerSec)
	note = fmt.Sprintf("events/s on etcd over the built-in's %s, same seeds", humanNum(medianOf(builtin, eventsPerSec)))
	if c, cb := medianOf(s, eventsPerCPU), medianOf(builtin, eventsPerCPU); c > 0 && cb > 0 {
		note += fmt.Sprintf("; per cpu-s ×%.2f", c/cb)
	}
	b.add(etcdRaftRow+": vs built-in", ratio, "× built-in", nil, note)
	return nil
}

// micro runs the building blocks' benchmarks.
func (b *bencher) micro(plan benchPlan) error {
	if b.step("engine (hold model, 64 and 4,096 pending)") {
		for _, pending := range []int{64, 4096} {
			r, err := benchEngine(pending, plan.engineEvents)
			if err != nil {
				return fmt.Errorf("engine: %w", err)
			}
			var t *target
			if pending == 64 {
				t = atLeast(20e6)
			}
			b.add(fmt.Sprintf("engine: %d pending", pending), r.rate, "events/s", t, fmt.Sprintf("%s/cpu-s; %.2g allocs/event (target 0 at 64)", humanNum(r.cpuRate), r.allocs))
		}
	}
	if b.step("network (5 hosts, trace off)") {
		r, err := benchNetwork(plan.netMsgs)
		if err != nil {
			return fmt.Errorf("network: %w", err)
		}
		b.add("network: send+deliver", r.rate, "msgs/s", atLeast(5e6), fmt.Sprintf("%s/cpu-s; %.2g allocs/msg", humanNum(r.cpuRate), r.allocs))
	}
	if b.step("raft commit (3 and 5 nodes, batches of 64)") {
		for _, n := range []int{3, 5} {
			r, err := benchRaftCommit(n, plan.raftProposals)
			if err != nil {
				return fmt.Errorf("raft commit: %w", err)
			}
			b.add(fmt.Sprintf("raft commit: %d nodes", n), r.rate, "proposals/s", atLeast(200e3), fmt.Sprintf("one core; %s/cpu-s; %.2g allocs/proposal", humanNum(r.cpuRate), r.allocs))
		}
	}
	return nil
}

// sweep measures standard seeds per minute on all cores.
func (b *bencher) sweep(std raftcheck.Config, n int) {
	jobs := make([]job, n)
	for i := range jobs {
		cfg := std
		cfg.Seed = uint64(1000 + i)
		jobs[i] = job{Index: i, Cfg: cfg}
	}
	start := time.Now()
	done, failed := 0, 0
	runPool(b.ctx, jobs, 0, false, func(o outcome) {
		done++
		if o.Err != nil || o.Res.Failed() {
			failed++
		}
	})
	el := time.Since(start)
	if done == 0 {
		return
	}
	b.add("sweep: standard seeds per minute", float64(done)/el.Minutes(), "seeds/min", atLeast(600),
		fmt.Sprintf("%s on %d workers, %d not valid", plural(done, "seed"), runtime.GOMAXPROCS(0), failed))
}

// etcdRow names the etcd logs' measure.
const etcdRow = "checking the Jepsen etcd logs"

// etcdLogs times reading and checking every log in src's directory (median of
// reps), then checking them beside porcupine (checkReps: see
// bench_check.go). Without logs the row is still printed, marked skipped,
// with how to point bench at them.
func (b *bencher) etcdLogs(src etcdSource, reps, checkReps int) error {
	var files []string
	if src.dir != "" {
		files, _ = filepath.Glob(filepath.Join(src.dir, "*.log"))
	}
	if len(files) == 0 {
		note := "skipped: no logs (use --etcd-logs DIR)"
		if src.given {
			note = fmt.Sprintf("skipped: no logs in %s", src.dir)
		}
		fmt.Fprintf(b.stderr, "bench: %s: %s\n", etcdRow, note)
		b.rows = append(b.rows, benchRow{Name: etcdRow, Unit: "ms total", Status: "skipped", Note: note})
		return nil
	}
	sort.Strings(files)
	var times []float64
	illegal := 0
	for range reps {
		start := time.Now()
		illegal = 0
		for _, f := range files {
			h, _, err := histories.ReadFile(f, histories.EtcdLog)
			if err != nil {
				return usageError{err}
			}
			r, err := checker.CheckLinearizable(h, checker.LinOptions{Model: checker.ModelRegister, ExplainChecks: -1})
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			if r.Result != checker.LinOK {
				illegal++
			}
		}
		times = append(times, time.Since(start).Seconds())
	}
	slices.Sort(times)
	b.add(etcdRow, 1000*times[len(times)/2], "ms total", nil,
		fmt.Sprintf("%s read and checked (%d not linearizable), verdicts only; median of %d", plural(len(files), "file"), illegal, reps))
	return b.etcdSideBySide(files, checkReps)
}

// runStat is one run's stats and the CPU time the process spent on it.
type runStat struct {
	raftcheck.Stats
	CPUSeconds float64
}

// runSeeds runs cfg for n consecutive seeds from cfg.Seed, stopping early on
// Ctrl-C (after at least one), and returns their stats.
func runSeeds(ctx context.Context, cfg raftcheck.Config, n int) ([]runStat, error) {
	var all []runStat
	for i := range n {
		if ctx.Err() != nil && len(all) > 0 {
			break
		}
		c := cfg
		c.Seed = cfg.Seed + uint64(i)
		cpu := cpuTime()
		res, err := raftcheck.Run(c)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", c.Seed, err)
		}
		all = append(all, runStat{Stats: res.Stats, CPUSeconds: (cpuTime() - cpu).Seconds()})
	}
	return all, nil
}

// Per-run figures, for medianOf.
func wall(s runStat) float64         { return s.WallSeconds }
func events(s runStat) float64       { return float64(s.Events) }
func ops(s runStat) float64          { return float64(s.Ops.Invoked) }
func eventsPerSec(s runStat) float64 { return float64(s.Events) / s.WallSeconds }
func simPerWall(s runStat) float64   { return s.SimSeconds / s.WallSeconds }
func checkShare(s runStat) float64   { return 100 * s.CheckSeconds / s.WallSeconds }

// eventsPerCPU is events per CPU second of the process (checking uses every
// core, so on an idle machine it is below events/s).
func eventsPerCPU(s runStat) float64 {
	if s.CPUSeconds <= 0 {
		return 0
	}
	return float64(s.Events) / s.CPUSeconds
}

// medianOf is the median of f over the runs (the mean of the middle two for
// an even count).
func medianOf(runs []runStat, f func(runStat) float64) float64 {
	xs := make([]float64, len(runs))
	for i, s := range runs {
		xs[i] = f(s)
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 0 {
		return (xs[m-1] + xs[m]) / 2
	}
	return xs[m]
}

// cpuNote gives the per-CPU-second rate, when known.
func cpuNote(s []runStat) string {
	if v := medianOf(s, eventsPerCPU); v > 0 {
		return humanNum(v) + " events/cpu-s"
	}
	return ""
}

// loadAverage is the 1-, 5- and 15-minute load average, "" if unknown: a
// figure taken on a busy machine says less.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// humanNum prints large figures readably: 2.61M, 650k, 37.
func humanNum(v float64) string {
	switch {
	case v >= 10e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 10e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func printBench(w io.Writer, rows []benchRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tVALUE\tUNIT\tTARGET\tSTATUS\tNOTE")
	for _, r := range rows {
		v, unit := humanNum(r.Value), r.Unit
		if r.Status == "skipped" {
			v, unit = "-", ""
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, v, unit, r.Target, r.Status, r.Note)
	}
	return tw.Flush()
}
