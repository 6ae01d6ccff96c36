package sim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestZeroConfigIsValid(t *testing.T) {
	w, err := NewWorld(Config{})
	require.NoError(t, err)
	c := w.Config()
	assert.Equal(t, DefaultLatency, c.Net.Latency)
	assert.Equal(t, DefaultMaxEvents, c.MaxEvents)
	assert.Equal(t, LoseUnsynced, c.Disk.CrashMode)
	assert.Equal(t, DefaultSyncLatency, c.Disk.SyncLatency)
}

func TestBadConfigNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"zero latency", Config{Net: NetConfig{Latency: Dist{Kind: Constant}}}, "net.latency.mean"},
		{"negative latency", Config{Net: NetConfig{Latency: Dist{Kind: Normal, Mean: -Millisecond}}}, "net.latency.mean"},
		{"loss above 1", Config{Net: NetConfig{Loss: 1.5}}, "net.loss"},
		{"negative loss", Config{Net: NetConfig{Loss: -0.1}}, "net.loss"},
		{"NaN duplicate", Config{Net: NetConfig{Duplicate: math.NaN()}}, "net.duplicate"},
		{"reorder above 1", Config{Net: NetConfig{Reorder: 2}}, "net.reorder"},
		{"negative reorder delay", Config{Net: NetConfig{ReorderDelay: -1}}, "net.reorder_delay"},
		{"negative extra delay", Config{Net: NetConfig{ExtraDelay: -1}}, "net.extra_delay"},
		{"negative paused queue", Config{Net: NetConfig{PausedQueue: -1}}, "net.paused_queue"},
		{"negative sync latency", Config{Disk: DiskConfig{SyncLatency: -1}}, "disk.sync_latency"},
		{"unknown crash mode", Config{Disk: DiskConfig{CrashMode: 9}}, "disk.crash_mode"},
		{"negative pending bound", Config{Disk: DiskConfig{MaxPendingWrites: -1}}, "disk.max_pending_writes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWorld(tt.cfg)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field, "%v", err)
		})
	}
	_, err := NewWorld(Config{Net: NetConfig{Loss: 1.5}})
	assert.EqualError(t, err, "net.loss: 1.5 is outside [0,1]")
}

func TestBadHostNamesTheField(t *testing.T) {
	w := newTestWorld(t, Config{})
	ok := func(*Host) (Process, error) { return &recProc{}, nil }
	_, err := w.AddHost(1, HostConfig{}, ok)
	require.NoError(t, err)
	tests := []struct {
		name  string
		addr  int
		cfg   HostConfig
		start func(*Host) (Process, error)
		field string
	}{
		{"duplicate address", 1, HostConfig{}, ok, "addr"},
		{"address zero", 0, HostConfig{}, ok, "addr"},
		{"address too large", MaxAddr + 1, HostConfig{}, ok, "addr"},
		{"nil start", 2, HostConfig{}, nil, "start"},
		{"drift", 2, HostConfig{ClockDriftPPM: 2e6}, ok, "host.clock_drift_ppm"},
		{"NaN drift", 2, HostConfig{ClockDriftPPM: math.NaN()}, ok, "host.clock_drift_ppm"},
		{"sync latency", 2, HostConfig{Disk: true, SyncLatency: -5}, ok, "host.sync_latency"},
		{"crash mode", 2, HostConfig{Disk: true, CrashMode: 7}, ok, "host.crash_mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := w.AddHost(tt.addr, tt.cfg, tt.start)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field, "%v", err)
			assert.Nil(t, h)
		})
	}
	assert.Len(t, w.Hosts(), 1, "rejected hosts are not added")
}

func TestStreams(t *testing.T) {
	draw := func(seed uint64, name string) []uint64 {
		w := newTestWorld(t, Config{Seed: seed})
		r, err := w.Stream(name)
		require.NoError(t, err)
		return []uint64{r.Uint64(), r.Uint64(), r.Uint64()}
	}
	assert.Equal(t, draw(1, "nemesis"), draw(1, "nemesis"), "same seed and name: same stream")
	assert.NotEqual(t, draw(1, "nemesis"), draw(2, "nemesis"))
	assert.NotEqual(t, draw(1, "node/1"), draw(1, "node/2"))

	// A stream does not depend on which other streams were taken before.
	w := newTestWorld(t, Config{Seed: 1})
	_, err := w.Stream("workload")
	require.NoError(t, err)
	r, err := w.Stream("nemesis")
	require.NoError(t, err)
	assert.Equal(t, draw(1, "nemesis"), []uint64{r.Uint64(), r.Uint64(), r.Uint64()})

	_, err = w.Stream("nemesis")
	assert.ErrorContains(t, err, `"nemesis" is already taken`)
	_, err = w.Stream("net")
	assert.ErrorContains(t, err, `"net"`, "the engine owns the network's stream")
	_, err = w.Stream("")
	assert.Error(t, err)

	addRec(t, w, 3, HostConfig{Disk: true}, nil)
	_, err = w.Stream("disk/3")
	assert.Error(t, err, "each disk owns its stream")
}

func TestCrashModeNames(t *testing.T) {
	for m := LoseUnsynced; m <= TearLast; m++ {
		got, err := ParseCrashMode(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	_, err := ParseCrashMode("explode")
	assert.Error(t, err)
}
