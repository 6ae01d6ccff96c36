package kvstore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestCodecRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		req  Request
	}{
		{"get", Request{ClientID: 1, Seq: 1, Op: OpGet, Key: "k"}},
		{"put", Request{ClientID: 7, Seq: 300, AckSeq: 299, Op: OpPut, Key: "key", Value: "v a l"}},
		{"append empty key", Request{ClientID: 1 << 62, Seq: 1 << 40, Op: OpAppend, Value: "x 1 2 y"}},
		{"cas", Request{ClientID: 3, Seq: 9, Op: OpCAS, Key: "r", Value: "4", Expected: "2"}},
		{"cas expects empty", Request{ClientID: 3, Seq: 9, Op: OpCAS, Key: "r", Value: "4"}},
		{"delete", Request{ClientID: 2, Seq: 2, AckSeq: 1, Op: OpDelete, Key: strings.Repeat("k", 300)}},
		{"binary value", Request{ClientID: 2, Seq: 2, Op: OpPut, Key: "\x00\xff", Value: "\x00\x01\x02"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := AppendRequest(nil, &tt.req)
			assert.LessOrEqual(t, len(data), encodedRequestSize(&tt.req))
			var got Request
			require.NoError(t, DecodeRequest(data, &got))
			assert.Equal(t, tt.req, got)
		})
	}
}

func TestRequestCodecNonCASDropsExpected(t *testing.T) {
	// Expected only means something for CAS, so it is not stored for others.
	data := AppendRequest(nil, &Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "k", Value: "v", Expected: "e"})
	var got Request
	require.NoError(t, DecodeRequest(data, &got))
	assert.Empty(t, got.Expected)
}

func TestDecodeRequestRejectsBadInput(t *testing.T) {
	good := AppendRequest(nil, &Request{ClientID: 1, Seq: 2, Op: OpCAS, Key: "k", Value: "v", Expected: "e"})
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "ends inside a field"},
		{"version", append([]byte{9}, good[1:]...), "version 9"},
		{"op zero", append([]byte{commandVersion, 0}, good[2:]...), "op 0"},
		{"op too big", append([]byte{commandVersion, byte(OpDelete + 1)}, good[2:]...), "op 6"},
		{"truncated", good[:len(good)-1], "ends inside a field"},
		{"trailing", append(append([]byte(nil), good...), 0), "trailing"},
		{"huge length", []byte{commandVersion, byte(OpPut), 1, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}, "exceeds the bound"},
		{"varint overflow", []byte{commandVersion, byte(OpPut), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, "overflows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			err := DecodeRequest(tt.data, &r)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestCommandDecodeAliasesData(t *testing.T) {
	data := AppendRequest(nil, &Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "k", Value: "value"})
	var c command
	require.NoError(t, c.decode(data))
	assert.Equal(t, "value", string(c.value))
	assert.Equal(t, len(c.value), cap(c.value), "a borrowed field must not be appendable into its neighbour")
	allocs := testing.AllocsPerRun(100, func() { _ = c.decode(data) })
	assert.Zero(t, allocs)
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add(AppendRequest(nil, &Request{ClientID: 1, Seq: 2, Op: OpCAS, Key: "k", Value: "v", Expected: "e"}))
	f.Add(AppendRequest(nil, &Request{ClientID: 1, Seq: 2, Op: OpGet, Key: "k"}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Request
		if err := DecodeRequest(data, &r); err != nil {
			return
		}
		again := AppendRequest(nil, &r)
		var r2 Request
		require.NoError(t, DecodeRequest(again, &r2))
		require.Equal(t, r, r2)
	})
}

func BenchmarkRequestEncode(b *testing.B) {
	req := Request{ClientID: 12, Seq: 3456, AckSeq: 3455, Op: OpAppend, Key: "key-7", Value: "x 12 3456 y"}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendRequest(buf[:0], &req)
	}
}

func BenchmarkRequestDecode(b *testing.B) {
	data := AppendRequest(nil, &Request{ClientID: 12, Seq: 3456, AckSeq: 3455, Op: OpAppend, Key: "key-7", Value: "x 12 3456 y"})
	var c command
	b.ReportAllocs()
	for b.Loop() {
		if err := c.decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// Attempt is transport only: every attempt of an operation proposes the same
// entry data, so the log, the state machine and their digests never see it.
func TestRequestCodecLeavesAttemptOut(t *testing.T) {
	first := Request{ClientID: 5, Seq: 3, AckSeq: 2, Op: OpCAS, Key: "k", Value: "v", Expected: "e", Attempt: 1}
	later := first
	later.Attempt = 9
	assert.Equal(t, AppendRequest(nil, &first), AppendRequest(nil, &later))
	var got Request
	require.NoError(t, DecodeRequest(AppendRequest(nil, &later), &got))
	first.Attempt = 0
	assert.Equal(t, first, got)
}
