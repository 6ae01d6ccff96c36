package nemesis

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecordedScheduleReplaysExactly: a random schedule, recorded and then
// followed as a script by a nemesis whose stream is different, makes the
// same fault actions at the same times with the same targets, for every
// fault of the catalog (the draws carry every random choice).
func TestRecordedScheduleReplaysExactly(t *testing.T) {
	for _, nodes := range []int{3, 5} {
		for seed := uint64(1); seed <= 8; seed++ {
			t.Run(fmt.Sprintf("n=%d/seed=%d", nodes, seed), func(t *testing.T) {
				cfg := Config{Faults: []string{All}, Interval: 400 * Millisecond, MaxActive: 3}
				fc, nm := runAll(t, nodes, cfg, seed, 30*Second, nil)
				sched := nm.Schedule()
				require.NotEmpty(t, Windows(sched), "the random run started no fault")

				script := cfg
				script.Script = sched
				fc2, nm2 := runAll(t, nodes, script, seed+1000, 30*Second, nil)
				assert.Equal(t, fc.events, fc2.events, "the script is another schedule")
				assert.Equal(t, sched, nm2.Schedule(), "the script's own record differs from the script")
				assert.Equal(t, fc.crashes, fc2.crashes)
				assert.Equal(t, fc.wiped, fc2.wiped)
			})
		}
	}
}

// TestScriptWindowRemoval: removing one window of a recorded schedule
// removes its start and stop and leaves the other actions at their times.
func TestScriptWindowRemoval(t *testing.T) {
	cfg := Config{Faults: []string{"crash-leader", "partition-isolate-leader", "flaky", "clock-bump"}, Interval: 500 * Millisecond, MaxActive: 2}
	_, nm := runAll(t, 5, cfg, 3, 20*Second, nil)
	sched := nm.Schedule()
	ws := Windows(sched)
	require.GreaterOrEqual(t, len(ws), 3)
	drop := ws[1]
	var edited []Step
	for i, s := range sched {
		if i != drop.Start && i != drop.Stop {
			edited = append(edited, s)
		}
	}
	script := cfg
	script.Script = edited
	fc, nm2 := runAll(t, 5, script, 3, 20*Second, nil)
	got := nm2.Schedule()
	require.Len(t, got, len(edited))
	for i := range edited {
		assert.Equal(t, edited[i].At, got[i].At, "step %d moved", i)
	}
	starts := 0
	for _, ev := range fc.events {
		if ev.Start {
			starts++
		}
	}
	assert.Equal(t, len(ws)-1, starts, "one window fewer")
	requirePaired(t, fc.events)
}

// TestScriptSkipsStepsThatCannotAct: a stop of a fault that is not active,
// and a start of a started one, are ticks; a script step of a fault not
// among the faults is refused.
func TestScriptSkipsStepsThatCannotAct(t *testing.T) {
	cfg := Config{Faults: []string{"crash-leader"}, Script: []Step{
		{At: Second, Fault: "crash-leader"},
		{At: 2 * Second, Fault: "crash-leader", Start: true},
		{At: 3 * Second, Fault: "crash-leader", Start: true},
		{At: 4 * Second, Fault: "crash-leader"},
	}}
	fc, nm := runAll(t, 3, cfg, 1, 10*Second, nil)
	require.Len(t, fc.events, 2)
	assert.Equal(t, int64(2*Second), fc.events[0].At)
	assert.Equal(t, int64(4*Second), fc.events[1].At)
	got := nm.Schedule()
	require.Len(t, got, 4)
	assert.Empty(t, got[0].Fault, "a stop of an idle fault is a tick")
	assert.Empty(t, got[2].Fault, "a start of a started fault is a tick")

	bad := Config{Faults: []string{"crash-leader"}, Script: []Step{{At: Second, Fault: "flaky", Start: true}}}
	_, err := New(bad, newFake(t, 3), testRNG(1))
	require.ErrorContains(t, err, "flaky is not among the faults")
}

// TestScriptStepsBeyondTheLimitAreDropped: a step at or after the time limit
// never runs.
func TestScriptStepsBeyondTheLimitAreDropped(t *testing.T) {
	cfg := Config{Faults: []string{"crash-leader"}, Script: []Step{
		{At: Second, Fault: "crash-leader", Start: true},
		{At: 9 * Second, Fault: "crash-leader"},
	}}
	fc, nm := runAll(t, 3, cfg, 1, 5*Second, nil)
	assert.Len(t, nm.Schedule(), 1)
	require.Len(t, fc.events, 2, "the start, then Heal's stop")
	assert.Equal(t, int64(5*Second), fc.events[1].At)
}

func TestScheduleTextRoundTrips(t *testing.T) {
	steps := []Step{
		{At: 1_200_000_001, Fault: "crash-leader", Start: true, Draws: []uint64{0, 1<<64 - 1}},
		{At: 2 * Second, Fault: "crash-leader"},
		{At: 3 * Second},
		{At: 3 * Second, Fault: "partition-random-halves", Start: true, Draws: []uint64{0xabc}},
	}
	text := FormatSchedule(steps)
	assert.Equal(t, "1.200000001s+crash-leader/0000000000000000/ffffffffffffffff,2s-crash-leader,3s,3s+partition-random-halves/0000000000000abc", text)
	back, err := ParseSchedule(text)
	require.NoError(t, err)
	assert.Equal(t, steps, back)

	none, err := ParseSchedule("none")
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)
}

func TestParseScheduleErrorsNameTheStep(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty schedule"},
		{"1s+crash-leader,x+crash-leader", `step 2 "x+crash-leader": time "x"`},
		{"1s+no-such-fault", `step 1 "1s+no-such-fault": unknown fault`},
		{"1s+crash-leader/12", `draw "12"`},
		{"2s+crash-leader,1s-crash-leader", "step 2 at 1s comes before"},
	} {
		_, err := ParseSchedule(tc.in)
		require.Error(t, err, tc.in)
		assert.Contains(t, err.Error(), tc.want, tc.in)
	}
}

func TestWindowsPairStartsWithStops(t *testing.T) {
	steps := []Step{
		{At: 1, Fault: "a", Start: true},
		{At: 2, Fault: "b", Start: true},
		{At: 3},
		{At: 4, Fault: "a"},
		{At: 5, Fault: "c"},
		{At: 6, Fault: "a", Start: true},
	}
	ws := Windows(steps)
	assert.Equal(t, []Window{{"a", 0, 3}, {"b", 1, -1}, {"a", 5, -1}}, ws)
	assert.True(t, slices.IsSortedFunc(ws, func(x, y Window) int { return x.Start - y.Start }))
}
