package maelstrom

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	m, h, err := Parse([]byte(`{"src":"c1","dest":"n0","body":{"type":"read","msg_id":0,"key":3}}`))
	require.NoError(t, err)
	assert.Equal(t, "c1", m.Src)
	assert.Equal(t, "n0", m.Dest)
	assert.Equal(t, "read", h.Type)
	id, ok := h.ID()
	assert.True(t, ok, "msg_id 0 is an id")
	assert.Equal(t, uint64(0), id)
	_, ok = h.ReplyTo()
	assert.False(t, ok)

	for _, tc := range []struct{ line, want string }{
		{`not json`, "not a JSON object"},
		{`[1,2]`, "not a JSON object"},
		{`{"src":1,"dest":"n0","body":{"type":"x"}}`, "not a JSON object with string src"},
		{`{"dest":"n0","body":{"type":"x"}}`, "missing or empty src"},
		{`{"src":"n1","body":{"type":"x"}}`, "missing or empty dest"},
		{`{"src":"n1","dest":"n0"}`, "body is not a JSON object"},
		{`{"src":"n1","dest":"n0","body":[1]}`, "body is not a JSON object"},
		{`{"src":"n1","dest":"n0","body":{"msg_id":1}}`, "body has no type"},
		{`{"src":"n1","dest":"n0","body":{"type":"x","msg_id":"one"}}`, "body:"},
		{`{"src":"n1","dest":"n0","body":{"type":"x","msg_id":-1}}`, "body:"},
	} {
		_, _, err := Parse([]byte(tc.line))
		require.Error(t, err, tc.line)
		assert.ErrorIs(t, err, ErrMalformed)
		assert.Contains(t, err.Error(), tc.want, tc.line)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	line, err := Encode("n0", "c2", NewError(7, TemporarilyUnavailable, "not\nthe leader"))
	require.NoError(t, err)
	assert.NotContains(t, string(line), "\n")
	m, h, err := Parse(line)
	require.NoError(t, err)
	assert.Equal(t, "n0", m.Src)
	assert.Equal(t, TypeError, h.Type)
	r, ok := h.ReplyTo()
	assert.True(t, ok)
	assert.Equal(t, uint64(7), r)
	_, err = Encode("n0", "c1", func() {})
	assert.Error(t, err)
}

func TestCodes(t *testing.T) {
	definite := map[Code]bool{1: true, 10: true, 11: true, 12: true, 14: true, 20: true, 21: true, 22: true, 30: true}
	for c := Code(-1); c < 1100; c++ {
		assert.Equal(t, definite[c], c.Definite(), "code %d", c)
	}
	assert.Equal(t, "temporarily-unavailable", TemporarilyUnavailable.String())
	assert.Equal(t, "timeout", Timeout.String())
	assert.Equal(t, "error-1001", Code(1001).String())
}

func TestIDs(t *testing.T) {
	assert.Equal(t, []string{"n0", "n1", "n2"}, NodeIDs(3))
	assert.Equal(t, "c4", ClientID(4))
	for _, tc := range []struct {
		id     string
		prefix byte
		n      int
		ok     bool
	}{
		{"n0", 'n', 0, true}, {"n12", 'n', 12, true}, {"c3", 'c', 3, true},
		{"n", 'n', 0, false}, {"n01", 'n', 0, false}, {"n-1", 'n', 0, false}, {"n+1", 'n', 0, false},
		{"c3", 'n', 0, false}, {"lin-kv", 'n', 0, false}, {"nx", 'n', 0, false},
	} {
		n, ok := ParseIndex(tc.id, tc.prefix)
		assert.Equal(t, tc.ok, ok, tc.id)
		if ok {
			assert.Equal(t, tc.n, n, tc.id)
		}
	}
}

func TestLineReader(t *testing.T) {
	long := strings.Repeat("y", 100)
	in := "a\r\nbb\n" + long + "\n" + "ccc\n" + strings.Repeat("z", 20) + "\ntail"
	lr := NewLineReader(strings.NewReader(in), 10)
	var got []string
	var tooLong int
	for range 20 {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, ErrLineTooLong) {
			tooLong++
			continue
		}
		require.NoError(t, err)
		got = append(got, string(line))
	}
	assert.Equal(t, []string{"a", "bb", "ccc", "tail"}, got)
	assert.Equal(t, 2, tooLong, "both long lines are reported and skipped")

	lr = NewLineReader(strings.NewReader(strings.Repeat("q", 200000)), 10)
	_, err := lr.Next()
	assert.ErrorIs(t, err, ErrLineTooLong, "a long unterminated tail")
	_, err = lr.Next()
	assert.ErrorIs(t, err, io.EOF)
}
