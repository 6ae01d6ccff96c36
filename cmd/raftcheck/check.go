package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
)

// checkResult is one file's line in `check --json`.
type checkResult struct {
	File    string   `json:"file"`
	Format  string   `json:"format"`
	Model   string   `json:"model"`
	Verdict string   `json:"verdict"`
	Ops     int      `json:"ops"`
	Reasons []string `json:"reasons,omitempty"`
	Seconds float64  `json:"seconds"`
	// VerdictSeconds is the wall time of the verdict's search alone: the
	// rest of Seconds is reading the file and, for an invalid history,
	// the explanation (within its own budget: --explain-timeout).
	VerdictSeconds float64  `json:"verdict_seconds"`
	HTML           string   `json:"html,omitempty"`
	Problems       []string `json:"problems,omitempty"`
	// Anomaly classifies an invalid history's counterexample (kind,
	// sentence, decisive operations by history position).
	Anomaly *checker.Anomaly `json:"anomaly,omitempty"`
	// Error: the file could not be read or checked (Verdict "error"), or its
	// visualization could not be written (the verdict stands).
	Error string `json:"error,omitempty"`
}

func cmdCheck(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("check")
	format := fs.String("format", "auto", "history format: auto | jsonl | edn | etcd-log | knossos-kv")
	model := fs.String("model", "", "model: register | kv | append (default: guessed from the operations)")
	timeout := raftcheck.Duration(60 * time.Second)
	fs.Var(durationValue{&timeout}, "check-timeout", "linearizability search bound per file (exceeded → unknown; 0 = none)")
	memory := raftcheck.ByteSize(checker.DefaultMemoryLimit)
	fs.Var(byteSizeValue{&memory}, "check-memory", "heap bound of the linearizability search, e.g. 4GiB, 512MiB (exceeded → unknown; 0 = none)")
	steps := fs.Int64("check-steps", 0, "model steps bound of each linearizability search: the same on every machine, unlike the timeout (exceeded → unknown; 0 = none)")
	explainTimeout := raftcheck.Duration(checker.DefaultExplainTimeout)
	fs.Var(durationValue{&explainTimeout}, "explain-timeout", "wall-time budget of the explanation of an invalid history, after its verdict (exhausted → porcupine's partial linearization instead of a minimal counterexample)")
	explainMemory := raftcheck.ByteSize(checker.DefaultExplainMemory)
	fs.Var(byteSizeValue{&explainMemory}, "explain-memory", "heap growth the explanation may use, within --check-memory (0 = no bound but --check-memory)")
	explainSteps := fs.Int64("explain-steps", 0, "model steps bound of the whole explanation: the same on every machine, unlike --explain-timeout (0 = none)")
	out := fs.String("out", "", "write the linearizability visualization: FILE.html (one input), or a directory (DIR/linearizability.html for one input, DIR/<input name>.html for several)")
	jsonOut := fs.Bool("json", false, "print one JSON object on stdout")
	if done, err := parseArgs(fs, args, "check [flags] FILE... (- reads standard input)", stdout, stderr); done || err != nil {
		return exitValid, err
	}
	files := fs.Args()
	if len(files) == 0 {
		return exitUsage, usagef("no history files given (usage: raftcheck check [flags] FILE..., - for standard input)")
	}
	if n := slices.Index(files, stdinName); n >= 0 && slices.Index(files[n+1:], stdinName) >= 0 {
		return exitUsage, usagef("standard input (-) given more than once")
	}
	var f histories.Format
	if *format != "auto" {
		var err error
		if f, err = histories.ParseFormat(*format); err != nil {
			return exitUsage, usagef("--format: %v", err)
		}
	}
	if *steps < 0 {
		return exitUsage, usagef("--check-steps: must not be negative, got %d", *steps)
	}
	if *explainSteps < 0 {
		return exitUsage, usagef("--explain-steps: must not be negative, got %d", *explainSteps)
	}
	if explainTimeout.D() <= 0 {
		return exitUsage, usagef("--explain-timeout: must be positive, got %v", explainTimeout.D())
	}
	if *model != "" && !slices.Contains(checker.Models(), *model) {
		return exitUsage, usagef("--model: %q is not one of %s", *model, strings.Join(checker.Models(), ", "))
	}
	to := timeout.D()
	htmlPaths, err := htmlOutputs(*out, files)
	if err != nil {
		return exitUsage, err
	}
	// A file that cannot be read or checked is reported with an error and
	// the others are still checked: nothing computed is lost. The exit code
	// is then 254, as for any bad input.
	var results []checkResult
	worst, badInput, htmlFailed := exitValid, false, false
	for k, path := range files {
		start := time.Now()
		r := checkResult{File: path, Model: *model}
		fail := func(err error) {
			r.Verdict, r.Error, badInput = "error", err.Error(), true
			fmt.Fprintf(stderr, "raftcheck check: %v\n", err)
			results = append(results, r)
		}
		h, got, err := readHistory(path, f)
		if err != nil {
			fail(err)
			continue
		}
		r.Format = got.String()
		m := *model
		if m == "" && got == histories.EtcdLog {
			// porcupine's etcd logs always hold a register, even when no
			// operation says so (an empty log).
			m = "register"
		}
		mem := int64(memory)
		if mem == 0 {
			mem = -1 // the checker's "no bound"
		}
		grow := int64(explainMemory)
		if grow == 0 {
			grow = -1 // the checker's "no bound but MemoryLimit"
		}
		lin, err := checker.CheckLinearizable(h, checker.LinOptions{Model: m, Timeout: to, MemoryLimit: mem, StepLimit: *steps,
			ExplainTimeout: explainTimeout.D(), ExplainMemory: grow, ExplainSteps: *explainSteps})
		if err != nil {
			fail(fmt.Errorf("%s: %w", path, err))
			continue
		}
		r.Model, r.Ops, r.Seconds, r.VerdictSeconds = lin.Model, lin.Ops, time.Since(start).Seconds(), lin.Duration.Seconds()
		switch lin.Result {
		case checker.LinOK:
			r.Verdict = "valid"
			if lin.Note != "" {
				r.Reasons = []string{lin.Note}
			}
		case checker.LinIllegal:
			r.Verdict = "invalid"
			r.Reasons = lin.Explain(nil)
			// (without decisive operations its sentence restates Explain's)
			if r.Anomaly = lin.Anomaly(checker.AnomalyContext{}); r.Anomaly != nil && len(r.Anomaly.Ops) > 0 {
				r.Reasons = append([]string{r.Anomaly.Summary}, r.Reasons...)
			}
		default:
			r.Verdict = "unknown"
			r.Reasons = []string{fmt.Sprintf("the search gave up after %v", lin.Duration)}
			if lin.Reason != "" {
				r.Reasons = []string{lin.Reason}
			}
		}
		if r.Model == "append" {
			for _, p := range checker.CheckAppend(h) {
				r.Verdict = "invalid"
				r.Problems = append(r.Problems, p.String())
			}
		}
		if htmlPaths != nil {
			if err := writeHTML(htmlPaths[k], lin); err != nil {
				r.Error, htmlFailed = err.Error(), true
				fmt.Fprintf(stderr, "raftcheck check: %s: %v\n", path, err)
			} else {
				r.HTML = htmlPaths[k]
			}
		}
		worst = worse(worst, verdictCode(r.Verdict))
		results = append(results, r)
	}
	code := checkExitCode(worst, badInput, htmlFailed)
	if *jsonOut {
		if err := writeJSON(stdout, map[string]any{"results": results}); err != nil {
			return exitInternal, err
		}
		return code, nil
	}
	for _, r := range results {
		if r.Verdict == "error" {
			continue // already on stderr: stdout carries verdicts only
		}
		fmt.Fprintf(stdout, "%-8s %s (%s, model %s, %s, %.2fs)\n", strings.ToUpper(r.Verdict), r.File, r.Format, r.Model, plural(r.Ops, "op"), r.Seconds)
		for _, s := range append(r.Reasons, r.Problems...) {
			fmt.Fprintf(stdout, "         - %s\n", s)
		}
		if r.HTML != "" {
			fmt.Fprintf(stdout, "         visualization: %s\n", r.HTML)
		}
		if r.Error != "" {
			fmt.Fprintf(stdout, "         visualization not written: %s\n", r.Error)
		}
	}
	return code, nil
}

