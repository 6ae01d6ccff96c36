package sim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The kvstore.Disk contract, restated so this test does not depend on kvstore
// compiling: *Disk must satisfy it structurally.
var _ interface {
	ReadFile(name string) ([]byte, bool)
	Append(name string, data []byte)
	WriteFile(name string, data []byte)
	Remove(name string)
	List() []string
	Sync(tag uint64)
} = (*Disk)(nil)

// The kvstore.Process contract, likewise.
var _ interface {
	Receive(from int, msg any)
	Fire(tag uint64)
} = Process(nil)

func diskHost(t *testing.T, seed uint64, cfg HostConfig) (*World, *Host) {
	t.Helper()
	w := newTestWorld(t, Config{Seed: seed})
	cfg.Disk = true
	return w, addRec(t, w, 1, cfg, nil)
}

func read(d *Disk, name string) string {
	b, ok := d.ReadFile(name)
	if !ok {
		return "<none>"
	}
	return string(b)
}

func TestWritesAreVisibleAtOnceAndDurableAfterSync(t *testing.T) {
	w, h := diskHost(t, 1, HostConfig{SyncLatency: 2 * Millisecond})
	d := h.Disk()
	d.Append("log", []byte("a"))
	d.Append("log", []byte("b"))
	assert.Equal(t, "ab", read(d, "log"))
	d.Sync(7)
	d.Append("log", []byte("c")) // after the sync call: not covered by it
	b, _ := d.ReadFile("log")
	b[0] = 'X' // ReadFile returns a copy
	assert.Equal(t, "abc", read(d, "log"))

	require.NoError(t, w.Run(Millisecond))
	assert.Empty(t, proc(h).fires, "sync not complete yet")
	require.NoError(t, w.Run(2*Millisecond))
	assert.Equal(t, []fired{{at: 2 * Millisecond, tag: 7}}, proc(h).fires)
	assert.Equal(t, 1, d.Unsynced())

	h.Crash()
	assert.Equal(t, "ab", read(d, "log"), "the write after the sync call is lost")
}

func TestCrashDuringSyncLosesItsWrites(t *testing.T) {
	w, h := diskHost(t, 2, HostConfig{SyncLatency: 2 * Millisecond})
	h.Disk().WriteFile("hs", []byte("term=1"))
	h.Disk().Sync(1)
	w.After(Millisecond, func() { h.Restart(0) })
	require.NoError(t, w.Run(Second))
	assert.Equal(t, "<none>", read(h.Disk(), "hs"))
	assert.Empty(t, proc(h).fires, "the new incarnation gets no completion")
}

func TestSyncsCompleteInOrder(t *testing.T) {
	w, h := diskHost(t, 3, HostConfig{SyncLatency: 10 * Millisecond})
	h.Disk().Append("f", []byte("1"))
	h.Disk().Sync(1)
	require.NoError(t, h.Disk().SetSyncLatency(Millisecond))
	h.Disk().Append("f", []byte("2"))
	h.Disk().Sync(2)
	require.NoError(t, w.Run(Second))
	assert.Equal(t, []uint64{1, 2}, proc(h).tags())
	require.NoError(t, h.Disk().SetSyncLatency(0))
	assert.Equal(t, 10*Millisecond, h.Disk().SyncLatency(), "0 restores the configured latency")
	assert.Error(t, h.Disk().SetSyncLatency(-1))
}

func TestRemoveAndList(t *testing.T) {
	_, h := diskHost(t, 4, HostConfig{})
	d := h.Disk()
	d.WriteFile("b", []byte("x"))
	d.WriteFile("a", nil)
	d.Append("c", []byte("y"))
	assert.Equal(t, []string{"a", "b", "c"}, d.List())
	d.Remove("b")
	d.Remove("missing")
	assert.Equal(t, []string{"a", "c"}, d.List())
	assert.Equal(t, "", read(d, "a"), "an empty file exists")
}

// crashTrial performs writes w1..wn (appends to "log" of "<i>;" records and,
// when withWriteFile, a WriteFile of "meta" in the middle), syncs the first
// synced of them, crashes and returns what survived.
func crashTrial(t *testing.T, seed uint64, mode CrashMode, synced int) (log, meta string) {
	t.Helper()
	w, h := diskHost(t, seed, HostConfig{CrashMode: mode})
	d := h.Disk()
	d.WriteFile("meta", []byte("old"))
	for i := range 6 {
		if i == synced {
			d.Sync(0)
			require.NoError(t, w.Run(w.Now()+Second))
		}
		if i == 3 {
			d.WriteFile("meta", []byte("new"))
		}
		d.Append("log", fmt.Appendf(nil, "record-%d;", i))
	}
	h.Crash()
	return read(d, "log"), read(d, "meta")
}

