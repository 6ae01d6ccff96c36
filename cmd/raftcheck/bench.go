package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
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
	Target string  `json:"target,omitempty"`
	Note   string  `json:"note,omitempty"`
}

func cmdBench(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("bench")
	quick := fs.Bool("quick", false, "fewer repetitions and no 101-node run (for smoke tests)")
	etcdDir := fs.String("etcd-logs", filepath.Join("histories", "testdata", "porcupine", "jepsen"), "directory of porcupine's Jepsen etcd logs to time checking on (skipped if absent)")
	jsonOut := fs.Bool("json", false, "print the table as JSON")
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage, usageError{err}
	}
	reps, sweepN := 5, 8*runtime.GOMAXPROCS(0)
	scale := []int{3, 5, 9, 25, 51, 101}
	if *quick {
		reps, sweepN, scale = 1, 2*runtime.GOMAXPROCS(0), []int{3, 5, 9}
	}
	var rows []benchRow
	std := raftcheck.DefaultConfig()
	std.Store = ""
	// The standard seed: median of reps runs (distinct seeds).
	med, err := medianRun(std, reps)
	if err != nil {
		return exitInternal, err
	}
	rows = append(rows,
		benchRow{"standard seed: wall time", med.WallSeconds * 1000, "ms", "", fmt.Sprintf("median of %d seeds, %d events", reps, med.Events)},
		benchRow{"standard seed: events/s", float64(med.Events) / med.WallSeconds, "events/s", "≥ 2,000,000", ""},
		benchRow{"standard seed: simulated/wall", med.SimSeconds / med.WallSeconds, "x real time", "≥ 1000", ""},
		benchRow{"standard seed: checking share", 100 * med.CheckSeconds / med.WallSeconds, "% of wall", "≤ 30", ""},
	)
	sat := std
	sat.Rate = 0
	smed, err := medianRun(sat, reps)
	if err != nil {
		return exitInternal, err
	}
	rows = append(rows,
		benchRow{"saturating (rate 0): events/s", float64(smed.Events) / smed.WallSeconds, "events/s", "≥ 2,000,000", fmt.Sprintf("%d ops", smed.Ops.Invoked)},
		benchRow{"saturating (rate 0): wall time", smed.WallSeconds * 1000, "ms", "", ""},
	)
	// Sweep throughput on all cores.
	jobs := make([]job, sweepN)
	for i := range jobs {
		cfg := std
		cfg.Seed = uint64(1000 + i)
		jobs[i] = job{Index: i, Cfg: cfg}
	}
	start := time.Now()
	failed := 0
	runPool(context.Background(), jobs, 0, false, func(o outcome) {
		if o.Err != nil || o.Res.Failed() {
			failed++
		}
	})
	el := time.Since(start)
	rows = append(rows, benchRow{"sweep: standard seeds per minute", float64(sweepN) / el.Minutes(), "seeds/min", "≥ 600",
		fmt.Sprintf("%d seeds on %d workers, %d failed", sweepN, runtime.GOMAXPROCS(0), failed)})
	// Scaling with cluster size.
	for _, n := range scale {
		cfg := std
		cfg.Nodes = n
		r, err := medianRun(cfg, 1)
		if err != nil {
			return exitInternal, err
		}
		rows = append(rows, benchRow{fmt.Sprintf("scaling: %d nodes", n), r.WallSeconds * 1000, "ms wall",
			"", fmt.Sprintf("%.2fM events/s, %d events", float64(r.Events)/r.WallSeconds/1e6, r.Events)})
	}
	// Checking porcupine's Jepsen etcd logs.
	if files, _ := filepath.Glob(filepath.Join(*etcdDir, "*.log")); len(files) > 0 {
		sort.Strings(files)
		start := time.Now()
		for _, f := range files {
			h, _, err := histories.ReadFile(f, histories.EtcdLog)
			if err != nil {
				return exitUsage, usageError{err}
			}
			if _, err := checker.CheckLinearizable(h, checker.LinOptions{Model: "register", ExplainChecks: -1}); err != nil {
				return exitInternal, fmt.Errorf("%s: %w", f, err)
			}
		}
		rows = append(rows, benchRow{"checking the Jepsen etcd logs", time.Since(start).Seconds() * 1000, "ms total", "", fmt.Sprintf("%d files", len(files))})
	} else {
		fmt.Fprintf(stderr, "bench: no etcd logs in %s: skipped\n", *etcdDir)
	}
	if *jsonOut {
		return exitValid, writeJSON(stdout, map[string]any{"gomaxprocs": runtime.GOMAXPROCS(0), "rows": rows})
	}
	host, _ := os.Hostname()
	fmt.Fprintf(stdout, "raftcheck bench on %s, GOMAXPROCS=%d, %s\n\n", host, runtime.GOMAXPROCS(0), runtime.Version())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "MEASURE\tVALUE\tUNIT\tTARGET\tNOTE\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%.4g\t%s\t%s\t%s\t\n", r.Name, r.Value, r.Unit, r.Target, r.Note)
	}
	return exitValid, tw.Flush()
}

// medianRun runs cfg for n consecutive seeds and returns the stats of the median-wall run.
func medianRun(cfg raftcheck.Config, n int) (raftcheck.Stats, error) {
	var all []raftcheck.Stats
	for i := 0; i < n; i++ {
		c := cfg
		c.Seed = cfg.Seed + uint64(i)
		res, err := raftcheck.Run(c)
		if err != nil {
			return raftcheck.Stats{}, err
		}
		all = append(all, res.Stats)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].WallSeconds < all[j].WallSeconds })
	return all[len(all)/2], nil
}
