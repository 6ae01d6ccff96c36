package histories

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseInt64(t *testing.T) {
	for _, s := range []string{"0", "-0", "+5", "42", "-42", "9223372036854775807", "-9223372036854775808", "007"} {
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := parseInt64([]byte(s))
		assert.True(t, ok, s)
		assert.NoError(t, err)
		assert.Equal(t, want, got, s)
	}
	for _, s := range []string{"", "-", "+", "9223372036854775808", "-9223372036854775809", "1a", "1.0", " 1", "99999999999999999999"} {
		_, ok := parseInt64([]byte(s))
		assert.False(t, ok, s)
	}
	n, _ := parseInt64([]byte("-9223372036854775808"))
	assert.Equal(t, int64(math.MinInt64), n)
}

func TestInternerIsBounded(t *testing.T) {
	var in interner
	for i := range maxInterned + 10 {
		assert.Equal(t, strconv.Itoa(i), in.get([]byte(strconv.Itoa(i))))
	}
	assert.Len(t, in.m, maxInterned)
}
