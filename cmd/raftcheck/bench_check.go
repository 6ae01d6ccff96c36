package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/refcheck"
)

// Timing raftcheck's check against porcupine's, side by side.
//
// Each file is read once; then, rep after rep, porcupine (through
// internal/refcheck: porcupine.CheckOperations with plain models) and
// raftcheck's verdict (checker.CheckLinearizable without explanation)
// check it in turn, alternating which goes first. A busy machine slows
// both, and a moment it is busier slows one file's check on one side, so
// each side's figure is the sum over the files of its best time on each
// file over the reps: the checks the machine disturbed least. (Medians of
// the totals per rep are in the note.) The two must agree on every verdict: a disagreement is
// a bug, and bench fails with exit 255.

// maxCheckRatio is the target: raftcheck's verdict within 1.2× porcupine's
// time on the same files.
const maxCheckRatio = 1.2

// sideBySide is what compare measured over a set of files.
type sideBySide struct {
	ours, theirs         []time.Duration // per rep, summed over the files
	bestOurs, bestTheirs []time.Duration // per file, the best over the reps
	illegal              int             // files not linearizable
}

// ratio is raftcheck's best over porcupine's (see the top of the file).
func (s sideBySide) ratio() float64 {
	return sum(s.bestOurs).Seconds() / sum(s.bestTheirs).Seconds()
}

// note describes the figures behind the ratio.
func (s sideBySide) note(files int) string {
	return fmt.Sprintf("raftcheck %s, porcupine %s: each file's best of %d interleaved reps, over %s (%d not linearizable), verdicts only; median totals %s and %s",
		ms(sum(s.bestOurs)), ms(sum(s.bestTheirs)), len(s.ours), plural(files, "file"), s.illegal, ms(median(s.ours)), ms(median(s.theirs)))
}

// sum adds ds up.
func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}

// keepBest lowers best[k] to d, or sets it on the first rep.
func keepBest(best []time.Duration, k int, d time.Duration, first bool) {
	if first || d < best[k] {
		best[k] = d
	}
}

// refCase is one history as both sides check it.
type refCase struct {
	name  string
	h     histories.History
	model string                                                 // raftcheck's model
	ref   porcupine.Model                                        // porcupine's
	ops   func(histories.History) ([]porcupine.Operation, error) // porcupine's operations
}

// compareMinTime is how long compare keeps repeating, past its reps, a set
// of files each side checks in a few milliseconds, whose best time one
// busy moment of the machine would decide otherwise.
const compareMinTime = 3 * time.Second

// compareMaxReps bounds those repetitions.
const compareMaxReps = 100

// compare times both sides on cases, reps times, and more while either
// side has spent less than compareMinTime in all (at most compareMaxReps;
// reps < 2: exactly reps, a smoke test).
func compare(cases []refCase, reps int) (sideBySide, error) {
	s := sideBySide{bestOurs: make([]time.Duration, len(cases)), bestTheirs: make([]time.Duration, len(cases))}
	var spentOurs, spentTheirs time.Duration
	more := func(rep int) bool {
		if rep < reps {
			return true
		}
		return reps >= 2 && rep < compareMaxReps && min(spentOurs, spentTheirs) < compareMinTime
	}
	for rep := 0; more(rep); rep++ {
		var ours, theirs time.Duration
		s.illegal = 0
		for k, c := range cases {
			var rc *checker.LinResult
			var ok bool
			var err error
			runOurs := func() {
				runtime.GC() // neither side pays for the other's garbage
				start := time.Now()
				rc, err = checker.CheckLinearizable(c.h, checker.LinOptions{Model: c.model, ExplainChecks: -1})
				d := time.Since(start)
				ours += d
				keepBest(s.bestOurs, k, d, rep == 0)
			}
			runTheirs := func() {
				runtime.GC()
				start := time.Now()
				var ops []porcupine.Operation
				if ops, err = c.ops(c.h); err == nil {
					ok = refcheck.Check(c.ref, ops)
				}
				d := time.Since(start)
				theirs += d
				keepBest(s.bestTheirs, k, d, rep == 0)
			}
			if (rep+k)%2 == 0 {
				runOurs()
				if err == nil {
					runTheirs()
				}
			} else {
				runTheirs()
				if err == nil {
					runOurs()
				}
			}
			if err != nil {
				return s, fmt.Errorf("%s: %w", c.name, err)
			}
			if rc.Result == checker.LinUnknown || (rc.Result == checker.LinOK) != ok {
				return s, fmt.Errorf("%s: raftcheck says %s, porcupine linearizable=%v", c.name, rc.Result, ok)
			}
			if !ok {
				s.illegal++
			}
		}
		s.ours, s.theirs = append(s.ours, ours), append(s.theirs, theirs)
		spentOurs, spentTheirs = spentOurs+ours, spentTheirs+theirs
	}
	return s, nil
}

// etcdVsPorcupine names the side-by-side row on the etcd logs.
const etcdVsPorcupine = "check vs porcupine: etcd logs"

