package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// internBase is the first number given to a string that is not a small
// decimal. Below it, a decimal string is sent as its own number.
const internBase = 1 << 24

// maxInterned bounds the interned strings: every number sent stays below
// 2^31, which fits any integer type a node written by others may use.
const maxInterned = 1<<31 - internBase

// codec maps raftcheck's string keys and values to the JSON numbers sent
// to nodes, and back. Maelstrom's own lin-kv workload sends non-negative
// integer keys and integer values, and nodes in typed languages parse
// exactly that, so the harness sends integers only:
//   - a decimal string in [0, 2^24) without leading zeros is its number
//     ("3" ↔ 3): the register workload's values and the kv workload's keys;
//   - any other string is interned: the first gets 2^24, the next 2^24+1,
//     ... in order of first use (the register's key "register", the kv
//     workload's unique values "x 3 17 y").
//
// A number a node returns that was never sent decodes to a marker that is
// no value raftcheck writes, so the checker sees a value nobody wrote.
// The codec belongs to the harness's single loop.
type codec struct {
	ids  map[string]int64
	strs []string
}

func newCodec() *codec { return &codec{ids: map[string]int64{}} }

// encode returns the JSON number for s.
func (c *codec) encode(s string) (json.RawMessage, error) {
	if n, ok := smallDecimal(s); ok {
		return strconv.AppendInt(nil, n, 10), nil
	}
	id, ok := c.ids[s]
	if !ok {
		if len(c.strs) >= maxInterned {
			return nil, fmt.Errorf("live: more than %d distinct non-numeric keys and values", maxInterned)
		}
		id = internBase + int64(len(c.strs))
		c.ids[s] = id
		c.strs = append(c.strs, s)
	}
	return strconv.AppendInt(nil, id, 10), nil
}

// decode returns the string a node's JSON value stands for. ok is false for
// JSON null (a missing value).
func (c *codec) decode(raw json.RawMessage) (s string, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		switch {
		case n >= 0 && n < internBase:
			return strconv.FormatInt(n, 10), true
		case n >= internBase && n-internBase < int64(len(c.strs)):
			return c.strs[n-internBase], true
		}
	}
	// Not a number the harness sent (a float, a string, an unknown id):
	// keep its text behind a prefix no written value has.
	return "?unwritten " + string(raw), true
}

// smallDecimal parses a canonical decimal in [0, internBase).
func smallDecimal(s string) (int64, bool) {
	if s == "" || len(s) > 8 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, false // signs and spaces included: one number, one spelling
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n >= internBase {
		return 0, false
	}
	return n, true
}
