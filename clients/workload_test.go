package clients

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/kvstore"
)

func newTestGenerator(t *testing.T, cfg Config, thread int, seed uint64) *generator {
	t.Helper()
	require.NoError(t, cfg.Validate())
	return newGenerator(&cfg, thread, rand.New(rand.NewPCG(seed, 7)))
}

func TestMixProportions(t *testing.T) {
	for _, tc := range []struct {
		workload string
		mix      []Weight
		want     map[string]float64
	}{
		{Register, nil, map[string]float64{"read": 1.0 / 3, "write": 1.0 / 3, "cas": 1.0 / 3}},
		{KV, nil, map[string]float64{"get": 0.5, "put": 0.1, "append": 0.4}},
		{Append, nil, map[string]float64{"append": 0.5, "read": 0.5}},
		{KV, []Weight{{"get", 3}, {"delete", 1}, {"put", 0}}, map[string]float64{"get": 0.75, "delete": 0.25}},
		{Register, []Weight{{"cas", 0}, {"read", 1}}, map[string]float64{"read": 1}},
	} {
		t.Run(tc.workload, func(t *testing.T) {
			cfg := testConfig(tc.workload)
			cfg.Mix = tc.mix
			g := newTestGenerator(t, cfg, 0, 1)
			const n = 60_000
			counts := map[string]int{}
			for i := range n {
				counts[g.next(0, uint64(i+1)).f]++
			}
			for f, p := range tc.want {
				// 4 standard deviations of a binomial proportion.
				tol := 4*math.Sqrt(p*(1-p)/n) + 1e-9
				assert.InDelta(t, p, float64(counts[f])/n, tol, "share of %s", f)
			}
			for f := range counts {
				assert.Contains(t, tc.want, f, "%s was never in the mix", f)
			}
		})
	}
}

func keyCounts(t *testing.T, cfg Config, n int) []int {
	g := newTestGenerator(t, cfg, 0, 2)
	counts := make([]int, cfg.Keys)
	for i := range n {
		s := g.next(0, uint64(i+1))
		k := 0
		for k < cfg.Keys && g.keyNames[k] != s.key {
			k++
		}
		require.Less(t, k, cfg.Keys, "key %q", s.key)
		assert.Equal(t, s.key, s.storeKey)
		counts[k]++
	}
	return counts
}

func TestUniformKeys(t *testing.T) {
	cfg := testConfig(KV)
	cfg.Keys = 8
	const n = 80_000
	for k, c := range keyCounts(t, cfg, n) {
		assert.InDelta(t, n/8, c, 4*math.Sqrt(n/8.0), "key %d", k)
	}
}

func TestZipfKeysAreSkewed(t *testing.T) {
	cfg := testConfig(Append)
	cfg.Keys, cfg.KeyDist, cfg.ZipfS = 10, Zipf, 1.5
	const n = 100_000
	counts := keyCounts(t, cfg, n)
	// P(k) ∝ (1+k)^-s.
	norm := 0.0
	for k := range counts {
		norm += math.Pow(float64(1+k), -cfg.ZipfS)
	}
	for k, c := range counts {
		p := math.Pow(float64(1+k), -cfg.ZipfS) / norm
		assert.InDelta(t, p, float64(c)/n, 4*math.Sqrt(p*(1-p)/n)+1e-3, "key %d", k)
		if k > 0 {
			assert.Less(t, c, counts[k-1], "key %d is rarer than key %d", k, k-1)
		}
	}
	assert.Greater(t, counts[0], 3*counts[len(counts)-1]*5)
}

func TestRegisterOps(t *testing.T) {
	cfg := testConfig(Register)
	g := newTestGenerator(t, cfg, 0, 3)
	seen := map[int64]bool{}
	for i := range 3000 {
		s := g.next(0, uint64(i+1))
		assert.Equal(t, "", s.key, "the register has no history key")
		assert.Equal(t, registerKey, s.storeKey)
		switch s.f {
		case "read":
			assert.Equal(t, kvstore.OpGet, s.kind)
			assert.Nil(t, s.value)
		case "write":
			v := s.value.(int64)
			seen[v] = true
			assert.Equal(t, kvstore.OpPut, s.kind)
			assert.Equal(t, itoa(v), s.arg)
		case "cas":
			ab := s.value.([]any)
			assert.Equal(t, kvstore.OpCAS, s.kind)
			assert.Equal(t, itoa(ab[0].(int64)), s.expected)
			assert.Equal(t, itoa(ab[1].(int64)), s.arg)
		default:
			t.Fatalf("unexpected f %q", s.f)
		}
	}
	assert.Equal(t, map[int64]bool{0: true, 1: true, 2: true, 3: true, 4: true}, seen, "values 0..4, like Jepsen's etcd test")
}

func TestKVValuesAreUniqueAndTraceable(t *testing.T) {
	cfg := testConfig(KV)
	cfg.Threads = 4
	seen := map[string]bool{}
	for thread := range cfg.Threads {
		g := newTestGenerator(t, cfg, thread, uint64(thread))
		process := thread
		for seq := uint64(1); seq <= 2000; seq++ {
			if seq == 1000 {
				process += cfg.Threads // a retired process's successor
			}
			s := g.next(process, seq)
			if s.f == "get" {
				continue
			}
			v := s.value.(string)
			assert.Equal(t, v, s.arg)
			assert.False(t, seen[v], "value %q repeats", v)
			seen[v] = true
			f := strings.Fields(v)
			require.Len(t, f, 4)
			assert.Equal(t, "x", f[0])
			assert.Equal(t, itoa(int64(process)), f[1])
			assert.Equal(t, "y", f[3])
		}
	}
	assert.Greater(t, len(seen), 3000)
}