// etcdSideBySide adds the side-by-side row on the etcd logs in files.
func (b *bencher) etcdSideBySide(files []string, reps int) error {
	var cases []refCase
	for _, f := range files {
		h, _, err := histories.ReadFile(f, histories.EtcdLog)
		if err != nil {
			return usageError{err}
		}
		cases = append(cases, refCase{name: f, h: h, model: checker.ModelRegister, ref: refcheck.RegisterModel(), ops: refcheck.EtcdOps})
	}
	s, err := compare(cases, reps)
	if err != nil {
		return err
	}
	b.add(etcdVsPorcupine, s.ratio(), "× porcupine", atMost(maxCheckRatio), s.note(len(files)))
	return nil
}

// kvRow names the measures of porcupine's Knossos kv histories.
const kvRow = "check vs porcupine: kv"

// kvFiles are the kv histories bench times, the largest of porcupine's.
var kvFiles = []string{"c50-ok.txt", "c50-bad.txt"}

// kvSource is where porcupine's kv histories are, and whether the user
// named the directory.
type kvSource struct {
	dir   string // "" when none was found
	given bool
}

// findKVHistories picks the kv histories' directory: flag when set; else
// porcupine's test data in the Go module cache, for the version of
// porcupine raftcheck is built with (there after `go mod download`), when
// it holds them; else none.
func findKVHistories(flag string) kvSource {
	if flag != "" {
		return kvSource{dir: flag, given: true}
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return kvSource{}
	}
	for _, dep := range info.Deps {
		if dep.Path != "github.com/anishathalye/porcupine" {
			continue
		}
		dir := filepath.Join(moduleCache(), "github.com", "anishathalye", "porcupine@"+dep.Version, "test_data", "kv")
		if _, err := os.Stat(filepath.Join(dir, kvFiles[0])); err == nil {
			return kvSource{dir: dir}
		}
	}
	return kvSource{}
}

// moduleCache is the Go module cache's directory, as the go command finds
// it: $GOMODCACHE, else the first $GOPATH entry's pkg/mod, else ~/go/pkg/mod.
func moduleCache() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.Join(filepath.SplitList(p)[0], "pkg", "mod")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go", "pkg", "mod")
}

// kvHistories adds, for each of kvFiles in src, the side-by-side row, and
// for one not linearizable, the time its explanation takes within its
// default budget, beside the verdict's. Without the files, one row says
// they were skipped.
func (b *bencher) kvHistories(src kvSource, reps int) error {
	if src.dir == "" {
		b.skipRow(kvRow, "skipped: porcupine's test_data/kv not in the module cache (use --kv-histories DIR)")
		return nil
	}
	for _, name := range kvFiles {
		path := filepath.Join(src.dir, name)
		h, _, err := histories.ReadFile(path, histories.KnossosKV)
		if err != nil {
			if !src.given && os.IsNotExist(err) {
				b.skipRow(kvRow+" "+name, "skipped: "+err.Error())
				continue
			}
			return usageError{err}
		}
		rowName := kvRow + " " + strings.TrimSuffix(name, ".txt")
		s, err := compare([]refCase{{name: path, h: h, model: checker.ModelKV, ref: refcheck.KVModel(), ops: refcheck.KVOps}}, reps)
		if err != nil {
			return err
		}
		b.add(rowName, s.ratio(), "× porcupine", atMost(maxCheckRatio), s.note(1))
		if s.illegal > 0 {
			b.explainRow(rowName, h, reps)
		}
	}
	return nil
}

// explainRow adds the time `check` takes to explain h, an illegal history,
// beyond its verdict, with the default budget: at most that budget, and a
// little for the last search to see its clock.
func (b *bencher) explainRow(name string, h histories.History, reps int) {
	var extra []time.Duration
	var r *checker.LinResult
	for range reps {
		runtime.GC()
		start := time.Now()
		var err error
		if r, err = checker.CheckLinearizable(h, checker.LinOptions{Model: checker.ModelKV}); err != nil {
			return // compare read it already
		}
		extra = append(extra, time.Since(start)-r.Duration)
	}
	got := "a minimal counterexample"
	switch {
	case len(r.Counterexample) == 0:
		got = "porcupine's partial linearization (budget spent)"
	case !r.Minimal:
		got = "a counterexample, not minimal (budget spent)"
	}
	budget := checker.DefaultExplainTimeout
	b.add(name+": explanation", 1000*median(extra).Seconds(), "ms", atMost(1000*(budget+budget/20).Seconds()),
		fmt.Sprintf("beyond the verdict; budget %v; %s of %s; median of %d", budget, got, plural(len(r.Counterexample), "op"), reps))
}

// skipRow adds a row saying a measure was skipped, and why.
func (b *bencher) skipRow(name, why string) {
	fmt.Fprintf(b.stderr, "bench: %s: %s\n", name, why)
	b.rows = append(b.rows, benchRow{Name: name, Unit: "× porcupine", Status: "skipped", Note: why})
}

// median is the median of ds (the upper middle for an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// ms prints d in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
