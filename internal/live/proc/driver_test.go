package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartAllSendAndReceive(t *testing.T) {
	d := newDriver(t, 3, "ok", nil)
	startAll(t, d)
	assert.Empty(t, d.Backlog())
	for i := range 3 {
		require.NoError(t, d.Send(i, ping(i, 10+i)))
	}
	got := map[int]bool{}
	for range 3 {
		ev := nextOf(t, d, Line)
		m, h, err := maelstrom.Parse(ev.Line)
		require.NoError(t, err)
		assert.Equal(t, "pong", h.Type)
		assert.Equal(t, maelstrom.NodeID(ev.Node), m.Src)
		r, ok := h.ReplyTo()
		require.True(t, ok)
		assert.Equal(t, uint64(10+ev.Node), r)
		assert.Equal(t, uint64(1), ev.Inc)
		got[ev.Node] = true
	}
	assert.Len(t, got, 3, "every node answered")
	for i := range 3 {
		assert.DirExists(t, d.NodeDir(i))
		b, err := os.ReadFile(d.LogPath(i))
		require.NoError(t, err)
		assert.Contains(t, string(b), "incarnation 1 starting", "the stderr log marks each start")
	}
	pids := []int{d.Pid(0), d.Pid(1), d.Pid(2)}
	require.NoError(t, d.Close())
	requireGone(t, pids...)
	assert.ErrorContains(t, d.Send(0, ping(0, 1)), "closed")
}

func TestBadBinaries(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "not-executable")
	require.NoError(t, os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644))
	for _, tc := range []struct {
		name, bin string
		want      string
	}{
		{"missing", filepath.Join(dir, "no-such-node"), "not found"},
		{"not executable", notExec, "not executable"},
		{"directory", dir, "is a directory"},
		{"empty", "", "no node binary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Bin: tc.bin, Nodes: 1, RunDir: t.TempDir()})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "Bin")
		})
	}
}