func TestAppendValuesAreUnique(t *testing.T) {
	cfg := testConfig(Append)
	cfg.Threads = 5
	seen := map[int64]bool{}
	for thread := range cfg.Threads {
		g := newTestGenerator(t, cfg, thread, uint64(thread))
		for seq := uint64(1); seq <= 2000; seq++ {
			s := g.next(thread, seq)
			if s.f == "read" {
				assert.Equal(t, kvstore.OpGet, s.kind)
				continue
			}
			v := s.value.(int64)
			assert.False(t, seen[v], "value %d appended twice", v)
			seen[v] = true
			assert.Equal(t, kvstore.OpAppend, s.kind)
			assert.Equal(t, itoa(v)+" ", s.arg)
		}
	}
	assert.Greater(t, len(seen), 4000)
}

func TestParseList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []any
	}{
		{"", []any{}},
		{"7 ", []any{int64(7)}},
		{"1 22 333 ", []any{int64(1), int64(22), int64(333)}},
	} {
		got, err := parseList(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got)
	}
	for _, in := range []string{"1", "1 2", " ", "1  2 ", "a ", "1 x ", "99999999999999999999 "} {
		_, err := parseList(in)
		assert.ErrorIs(t, err, errBadResponse, "%q", in)
	}
}

func TestOKValues(t *testing.T) {
	for _, tc := range []struct {
		workload string
		f        string
		resp     kvstore.Response
		want     any
	}{
		{Register, "read", kvstore.Response{Found: false}, nil},
		{Register, "read", kvstore.Response{Found: true, Value: "3"}, int64(3)},
		{KV, "get", kvstore.Response{Found: false}, nil},
		{KV, "get", kvstore.Response{Found: true, Value: ""}, ""},
		{KV, "get", kvstore.Response{Found: true, Value: "x 1 2 yx 3 4 y"}, "x 1 2 yx 3 4 y"},
		{Append, "read", kvstore.Response{Found: false}, []any{}},
		{Append, "read", kvstore.Response{Found: true, Value: "4 9 "}, []any{int64(4), int64(9)}},
	} {
		cfg := testConfig(tc.workload)
		cfg.Mix = []Weight{{tc.f, 1}}
		g := newTestGenerator(t, cfg, 0, 1)
		s := g.next(0, 1)
		got, err := g.okValue(&s, &tc.resp)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%s %s %+v", tc.workload, tc.f, tc.resp)
	}
}

// TestReadListShares: an append-workload read that extends the thread's
// previous read of the key shares its elements; every read records exactly
// parseList's values, with no spare capacity, and later reads (shorter,
// divergent, malformed, other keys) never change what an earlier one
// recorded.
func TestReadListShares(t *testing.T) {
	g := newTestGenerator(t, testConfig(Append), 0, 1)
	reads := []struct {
		key, text string
		bad       bool
	}{
		{"a", "", false},
		{"a", "1 ", false},
		{"a", "1 2 3 ", false},
		{"b", "7 ", false},
		{"a", "1 2 ", false},     // stale: shorter
		{"a", "1 2 3 4 ", false}, // extends the longest
		{"a", "1 2 3 4 x ", true},
		{"a", "1 2 9 ", false}, // diverges
		{"a", "1 2 9 10 ", false},
		{"a", "1 2 3 4 5 ", false},
		{"a", "1 2 3 4 5", true}, // a token without its space
	}
	var got [][]any
	for _, r := range reads {
		vs, err := g.readList(r.key, r.text)
		if r.bad {
			assert.ErrorIs(t, err, errBadResponse, r.text)
			got = append(got, nil)
			continue
		}
		require.NoError(t, err, r.text)
		got = append(got, vs)
	}
	for i, r := range reads {
		if r.bad {
			continue
		}
		want, err := parseList(r.text)
		require.NoError(t, err)
		assert.Equal(t, want, got[i], "read %d %q", i, r.text)
		assert.Equal(t, len(got[i]), cap(got[i]), "read %d: no spare capacity", i)
		assert.NotNil(t, got[i], "read %d: an empty list is not nil", i)
	}
	assert.Same(t, &got[2][0], &got[4][0], "a stale read shares the elements")
	assert.NotSame(t, &got[5][0], &got[7][0], "a divergent read gets its own elements")
	assert.Equal(t, []any{int64(1), int64(2), int64(3), int64(4)}, got[5], "and leaves the earlier ones alone")

	// A thousand reads, each one element longer, share a few arrays.
	text := ""
	arrays := map[*any]bool{}
	for i := range 1000 {
		text += strconv.Itoa(i) + " "
		vs, err := g.readList("c", text)
		require.NoError(t, err)
		require.Len(t, vs, i+1)
		require.Equal(t, int64(i), vs[i])
		arrays[&vs[0]] = true
	}
	assert.Less(t, len(arrays), 20, "extensions share the elements")
}
