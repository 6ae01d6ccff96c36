package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pingPong runs two hosts bouncing a message n times, with the given trace
// writer, and returns the world.
func pingPong(t *testing.T, seed uint64, out *bytes.Buffer) *World {
	t.Helper()
	cfg := Config{Seed: seed}
	if out != nil {
		cfg.Trace = out
	}
	w := newTestWorld(t, cfg)
	bounce := func(p *recProc, from int, msg any) {
		if n := msg.(int); n > 0 {
			p.h.Send(from, n-1)
		}
	}
	for a := 1; a <= 2; a++ {
		_, err := w.AddHost(a, HostConfig{}, func(h *Host) (Process, error) {
			return &recProc{h: h, onRecv: bounce}, nil
		})
		require.NoError(t, err)
	}
	w.Host(1).Send(2, 20)
	require.NoError(t, w.Run(Second))
	return w
}

func TestTraceJSONLines(t *testing.T) {
	var out bytes.Buffer
	w := pingPong(t, 1, &out)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.EqualValues(t, w.Trace().Count(), len(lines))
	var kinds []string
	for _, l := range lines {
		var r struct {
			T    int64  `json:"t"`
			K    string `json:"k"`
			A, B int
			X, Y int64
		}
		require.NoError(t, json.Unmarshal([]byte(l), &r), l)
		kinds = append(kinds, r.K)
	}
	assert.Equal(t, []string{"restart", "restart", "send", "deliver", "send"}, kinds[:5])
	assert.Equal(t, "deliver", kinds[len(kinds)-1])
}

func TestTraceOutputDoesNotChangeTheHash(t *testing.T) {
	var out bytes.Buffer
	a := pingPong(t, 3, &out)
	b := pingPong(t, 3, nil)
	assert.Equal(t, a.Trace().Hash(), b.Trace().Hash())
	assert.NotEqual(t, a.Trace().Hash(), pingPong(t, 4, nil).Trace().Hash(), "the seed changes latencies")
}

func TestTraceHashSeesEveryField(t *testing.T) {
	base := Record{At: 5, Kind: KindCommit, A: 1, B: 2, X: 3, Y: 4}
	hashOf := func(r Record) uint64 {
		w := newTestWorld(t, Config{})
		w.now = r.At
		w.Trace().Emit(r.Kind, r.A, r.B, r.X, r.Y)
		return w.Trace().Hash()
	}
	h0 := hashOf(base)
	for i, r := range []Record{
		{At: 6, Kind: KindCommit, A: 1, B: 2, X: 3, Y: 4},
		{At: 5, Kind: KindApply, A: 1, B: 2, X: 3, Y: 4},
		{At: 5, Kind: KindCommit, A: 9, B: 2, X: 3, Y: 4},
		{At: 5, Kind: KindCommit, A: 1, B: 9, X: 3, Y: 4},
		{At: 5, Kind: KindCommit, A: 1, B: 2, X: 1 << 62, Y: 4},
		{At: 5, Kind: KindCommit, A: 1, B: 2, X: 3, Y: -4},
	} {
		assert.NotEqual(t, h0, hashOf(r), "variant %d", i)
	}
	assert.Equal(t, h0, hashOf(base))
}

func TestTraceSink(t *testing.T) {
	w := newTestWorld(t, Config{})
	var got []Record
	w.Trace().SetSink(func(r Record) { got = append(got, r) })
	w.After(3, func() { w.Trace().Emit(KindAnomaly, 2, 0, 7, 8) })
	require.NoError(t, w.Run(10))
	assert.Equal(t, []Record{
		{At: 3, Kind: KindCallback},
		{At: 3, Kind: KindAnomaly, A: 2, X: 7, Y: 8},
	}, got)
	w.Trace().SetSink(nil)
	w.Trace().Emit(KindUser+1, 0, 0, 0, 0)
	assert.Len(t, got, 2)
	assert.EqualValues(t, 3, w.Trace().Count())
}

// TestTraceSinkKinds: a sink that names kinds gets only those records, while
// the hash and the JSON Lines trace still see every one.
func TestTraceSinkKinds(t *testing.T) {
	var out bytes.Buffer
	w := newTestWorld(t, Config{Trace: &out})
	var got []Kind
	w.Trace().SetSink(func(r Record) { got = append(got, r.Kind) }, KindAnomaly, KindUser+70)
	w.After(3, func() {
		w.Trace().Emit(KindAnomaly, 2, 0, 7, 8)
		w.Trace().Emit(KindCommit, 2, 0, 7, 8)
		w.Trace().Emit(KindUser+70, 0, 0, 0, 0)
		w.Trace().Emit(KindUser+71, 0, 0, 0, 0)
	})
	require.NoError(t, w.Run(10))
	require.NoError(t, w.Trace().Flush())
	assert.Equal(t, []Kind{KindAnomaly, KindUser + 70}, got)
	assert.EqualValues(t, 5, w.Trace().Count(), "the callback and four emits")
	assert.Equal(t, 5, strings.Count(out.String(), "\n"), "the JSON Lines trace keeps every record")

	plain := newTestWorld(t, Config{})
	filtered := newTestWorld(t, Config{})
	plain.Trace().SetSink(func(Record) {})
	filtered.Trace().SetSink(func(Record) {}, KindCrash)
	for _, w := range []*World{plain, filtered} {
		w.After(1, func() { w.Trace().Emit(KindCommit, 1, 0, 1, 0) })
		require.NoError(t, w.Run(10))
	}
	assert.Equal(t, plain.Trace().Hash(), filtered.Trace().Hash(), "filtering the sink never changes the hash")
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestTraceWriteErrorFailsTheRun(t *testing.T) {
	w := newTestWorld(t, Config{Trace: failingWriter{}})
	w.After(1, func() {})
	assert.ErrorContains(t, w.Run(Second), "disk full")
}

func TestKindNames(t *testing.T) {
	assert.Equal(t, "deliver", KindDeliver.String())
	assert.Equal(t, "fault-start", KindFaultStart.String())
	assert.Equal(t, "user+3", (KindUser + 3).String())
	assert.Equal(t, "kind60", Kind(60).String())
	for k := KindSend; k <= KindNet; k++ {
		assert.NotContains(t, k.String(), "kind", "engine kind %d has a name", k)
	}
	for k := KindRole; k <= KindAnomaly; k++ {
		assert.NotContains(t, k.String(), "kind", "app kind %d has a name", k)
	}
}