// stdinName is the file name that stands for standard input.
const stdinName = "-"

// readHistory reads the history in the file at path, or on standard input
// for "-".
func readHistory(path string, f histories.Format) (histories.History, histories.Format, error) {
	if path == stdinName {
		return histories.Read(os.Stdin, "standard input", f)
	}
	return histories.ReadFile(path, f)
}

// checkExitCode: an invalid history is the news that matters and wins
// (1), as for several seeds and as `run` does when its store cannot be
// written; then an unreadable input (254, Jepsen's bad input), then a
// visualization that could not be written (255), then the worst verdict.
func checkExitCode(worst int, badInput, htmlFailed bool) int {
	switch {
	case worst == exitInvalid:
		return exitInvalid
	case badInput:
		return exitUsage
	case htmlFailed:
		return exitInternal
	}
	return worst
}

// htmlOutputs resolves --out into one HTML path per input (nil: --out not
// given). FILE.html takes exactly one input; anything else is a directory,
// created if missing, holding linearizability.html for one input, or
// <input name without extension>.html per input for several (a name taken
// before gets "-<position>", so no input overwrites another's page).
func htmlOutputs(out string, files []string) ([]string, error) {
	if out == "" {
		return nil, nil
	}
	if strings.HasSuffix(out, ".html") {
		if len(files) != 1 {
			return nil, usagef("--out: %s is one file, but %d inputs were given (name a directory instead)", out, len(files))
		}
		if fi, err := os.Stat(filepath.Dir(out)); err != nil || !fi.IsDir() {
			return nil, usagef("--out: the directory of %s does not exist", out)
		}
		return []string{out}, nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, usagef("--out: %v", err)
	}
	if len(files) == 1 {
		return []string{filepath.Join(out, "linearizability.html")}, nil
	}
	paths := make([]string, len(files))
	seen := map[string]bool{}
	for k, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		if f == stdinName {
			base = "stdin"
		}
		name := base + ".html"
		for n := k + 1; seen[name]; n++ { // ends: at most len(files) names are taken
			name = fmt.Sprintf("%s-%d.html", base, n)
		}
		seen[name] = true
		paths[k] = filepath.Join(out, name)
	}
	return paths, nil
}

