package live

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func marker(inc int) string {
	return fmt.Sprintf("--- raftcheck: n0 incarnation %d starting at 2026-01-01T00:00:00Z ---\n", inc)
}

func TestRoleTailReadsReportsAsTheyComeByIncarnation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n0.stderr.log")
	tl := newRoleTail(path, regexp.MustCompile(DefaultRoleRegex))
	assert.Empty(t, tl.read(), "no log yet: nothing, no error")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	write := func(s string) {
		_, err := f.WriteString(s)
		require.NoError(t, err)
	}
	write(marker(1) + "12:00:00 raft: follower in term 1 (leader 0)\n12:00:01 raft: Leader in te")
	got := tl.read()
	require.Len(t, got, 1)
	assert.Equal(t, roleReport{role: checker.RoleFollower, term: 1, inc: 1}, got[0])
	write("rm 2 (leader 1)\nnoise\n" + strings.Repeat("x", maxTailLine+10) + " raft: leader in term 9\n")
	got = tl.read()
	require.Len(t, got, 1, "the partial line completes; the over-long one is skipped whole")
	assert.Equal(t, roleReport{role: checker.RoleLeader, term: 2, inc: 1}, got[0])
	write(marker(2) + "raft: pre-candidate in term 2\nraft: emperor in term 3\n")
	got = tl.read()
	require.Len(t, got, 1, "an unknown role is no report")
	assert.Equal(t, roleReport{role: checker.RolePreCandidate, term: 2, inc: 2}, got[0])
	assert.NoError(t, tl.err)
	tl.close()
}

// TestObserverJudgesReportedRoles: reports from a node that is down or of
// an older incarnation are ignored; two nodes reporting leadership of one
// term break election safety; Leader picks the live one of the highest
// term.
func TestObserverJudgesReportedRoles(t *testing.T) {
	dir := t.TempDir()
	w, err := sim.NewWorld(sim.Config{Seed: 1})
	require.NoError(t, err)
	cfg := Config{RoleRegex: regexp.MustCompile(DefaultRoleRegex)}
	logs := func(i int) string { return LogPath(dir, i) }
	o := newObserver(w, 3, &cfg, logs)
	for i, text := range []string{
		marker(1) + "raft: leader in term 1\n" + marker(2) + "raft: leader in term 4\n",
		marker(1) + "raft: leader in term 4\n",
		marker(1) + "raft: leader in term 5\n",
	} {
		require.NoError(t, os.WriteFile(logs(i), []byte(text), 0o644))
	}
	incs := []uint64{1, 1, 1}
	o.down[2] = true
	o.pollAll(func(i int) uint64 { return incs[i] })
	// n0's incarnation-2 report is not its running incarnation's; n2 is down.
	assert.Equal(t, []string{checker.RoleLeader, checker.RoleLeader, ""}, o.role)
	assert.Empty(t, o.violations, "n0 led term 1, n1 term 4")
	incs[0] = 2
	o.tails[0] = newRoleTail(logs(0), cfg.RoleRegex) // read n0's log again
	o.pollAll(func(i int) uint64 { return incs[i] })
	require.Len(t, o.violations, 1)
	v := o.violations[0]
	assert.Equal(t, checker.ElectionSafety, v.Invariant)
	assert.Equal(t, []int{2, 1}, v.Nodes)
	assert.Contains(t, v.Evidence, "n1 and n0 both reported")
	alive := func(node int) bool { return node != 2 }
	assert.Equal(t, 1, o.leader(alive), "n0 leads term 4 by its account, n1 is not up")
	assert.True(t, o.rolesSeen)
	assert.True(t, o.leaderSeen)
}