// full is the log if every append survives.
const full = "record-0;record-1;record-2;record-3;record-4;record-5;"

func TestCrashModes(t *testing.T) {
	const trials = 300
	t.Run("lose-unsynced", func(t *testing.T) {
		for seed := range uint64(trials) {
			log, meta := crashTrial(t, seed, LoseUnsynced, 2)
			require.Equal(t, full[:18], log, "exactly the synced appends")
			require.Equal(t, "old", meta)
		}
	})
	t.Run("keep-prefix", func(t *testing.T) {
		lengths := map[int]bool{}
		for seed := range uint64(trials) {
			log, meta := crashTrial(t, seed, KeepPrefix, 2)
			require.True(t, len(log) >= 18 && len(log)%9 == 0 && log == full[:len(log)],
				"whole records, a prefix of the writes, at least the synced ones: %q", log)
			n := len(log) / 9
			// the WriteFile came between record-2 and record-3: it survives iff record-3 does
			if n > 3 {
				require.Equal(t, "new", meta, "writes survive in order")
			}
			lengths[n] = true
		}
		assert.Len(t, lengths, 5, "every prefix length 2..6 occurs")
	})
	t.Run("tear-last", func(t *testing.T) {
		torn, whole := 0, 0
		for seed := range uint64(trials) {
			log, meta := crashTrial(t, seed, TearLast, 2)
			require.True(t, len(log) >= 18 && log == full[:len(log)], "a byte prefix: %q", log)
			if len(log)%9 != 0 {
				torn++
				if len(log)/9 >= 3 {
					require.Equal(t, "new", meta, "the torn append came after the WriteFile")
				}
			} else {
				whole++
			}
		}
		assert.Greater(t, torn, trials/3, "most crashes tear the next append")
		assert.Positive(t, whole)
	})
	t.Run("writefile is atomic", func(t *testing.T) {
		for seed := range uint64(trials) {
			_, meta := crashTrial(t, seed, TearLast, 0)
			require.Contains(t, []string{"old", "new", "<none>"}, meta)
		}
	})
}

func TestPendingWriteBound(t *testing.T) {
	w := newTestWorld(t, Config{Disk: DiskConfig{MaxPendingWrites: 10}})
	h := addRec(t, w, 1, HostConfig{Disk: true}, nil)
	for range 11 {
		h.Disk().Append("f", []byte("x"))
	}
	assert.ErrorIs(t, w.Run(Second), ErrQueueFull)
}

func TestCorrupt(t *testing.T) {
	_, h := diskHost(t, 5, HostConfig{})
	d := h.Disk()
	rng := rand.New(rand.NewPCG(1, 1))
	_, _, ok := d.Corrupt(rng)
	assert.False(t, ok, "nothing durable yet")

	d.Append("log", []byte("abcdef"))
	d.WriteFile("unsynced", []byte("zzz"))
	_, _, ok = d.Corrupt(rng)
	assert.False(t, ok, "unsynced data is not on the platter")

	h.Disk().Sync(0)
	require.NoError(t, h.World().Run(Second))
	d.Append("log", []byte("ghi")) // unsynced append on top of the durable part
	name, off, ok := d.Corrupt(rng)
	require.True(t, ok)
	got, _ := d.ReadFile(name)
	orig := map[string]string{"log": "abcdefghi", "unsynced": "zzz"}[name]
	require.Len(t, got, len(orig))
	diff := 0
	for i := range got {
		if got[i] != orig[i] {
			diff++
			assert.Equal(t, off, i)
			x := got[i] ^ orig[i]
			assert.Equal(t, byte(0), x&(x-1), "exactly one bit")
		}
	}
	assert.Equal(t, 1, diff, "reads see the flipped bit")
	h.Crash()
	after, _ := d.ReadFile(name)
	assert.Equal(t, got[:len(after)], after, "and it is durable")

	assert.Error(t, d.CorruptAt("nope", 0, 0))
	assert.Error(t, d.CorruptAt("log", 100, 0))
	assert.Error(t, d.CorruptAt("log", 0, 8))
	require.NoError(t, d.CorruptAt("log", 0, 0))
	b, _ := d.ReadFile("log")
	assert.False(t, bytes.Equal(after, b))
}

