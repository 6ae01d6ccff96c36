package histories

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func roundTripCases() []struct {
	name string
	h    History
} {
	return []struct {
		name string
		h    History
	}{
		{"empty", History{}},
		{"awkward values", awkwardHistory()},
		{"5 nodes 10 clients no faults", simulateHistory(4000, 10, 5, false, 1)},
		{"5 nodes 10 clients with faults", simulateHistory(4000, 10, 5, true, 2)},
	}
}

// TestRoundTrip: every writable format reads back exactly what it wrote, is
// detected as itself, and writes the same bytes again.
func TestRoundTrip(t *testing.T) {
	for _, f := range []Format{JSONL, EDN} {
		for _, tc := range roundTripCases() {
			t.Run(f.String()+"/"+tc.name, func(t *testing.T) {
				require.NoError(t, Validate(tc.h), "the test history itself must be valid")
				var buf bytes.Buffer
				require.NoError(t, Write(&buf, tc.h, f))
				first := buf.String()

				// An empty EDN file is just empty: nothing to detect.
				asked := Auto
				if len(tc.h) == 0 {
					asked = f
				}
				got, detected, err := Read(strings.NewReader(first), "rt", asked)
				require.NoError(t, err)
				assert.Equal(t, f, detected)
				assert.Empty(t, Diff(tc.h, got))
				assert.Equal(t, len(tc.h), len(got))
				for i := range got {
					// Exact types too, not just EqualValues: []any{} stays non-nil, ints stay int64.
					require.Equal(t, tc.h[i], got[i], "op %d", i)
				}

				buf.Reset()
				require.NoError(t, Write(&buf, got, f))
				assert.Equal(t, first, buf.String(), "a second write must give the same bytes")
			})
		}
	}
}

// TestRoundTripAcrossFormats: jsonl → edn → jsonl loses nothing.
func TestRoundTripAcrossFormats(t *testing.T) {
	h := simulateHistory(2000, 10, 5, true, 3)
	var j, e bytes.Buffer
	require.NoError(t, Write(&j, h, JSONL))
	fromJ, _, err := Read(&j, "a.jsonl", JSONL)
	require.NoError(t, err)
	require.NoError(t, Write(&e, fromJ, EDN))
	fromE, _, err := Read(&e, "a.edn", EDN)
	require.NoError(t, err)
	assert.Empty(t, Diff(h, fromE))
}

// TestRealisticRunIsAllOK checks the shape the end-to-end acceptance expects
// of a fault-free run (every op completes ok) survives both formats.
func TestRealisticRunIsAllOK(t *testing.T) {
	h := simulateHistory(3000, 10, 5, false, 4)
	for _, f := range []Format{JSONL, EDN} {
		var buf bytes.Buffer
		require.NoError(t, Write(&buf, h, f))
		got, _, err := Read(&buf, "run", f)
		require.NoError(t, err)
		pairs, err := Pairs(got)
		require.NoError(t, err)
		require.NotEmpty(t, pairs)
		for _, p := range pairs {
			if p.Complete == nil {
				continue // the run ended with it in flight
			}
			assert.Equal(t, OK, p.Complete.Type, "%v", *p.Complete)
			assert.NotZero(t, p.Complete.Node)
		}
	}
}

func TestWriteRejectsWhatItCannotHold(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   Op
		want string
	}{
		{"int value", Op{Process: 0, Type: Invoke, F: "write", Value: 3}, "op 0: unsupported value type int"},
		{"float in list", Op{Process: 0, Type: Invoke, F: "write", Value: []any{1.5}}, "unsupported value type float64"},
		{"bad type", Op{Process: 0, Type: 9, F: "write"}, "op 0: invalid type 9"},
		{"bad process", Op{Process: -2, Type: Invoke, F: "write"}, "op 0: invalid process -2"},
		{"empty f", Op{Process: 0, Type: Invoke}, "op 0: empty f"},
		{"negative node", Op{Process: 0, Type: OK, F: "w", Node: -1}, "op 0: invalid node -1"},
		{"invalid utf-8", Op{Process: 0, Type: Invoke, F: "w", Value: "\xff"}, "not valid UTF-8"},
	} {
		for _, f := range []Format{JSONL, EDN} {
			t.Run(f.String()+"/"+tc.name, func(t *testing.T) {
				err := Write(&bytes.Buffer{}, History{tc.op}, f)
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
			})
		}
	}
	for _, f := range []Format{EtcdLog, KnossosKV} {
		err := Write(&bytes.Buffer{}, History{}, f)
		assert.ErrorIs(t, err, ErrReadOnly)
	}
}
