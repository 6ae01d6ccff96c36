package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteNodeTable(t *testing.T) {
	rows := []NodeRow{
		{ID: 1, State: "follower", Term: 12, Alive: true, LogSize: 4012, Commit: 4012},
		{ID: 2, State: "crashed", Term: 7, Alive: false, LogSize: 3, Commit: 0},
		{ID: 10, State: "leader", Term: 12, Alive: true, LogSize: 123456789, Commit: 123456788},
	}
	var b bytes.Buffer
	require.NoError(t, WriteNodeTable(&b, rows))
	want := "" +
		"Node ID  State     Term  Alive  Log Size (since snapshot)  Commit Index\n" +
		"-------  --------  ----  -----  -------------------------  ------------\n" +
		"      1  follower    12  yes                         4012          4012\n" +
		"      2  crashed      7  no                             3             0\n" +
		"     10  leader      12  yes                    123456789     123456788\n"
	assert.Equal(t, want, b.String())

	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, 2+len(rows), "header, rule, one line per row")
	header := strings.Fields(strings.NewReplacer("Node ID", "Node_ID", "Log Size (since snapshot)", "Log_Size_(since_snapshot)", "Commit Index", "Commit_Index").Replace(lines[0]))
	assert.Equal(t, []string{"Node_ID", "State", "Term", "Alive", "Log_Size_(since_snapshot)", "Commit_Index"}, header, "columns, in order")
	for _, l := range lines[2:] {
		assert.Len(t, strings.Fields(l), 6, "every row fills every column: %q", l)
	}
}

func TestWriteNodeTableEdgeCases(t *testing.T) {
	tests := []struct {
		name  string
		rows  []NodeRow
		lines int
		check func(t *testing.T, out string)
	}{
		{"no rows: header and rule only", nil, 2, func(t *testing.T, out string) {
			assert.True(t, strings.HasPrefix(out, "Node ID  State  Term  Alive  Log Size (since snapshot)  Commit Index\n"))
		}},
		{"a state with a newline cannot break the table", []NodeRow{{ID: 1, State: "lead\ner\x1b[31m"}}, 3, func(t *testing.T, out string) {
			assert.Contains(t, out, "lead?er?[31m")
			assert.NotContains(t, out, "\x1b")
		}},
		{"wide unicode state keeps columns aligned", []NodeRow{{ID: 1, State: "führer"}, {ID: 2, State: "x"}}, 4, func(t *testing.T, out string) {
			lines := strings.Split(out, "\n")
			col := func(l string) int { return utf8.RuneCountInString(l[:strings.Index(l, "0")]) }
			assert.Equal(t, col(lines[2]), col(lines[3]), "term column aligned:\n%s", out)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, WriteNodeTable(&b, tc.rows))
			assert.Equal(t, tc.lines, strings.Count(b.String(), "\n"))
			tc.check(t, b.String())
		})
	}
}

func TestWriteSummary(t *testing.T) {
	r := testRun()
	r.Verdict = "invalid"
	r.Reasons = []string{"linearizability: get k3 returned \"x 1 2 y\" after put \"x 4 5 y\" completed", "liveness: thread 7 completed nothing after the heal"}
	r.FinalNodes[1] = NodeRow{ID: 2, State: "crashed", Term: 3, Alive: false, LogSize: 4000, Commit: 3990}
	var b bytes.Buffer
	require.NoError(t, WriteSummary(&b, r))
	out := b.String()

	// The sections come in the order the issue lists them.
	order := []string{
		"kv-partitions-crashes\n", "Seed: 1\n",
		"Node ID  State     Term  Alive  Log Size (since snapshot)  Commit Index\n",
		"Leader:", "Events processed:", "Simulated time:", "Node states:", "Alive:",
		"Verdict:           invalid\n", "  - linearizability: get k3", "  - liveness: thread 7",
		"Replay:", "Stats:\n", "  ops:",
	}
	pos := 0
	for _, want := range order {
		i := strings.Index(out[pos:], want)
		if !assert.GreaterOrEqual(t, i, 0, "%q missing or out of order in:\n%s", want, out) {
			return
		}
		pos += i + len(want)
	}
	assert.Contains(t, out, "Leader:            node 3\n")
	assert.Contains(t, out, "Events processed:  31,482,113 (3.42M events/s)\n")
	assert.Contains(t, out, "Simulated time:    70.000 s\n")
	assert.Contains(t, out, "Wall time:         9.200 s\n", "seconds, as the run's other outputs give it")
	assert.Contains(t, out, "Node states:       1 leader, 3 followers, 1 crashed\n")
	assert.Contains(t, out, "Alive:             4/5\n")
	assert.Contains(t, out, "      2  crashed      3  no                          4000          3990\n")
}

func TestWriteSummaryRejectsBadRun(t *testing.T) {
	r := testRun()
	r.Nodes = append(r.Nodes, 3)
	err := WriteSummary(&bytes.Buffer{}, r)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Run.Nodes[5]")
}

func TestFormatting(t *testing.T) {
	assert.Equal(t, "0", groupDigits(0))
	assert.Equal(t, "999", groupDigits(999))
	assert.Equal(t, "1,000", groupDigits(1000))
	assert.Equal(t, "12,345,678", groupDigits(12345678))
	assert.Equal(t, "10 (0.00M events/s)", formatEvents(10, time.Second))
	assert.Equal(t, "2,000,000 (2.00M events/s)", formatEvents(2_000_000, time.Second))
	assert.Equal(t, "5", formatEvents(5, 0), "no rate without a wall time")
	assert.Equal(t, "70.000 s", formatSeconds(70*s))
	assert.Equal(t, "0.001 s", formatSeconds(ms))
	assert.Equal(t, "none", formatStates(nil))
	assert.Equal(t, "1 leader, 1 candidate, 1 precandidate, 2 followers, 1 down, 1 unknown",
		formatStates([]NodeRow{{State: "follower"}, {State: "down"}, {State: "leader"}, {State: ""}, {State: "precandidate"}, {State: "follower"}, {State: "candidate"}}))
}