// TestCorruptHitsOnlySyncedData: Corrupt models bit rot in data a sync made
// durable. Bytes that reached the platter only because a crash let unsynced
// writes survive (keep-prefix, or the torn tail tear-last leaves) were never
// acknowledged, so recovery may rightly drop them as a torn tail; flipping a
// bit there proves nothing about fail-stop and must not happen.
func TestCorruptHitsOnlySyncedData(t *testing.T) {
	const syncedLog = "record-0;record-1;"
	tests := []struct {
		name string
		mode CrashMode
	}{
		{"keep-prefix", KeepPrefix},
		{"tear-last", TearLast},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			survived := 0
			for seed := range uint64(300) {
				w, h := diskHost(t, seed, HostConfig{CrashMode: tt.mode})
				d := h.Disk()
				d.Append("log", []byte(syncedLog))
				d.Sync(0)
				require.NoError(t, w.Run(w.Now()+Second))
				d.WriteFile("meta", []byte("never synced")) // survives whole or not at all
				for i := 2; i < 40; i++ {
					d.Append("log", fmt.Appendf(nil, "record-%d;", i))
				}
				h.Crash()
				if b, _ := d.ReadFile("log"); len(b) > len(syncedLog) {
					survived++
				}
				for k := range 20 {
					name, off, ok := d.Corrupt(rand.New(rand.NewPCG(seed, uint64(k))))
					require.True(t, ok)
					require.Equal(t, "log", name, "seed %d: the surviving WriteFile was never synced", seed)
					require.Less(t, off, len(syncedLog), "seed %d: flipped a bit in unsynced data that survived the crash", seed)
				}
			}
			require.Greater(t, survived, 100, "unsynced appends survive most crashes in this mode")
		})
	}

	t.Run("a later sync covers what survived", func(t *testing.T) {
		w, h := diskHost(t, 1, HostConfig{CrashMode: KeepPrefix})
		d := h.Disk()
		d.Append("log", []byte("a"))
		d.Sync(0)
		require.NoError(t, w.Run(w.Now()+Second))
		d.Append("log", []byte("bbbbbbbbbb"))
		d.Append("log", []byte("cccccccccc"))
		h.Crash()
		b, _ := d.ReadFile("log")
		h.Restart(0)
		require.NoError(t, w.Run(w.Now()+Second))
		d.Append("log", []byte("d"))
		d.Sync(0)
		require.NoError(t, w.Run(w.Now()+Second))
		seen := map[int]bool{}
		for k := range 200 {
			_, off, ok := d.Corrupt(rand.New(rand.NewPCG(1, uint64(k))))
			require.True(t, ok)
			seen[off] = true
		}
		assert.Len(t, seen, len(b)+1, "every byte of the file is synced now")
	})
}

func TestWipe(t *testing.T) {
	w, h := diskHost(t, 6, HostConfig{})
	h.Disk().Append("log", []byte("x"))
	h.Disk().Sync(0)
	require.NoError(t, w.Run(Second))
	h.Disk().Append("log", []byte("y"))
	h.Crash()
	h.Disk().Wipe()
	assert.Empty(t, h.Disk().List())
	h.Restart(0)
	require.NoError(t, w.Run(2*Second))
	assert.Empty(t, h.Disk().List())
}

func TestCrashModeSetters(t *testing.T) {
	w := newTestWorld(t, Config{Disk: DiskConfig{CrashMode: TearLast}})
	a := addRec(t, w, 1, HostConfig{Disk: true}, nil)
	b := addRec(t, w, 2, HostConfig{Disk: true, CrashMode: KeepPrefix}, nil)
	assert.Equal(t, TearLast, a.Disk().CrashMode(), "inherited from the config")
	assert.Equal(t, KeepPrefix, b.Disk().CrashMode())
	require.NoError(t, a.Disk().SetCrashMode(LoseUnsynced))
	assert.Equal(t, LoseUnsynced, a.Disk().CrashMode())
	assert.Error(t, a.Disk().SetCrashMode(0))
	assert.ErrorIs(t, w.Err(), ErrBadArgument)
}
