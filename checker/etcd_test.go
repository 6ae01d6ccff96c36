package checker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const porcupineData = "../histories/testdata/porcupine"

// readEtcdLog reads a Jepsen etcd register log with the histories package's
// reader.
func readEtcdLog(path string) (histories.History, error) {
	h, _, err := histories.ReadFile(path, histories.EtcdLog)
	return h, err
}

type etcdCase struct {
	file         string
	linearizable bool
}

func etcdCases(t testing.TB) []etcdCase {
	data, err := os.ReadFile(filepath.Join(porcupineData, "EXPECTED.tsv"))
	require.NoError(t, err)
	var cs []etcdCase
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if i == 0 {
			continue // header
		}
		cols := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(cols), 3, "EXPECTED.tsv:%d", i+1)
		if cols[1] != "jepsen-etcd-register-log" {
			continue
		}
		require.Contains(t, []string{"linearizable", "not-linearizable"}, cols[2], "EXPECTED.tsv:%d", i+1)
		cs = append(cs, etcdCase{file: cols[0], linearizable: cols[2] == "linearizable"})
	}
	return cs
}

// TestEtcdJepsenLogs: every shared Jepsen etcd log gets its expected verdict
// through the public API, with the model guessed from the history.
func TestEtcdJepsenLogs(t *testing.T) {
	cases := etcdCases(t)
	require.Len(t, cases, 80)
	var total time.Duration
	for _, c := range cases {
		h, err := readEtcdLog(filepath.Join(porcupineData, c.file))
		require.NoError(t, err, c.file)
		// The counterexample search is bounded by its number of checks; its
		// timeout is only a safety net, far from what it takes on a busy
		// machine.
		r, err := CheckLinearizable(h, LinOptions{ExplainTimeout: 5 * time.Minute})
		require.NoError(t, err, c.file)
		total += r.Duration
		assert.Equal(t, ModelRegister, r.Model, c.file)
		want := LinIllegal
		if c.linearizable {
			want = LinOK
		}
		if !assert.Equal(t, want, r.Result, c.file) {
			continue
		}
		if want == LinIllegal {
			// The counterexample is itself illegal, smaller than the
			// history, and explained op by op.
			assert.Contains(t, r.Counterexample, r.Culprit, c.file)
			model := r.spec.model
			model.Partition = nil
			cex := cexOps(r)
			assert.False(t, porcupine.CheckOperations(model, cex), "%s: counterexample %v is linearizable", c.file, r.Counterexample)
			assert.Less(t, len(cex), r.Ops, c.file)
			assert.Len(t, r.Explain(nil), len(cex)+1, c.file)
		}
	}
	t.Logf("porcupine time over %d logs: %v", len(cases), total)
}
