package options

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/clients"
)

func TestParseMix(t *testing.T) {
	cases := []struct {
		in, workload string
		want         []clients.Weight
		err          string
	}{
		{"", "kv", nil, ""},
		{"get=2,put=1,delete=0.5", "kv", []clients.Weight{{F: "get", Weight: 2}, {F: "put", Weight: 1}, {F: "delete", Weight: 0.5}}, ""},
		{" read=1 , cas=0 ", "register", []clients.Weight{{F: "read", Weight: 1}, {F: "cas", Weight: 0}}, ""},
		{"get", "kv", nil, "want OP=WEIGHT"},
		{"=1", "kv", nil, "want OP=WEIGHT"},
		{"cas=1", "kv", nil, `"cas" is not an operation of the kv workload`},
		{"get=1,get=2", "kv", nil, "appears twice"},
		{"get=-1", "kv", nil, "finite number ≥ 0"},
		{"get=NaN", "kv", nil, "finite number ≥ 0"},
		{"get=Inf", "kv", nil, "finite number ≥ 0"},
		{"get=x", "kv", nil, "finite number ≥ 0"},
		{"get=0,put=0", "kv", nil, "sum to 0"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseMix(c.in, c.workload)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}