// worse orders exit codes by severity: invalid beats unknown beats valid.
func worse(a, b int) int {
	rank := func(c int) int {
		switch c {
		case exitInvalid:
			return 2
		case exitUnknown:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func writeHTML(path string, lin *checker.LinResult) error {
	full := fullPagePath(path)
	if err := writeFileAtomic(path, func(w io.Writer) error {
		return lin.WriteHTMLPage(w, checker.HTMLOptions{FullPage: filepath.Base(full)})
	}); err != nil {
		return err
	}
	return writeFileAtomic(full, func(w io.Writer) error { return lin.WritePorcupinePage(w, checker.HTMLOptions{}) })
}

// fullPagePath is where porcupine's page of the whole history goes next to
// the page at path, which links to it: porcupine.html beside
// linearizability.html (as in a run's directory), else <name>.porcupine.html.
func fullPagePath(path string) string {
	if filepath.Base(path) == "linearizability.html" {
		return filepath.Join(filepath.Dir(path), checker.PorcupineFile)
	}
	return strings.TrimSuffix(path, ".html") + ".porcupine.html"
}

// writeFileAtomic writes path through a temporary file in its directory,
// renamed into place, readable by all.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".lin-*.html")
	if err != nil {
		// The temporary file's name means nothing to the user: name the target.
		return fmt.Errorf("--out: cannot write %s in %s: %w", filepath.Base(path), filepath.Dir(path), errors.Unwrap(err))
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriter(f)
	err = errors.Join(write(bw), bw.Flush(), f.Chmod(0o644), f.Close())
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
