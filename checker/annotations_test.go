package checker

import (
	"bytes"
	"testing"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNemesisAnnotations(t *testing.T) {
	h := hist(
		ev(10, histories.NemesisProcess, info, "start-partition", "", "{1 2} {3 4 5}"),
		ev(15, 0, histories.Invoke, "read", "", nil),
		ev(20, histories.NemesisProcess, info, "start-kill", "", "n3"),
		ev(30, histories.NemesisProcess, info, "stop-partition", "", nil),
		ev(35, histories.NemesisProcess, info, "bump-clock", "", "n2"),
		ev(40, 0, ok, "read", "", nil),
	)
	got := NemesisAnnotations(h)
	assert.Equal(t, []Annotation{
		{Start: 10, End: 30, Tag: "nemesis", Label: "partition", Details: "partition {1 2} {3 4 5} (history #0, until history #3)", Color: colorFault},
		{Start: 20, End: 40, Tag: "nemesis", Label: "kill", Details: "kill n3 (history #2, still active at the end)", Color: colorFault},
		{Start: 35, End: 35, Tag: "nemesis", Label: "bump-clock", Details: "bump-clock n2 (history #4)"},
	}, got)
}

// TestNemesisAnnotationsWithoutValues: a nemesis op without a value leaves
// no gap for it in the tooltip.
func TestNemesisAnnotationsWithoutValues(t *testing.T) {
	h := hist(
		ev(10, histories.NemesisProcess, info, "start-kill", "", nil),
		ev(20, histories.NemesisProcess, info, "heal", "", nil),
		ev(30, histories.NemesisProcess, info, "stop-pause", "", nil),
	)
	got := NemesisAnnotations(h)
	require.Len(t, got, 3)
	assert.Equal(t, "kill (history #0, still active at the end)", got[0].Details)
	assert.Equal(t, "heal (history #1)", got[1].Details)
	assert.Equal(t, "stop-pause (history #2)", got[2].Details)
}

func TestRoleAnnotations(t *testing.T) {
	got := RoleAnnotations(recoveryRoles(t), 500)
	assert.Equal(t, []Annotation{
		{Start: 0, End: 0, Tag: "node 1", Label: "leader t1", Details: "node 1 became leader of term 1", Color: colorLeader},
		{Start: 40, End: 500, Tag: "node 1", Label: "crashed", Details: "node 1 down from 40ns to 500ns", Color: colorCrash},
		{Start: 130, End: 130, Tag: "node 2", Label: "leader t2", Details: "node 2 became leader of term 2", Color: colorLeader},
	}, got)
	assert.Nil(t, RoleAnnotations(nil, 0))
}

func TestAnnotationsRender(t *testing.T) {
	h := hist(
		ev(10, histories.NemesisProcess, info, "start-partition", "", "{1 2} {3 4 5}"),
		ev(15, 0, histories.Invoke, "write", "", int64(1)),
		ev(40, 0, ok, "write", "", int64(1)),
	)
	r, err := CheckLinearizable(h, LinOptions{})
	require.NoError(t, err)
	notes := append(NemesisAnnotations(h), RoleAnnotations(recoveryRoles(t), 40)...)
	var buf bytes.Buffer
	require.NoError(t, r.WritePorcupinePage(&buf, HTMLOptions{Notes: notes}))
	assert.Len(t, embeddedData(t, buf.String()).Annotations, 4)
}
