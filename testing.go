package raftcheck

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
)

// Check runs cfg and fails t unless the verdict is valid, reporting the seed,
// every reason, where the reports are and a one-line replay command. It
// returns the result for further assertions. Only a failing run is written
// into cfg.Store ("" writes nothing).
//
// Deprecated: use raftchecktest.Check, which keeps a failing run's reports
// in a directory that outlives the test ($RAFTCHECK_ARTIFACTS), honours
// go test -timeout and -short, and prints commands that rerun the test and
// replay the run from your module.
func Check(t testing.TB, cfg Config) *Result {
	t.Helper()
	cfg.StoreFailuresOnly = true
	res, err := Run(cfg)
	if err != nil {
		t.Fatalf("raftcheck: seed %d: %v", cfg.Seed, err)
		return nil
	}
	if res.Verdict != Valid {
		t.Errorf("%s", failureMessage(res))
	}
	return res
}

// failureMessage is what Check prints for a failing run.
func failureMessage(res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "raftcheck: seed %d: verdict %s\n", res.Seed, res.Verdict)
	for _, r := range res.Reasons {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	if res.Store != "" {
		fmt.Fprintf(&b, "  reports: %s\n", res.Store)
	}
	fmt.Fprintf(&b, "  replay: %s", res.Replay)
	return b.String()
}

// CheckHistory checks a recorded history file (any format histories.Detect
// knows) for linearizability under model ("" guesses it) and fails t unless it
// is linearizable, with the explanation; a search that exceeds timeout (0 =
// none) fails as unknown. Append histories also get the append checks
// (prefix-consistent reads, no lost acknowledged append), as in `raftcheck
// check`. An unreadable file stops the test, naming file and line. It returns
// the linearizability result.
//
// Deprecated: use raftchecktest.CheckHistory, which also bounds the search
// by the test binary's deadline.
func CheckHistory(t testing.TB, path, model string, timeout time.Duration) *checker.LinResult {
	t.Helper()
	h, _, err := histories.ReadFile(path, histories.Auto)
	if err != nil {
		t.Fatalf("raftcheck: %v", err)
		return nil
	}
	lin, err := checker.CheckLinearizable(h, checker.LinOptions{Model: model, Timeout: timeout})
	if err != nil {
		t.Fatalf("raftcheck: %s: %v", path, err)
		return nil
	}
	switch lin.Result {
	case checker.LinOK:
	case checker.LinIllegal:
		lines := lin.Explain(nil)
		if a := lin.Anomaly(checker.AnomalyContext{}); a != nil {
			lines = append([]string{a.Summary}, lines...)
		}
		t.Errorf("raftcheck: %s is not linearizable (model %s):\n  %s", path, lin.Model, strings.Join(lines, "\n  "))
	default:
		t.Errorf("raftcheck: %s: linearizability unknown: %s (raise the bound)", path, lin.Reason)
	}
	if lin.Model == "append" {
		for _, p := range checker.CheckAppend(h) {
			t.Errorf("raftcheck: %s: %s", path, p)
		}
	}
	return lin
}
