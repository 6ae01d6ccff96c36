package checker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoleTimeline(t *testing.T) {
	tl := staleLeaderRoles(t)
	assert.Equal(t, []int{1, 2, 3}, tl.Nodes())

	cases := []struct {
		node     int
		at       int64
		role     string
		term     uint64
		found    bool
		leader   int
		leadTerm uint64
		anyLead  bool
	}{
		{node: 1, at: -1, found: false, anyLead: false},
		{node: 1, at: 0, role: RoleFollower, term: 4, found: true, leader: 3, leadTerm: 4, anyLead: true},
		{node: 1, at: 95, role: RoleCandidate, term: 5, found: true, leader: 3, leadTerm: 4, anyLead: true},
		{node: 1, at: 100, role: RoleLeader, term: 5, found: true, leader: 1, leadTerm: 5, anyLead: true},
		{node: 3, at: 1000, role: RoleLeader, term: 4, found: true, leader: 1, leadTerm: 5, anyLead: true},
		{node: 9, at: 50, found: false, leader: 3, leadTerm: 4, anyLead: true},
	}
	for _, c := range cases {
		role, term, found := tl.RoleAt(c.node, c.at)
		assert.Equal(t, c.found, found, "RoleAt(%d, %d)", c.node, c.at)
		assert.Equal(t, c.role, role, "RoleAt(%d, %d)", c.node, c.at)
		assert.Equal(t, c.term, term, "RoleAt(%d, %d)", c.node, c.at)
		n, lt, ok := tl.LeaderAt(c.at)
		assert.Equal(t, c.anyLead, ok, "LeaderAt(%d)", c.at)
		assert.Equal(t, c.leader, n, "LeaderAt(%d)", c.at)
		assert.Equal(t, c.leadTerm, lt, "LeaderAt(%d)", c.at)
	}
}

func TestRoleTimelineFirstLeaderFrom(t *testing.T) {
	tl := NewRoleTimeline()
	require.NoError(t, tl.Add(0, 1, RoleLeader, 1))
	require.NoError(t, tl.Add(50, 1, RoleCrashed, 1))
	require.NoError(t, tl.Add(60, 2, RoleCandidate, 2))
	require.NoError(t, tl.Add(70, 3, RoleLeader, 2)) // superseded at the same instant
	require.NoError(t, tl.Add(70, 3, RoleFollower, 3))
	require.NoError(t, tl.Add(80, 2, RoleLeader, 3))

	at, n, term, ok := tl.FirstLeaderFrom(10)
	assert.True(t, ok)
	assert.Equal(t, []any{int64(10), 1, uint64(1)}, []any{at, n, term}, "a leader already in place counts")

	at, n, term, ok = tl.FirstLeaderFrom(55)
	assert.True(t, ok)
	assert.Equal(t, []any{int64(80), 2, uint64(3)}, []any{at, n, term})

	tl2 := NewRoleTimeline()
	require.NoError(t, tl2.Add(0, 1, RoleFollower, 1))
	_, _, _, ok = tl2.FirstLeaderFrom(0)
	assert.False(t, ok)
}

func TestRoleTimelineRejectsBadInput(t *testing.T) {
	tl := NewRoleTimeline()
	require.NoError(t, tl.Add(10, 1, RoleLeader, 1))
	for _, c := range []struct {
		t    int64
		node int
		role string
		want string
	}{
		{5, 1, RoleFollower, "node 1: before its previous change at 10"},
		{20, -1, RoleFollower, "node -1 out of range"},
		{20, MaxNode, RoleFollower, "out of range"},
		{20, 2, "boss", `unknown role "boss"`},
	} {
		err := tl.Add(c.t, c.node, c.role, 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), c.want)
	}
	assert.Nil(t, tl.Changes(-3))
	assert.Len(t, tl.Changes(1), 1)
}
