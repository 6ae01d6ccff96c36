package harness

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
)

// TestGroupSelfReports: a breach every node asserts on every message from
// the other leader is one problem with a count, not dozens of lines.
func TestGroupSelfReports(t *testing.T) {
	twoLeaders := func(node, from int, msg string) selfReport {
		return selfReport{node: node, term: 239, at: 57_000_000_000, text: trimNodeTerm(
			"node "+itoa(node)+" term 239: step "+msg+" from "+itoa(from)+": raft: safety violation (node "+itoa(node)+", term 239, from "+itoa(from)+"): two leaders in one term (the other is 2)", node, 239)}
	}
	reports := []selfReport{
		twoLeaders(2, 1, "MsgApp"), twoLeaders(1, 2, "MsgApp"), twoLeaders(1, 2, "MsgHeartbeat"),
		twoLeaders(3, 2, "MsgHeartbeat"), twoLeaders(5, 1, "MsgHeartbeat"),
		{node: 4, term: 7, at: 60_000_000_000, text: "applied configuration entry 9 (term 7) does not decode"},
	}
	got := groupSelfReports(reports, 40)
	require.Len(t, got, 2, "two kinds of report")
	assert.Equal(t, checker.CheckSelfReport, got[0].Check)
	assert.Equal(t, []int{1, 2, 3, 5}, got[0].Nodes)
	assert.Equal(t, "node 2 (term 239) at 57s: step MsgApp from 1: raft: safety violation (node 2, term 239, from 1): two leaders in one term (the other is 2) [reported 5 times by nodes 1, 2, 3 and 5]", got[0].Detail)
	assert.Equal(t, "node 4 (term 7) at 1m0s: applied configuration entry 9 (term 7) does not decode [and 34 more reports not kept]", got[1].Detail)
	assert.Empty(t, groupSelfReports(nil, 0))
}
