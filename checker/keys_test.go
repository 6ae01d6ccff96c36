package checker

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestLongKeysShortened: issue 15 part 5. A key is clipped in descriptions
// and explanations as a value is, so one long key cannot fill every line
// that names it; a short key is quoted whole.
func TestLongKeysShortened(t *testing.T) {
	long := strings.Repeat("k", 500)
	for _, s := range []string{
		describeKVOp(&linOp{kind: opGet, key: long, unknown: true}, nil),
		describeKVOp(&linOp{kind: opPut, key: long, str: "v"}, nil),
		describeAppendOp(&linOp{kind: opAppend, key: long, num: 1}, nil),
		withKey(long, "read() → 1"),
	} {
		assert.Contains(t, s, "…(502 bytes)", s)
		assert.Less(t, len(s), 120, s)
	}
	assert.Equal(t, `get("k1") → ?`, describeKVOp(&linOp{kind: opGet, key: "k1", unknown: true}, nil))
	assert.Equal(t, `"k1": x`, withKey("k1", "x"))
}
