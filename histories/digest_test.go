package histories

import (
	"hash/fnv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDigestSeesEveryField: ops that differ in one field of what they say
// have different digests; Index and Time (where and when, which a trace
// record carries apart) do not change it.
func TestDigestSeesEveryField(t *testing.T) {
	base := Op{Index: 3, Process: 2, Type: OK, F: "put", Key: "k", Value: "v", Time: 7, Node: 1, Error: ""}
	tests := []struct {
		name   string
		change func(*Op)
		same   bool
	}{
		{"process", func(o *Op) { o.Process = 3 }, false},
		{"nemesis process", func(o *Op) { o.Process = NemesisProcess }, false},
		{"type", func(o *Op) { o.Type = Info }, false},
		{"f", func(o *Op) { o.F = "append" }, false},
		{"key", func(o *Op) { o.Key = "j" }, false},
		{"value", func(o *Op) { o.Value = "w" }, false},
		{"value nil", func(o *Op) { o.Value = nil }, false},
		{"value empty string", func(o *Op) { o.Value = "" }, false},
		{"value int", func(o *Op) { o.Value = int64(0) }, false},
		{"value list", func(o *Op) { o.Value = []any{"v"} }, false},
		{"node", func(o *Op) { o.Node = 2 }, false},
		{"error", func(o *Op) { o.Error = "timeout" }, false},
		{"f and key run together", func(o *Op) { o.F, o.Key = "putk", "" }, false},
		{"key and value run together", func(o *Op) { o.Key, o.Value = "kv", "" }, false},
		{"index", func(o *Op) { o.Index = 4 }, true},
		{"time", func(o *Op) { o.Time = 8 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := base
			tt.change(&op)
			if tt.same {
				assert.Equal(t, base.Digest(), op.Digest())
			} else {
				assert.NotEqual(t, base.Digest(), op.Digest())
			}
		})
	}
}

// TestDigestValues: values are told apart by type, order and nesting, and
// values EqualValues calls equal digest alike.
func TestDigestValues(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		same bool
	}{
		{"int and string", int64(1), "1", false},
		{"nil and empty list", nil, []any{}, false},
		{"nil list and empty list", []any(nil), []any{}, true},
		{"order", []any{int64(1), int64(2)}, []any{int64(2), int64(1)}, false},
		{"nesting", []any{[]any{int64(1)}, int64(2)}, []any{[]any{int64(1), int64(2)}}, false},
		{"split strings", []any{"ab", "c"}, []any{"a", "bc"}, false},
		{"equal lists", []any{int64(1), "x", nil}, []any{int64(1), "x", nil}, true},
		{"negative", int64(-1), int64(1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Op{F: "read", Value: tt.a}, Op{F: "read", Value: tt.b}
			assert.Equal(t, tt.same, EqualValues(tt.a, tt.b), "the case contradicts EqualValues")
			if tt.same {
				assert.Equal(t, a.Digest(), b.Digest())
			} else {
				assert.NotEqual(t, a.Digest(), b.Digest())
			}
		})
	}
}

// TestDigestIsFixed pins digests: they feed trace hashes, which must be the
// same in every process, on every platform and in every build until the
// algorithm is changed on purpose (then every pinned trace hash changes too).
func TestDigestIsFixed(t *testing.T) {
	tests := []struct {
		op   Op
		want uint64
	}{
		{Op{}, 0x85e0cd98e9a86eb1},
		{Op{Process: 1, Type: Invoke, F: "put", Key: "3", Value: "x 1 2 y"}, 0x3bb223a281c1fff4},
		{Op{Process: 0, Type: OK, F: "cas", Value: []any{int64(1), int64(2)}, Node: 4}, 0x16bd1c05bd028dbb},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.op.Digest(), "%v", tt.op)
	}
}

// TestDigestStringsAreFNV1a: strings are folded byte by byte as hash/fnv's
// FNV-1a does.
func TestDigestStringsAreFNV1a(t *testing.T) {
	for _, s := range []string{"", "a", "put", "x 1 2 y"} {
		want := fnv.New64a()
		_, _ = want.Write([]byte(s))
		assert.Equal(t, want.Sum64(), fnv1a(fnvOffset, s), "%q", s)
	}
}

// TestDigestDoesNotAllocate: the digest runs for every recorded op.
func TestDigestDoesNotAllocate(t *testing.T) {
	op := Op{Process: 0, Type: OK, F: "read", Key: "k", Value: []any{int64(1), "x", []any{nil}}, Node: 2, Error: "e"}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = op.Digest() }))
}