func TestStartFailures(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want []string
	}{
		{"exit", []string{"exited before it was ready", "exit status 3", "dying on purpose"}},
		{"noinit", []string{"no init_ok within 300ms"}},
		{"initerror", []string{"answered init with error 14 (abort): refusing to start"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			d := newDriver(t, 2, tc.mode, func(c *Config) {
				if tc.mode == "noinit" {
					c.InitTimeout = 300 * time.Millisecond // it never answers, however fast the machine
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := d.StartAll(ctx)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			pids := []int{d.Pid(0), d.Pid(1)}
			require.NoError(t, d.Close())
			requireGone(t, pids...)
		})
	}
}

func TestStartAllHonoursContext(t *testing.T) {
	d := newDriver(t, 1, "noinit", func(c *Config) { c.InitTimeout = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := d.StartAll(ctx)
	require.ErrorIs(t, err, context.Canceled)
	pid := d.Pid(0)
	require.NoError(t, d.Close())
	requireGone(t, pid)
}

func TestFaultsAreEventsNotHangs(t *testing.T) {
	t.Run("output before init_ok", func(t *testing.T) {
		d := newDriver(t, 1, "early", nil)
		startAll(t, d)
		b := d.Backlog()
		require.Len(t, b, 1)
		assert.Equal(t, Fault, b[0].Kind)
		assert.ErrorContains(t, b[0].Err, "before init_ok")
		assert.Contains(t, string(b[0].Line), "hello")
	})
	t.Run("line too long", func(t *testing.T) {
		d := newDriver(t, 1, "bigline", func(c *Config) { c.MaxLine = 1 << 20 })
		startAll(t, d)
		ev := next(t, d)
		require.Equal(t, Fault, ev.Kind)
		assert.ErrorIs(t, ev.Err, maelstrom.ErrLineTooLong)
		require.NoError(t, d.Send(0, ping(0, 5)))
		ev = nextOf(t, d, Line)
		assert.Contains(t, string(ev.Line), "pong", "the stream goes on after the long line")
	})
}

func TestKillRestartPauseResume(t *testing.T) {
	d := newDriver(t, 1, "ok", nil)
	startAll(t, d)
	first := d.Pid(0)

	require.NoError(t, d.Kill(0))
	ev := nextOf(t, d, Exited)
	assert.Equal(t, uint64(1), ev.Inc)
	assert.ErrorContains(t, ev.Err, "killed")
	assert.False(t, d.Running(0))
	assert.ErrorIs(t, d.Send(0, ping(0, 1)), ErrDown)
	requireGone(t, first)

	require.NoError(t, d.Start(0))
	ev = nextOf(t, d, Ready)
	assert.Equal(t, uint64(2), ev.Inc, "a restart is a new incarnation")
	assert.Equal(t, uint64(2), d.Incarnation(0))

	second := d.Pid(0)
	require.NoError(t, d.Restart(0))
	assert.Equal(t, uint64(1)+2, d.Incarnation(0))
	ev = nextOf(t, d, Exited)
	assert.Equal(t, uint64(2), ev.Inc)
	nextOf(t, d, Ready)
	requireGone(t, second)

	require.NoError(t, d.Pause(0))
	require.NoError(t, d.Send(0, ping(0, 7)))
	select {
	case ev := <-d.Events():
		t.Fatalf("a stopped node produced %v", ev.Kind)
	case <-time.After(200 * time.Millisecond):
	}
	require.NoError(t, d.Resume(0))
	ev = nextOf(t, d, Line)
	assert.Contains(t, string(ev.Line), `"in_reply_to":7`, "the ping waited in the pipe and is answered on resume")
	b, err := os.ReadFile(d.LogPath(0))
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(string(b), "starting at"), "three starts, one log")
}

func TestSendNeverBlocks(t *testing.T) {
	d := newDriver(t, 1, "ignore", func(c *Config) { c.StdinQueue = 4 })
	startAll(t, d)
	big := make([]byte, 4096)
	for i := range big {
		big[i] = 'x'
	}
	var full error
	for range 10000 {
		if err := d.Send(0, big); err != nil {
			full = err
			break
		}
	}
	require.Error(t, full, "a node that does not read fills its queue")
	assert.True(t, errors.Is(full, ErrQueueFull), "%v", full)
}

func TestCloseKillsTheProcessGroup(t *testing.T) {
	d := newDriver(t, 1, "grandchild", nil)
	startAll(t, d)
	ev := nextOf(t, d, Line)
	_, h, err := maelstrom.Parse(ev.Line)
	require.NoError(t, err)
	require.Equal(t, "child", h.Type)
	var body struct{ Pid int }
	m, _, _ := maelstrom.Parse(ev.Line)
	require.NoError(t, jsonUnmarshal(m.Body, &body))
	require.True(t, alive(body.Pid), "the grandchild runs")
	node := d.Pid(0)
	require.NoError(t, d.Close(), "the grandchild held the node's stdout: Close must still reap and return")
	requireGone(t, node, body.Pid)
}

func TestRestartAndCloseWhileNobodyReadsEvents(t *testing.T) {
	// The node floods stdout and the owner takes no event: the event
	// channel is full and the node's reader is stuck handing over a line.
	// Restart and Close wait for the process to be reaped; neither may
	// wait for the owner.
	d := newDriver(t, 1, "spam", func(c *Config) { c.EventQueue = 1 })
	startAll(t, d)
	first := d.Pid(0)
	require.NoError(t, d.Restart(0))
	requireGone(t, first)
	second := d.Pid(0)
	require.NoError(t, d.Close())
	requireGone(t, second)
}

func TestMarkerRoundTrip(t *testing.T) {
	line := fmt.Sprintf(markerFormat, "n3", 7, time.Now().Format(time.RFC3339Nano))
	inc, ok := Marker([]byte(strings.TrimSuffix(line, "\n")))
	require.True(t, ok)
	assert.Equal(t, uint64(7), inc)
	for _, s := range []string{"", "raft: leader in term 3", "--- raftcheck: n3 incarnation x starting at now ---", "--- raftcheck: n3 started"} {
		_, ok := Marker([]byte(s))
		assert.False(t, ok, s)
	}
}
