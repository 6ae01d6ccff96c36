package raftcheck

import (
	"encoding/json"
	"fmt"

	"github.com/raftcheck/raftcheck/checker"
)

// ByteSize is a number of bytes that reads and writes as a size string
// ("4GiB", "512MiB") in results.json, as --check-memory takes it.
type ByteSize int64

// String writes b exactly in the largest binary unit that divides it
// ("4GiB", "1536MiB"), as checker.FormatBytes does.
func (b ByteSize) String() string { return checker.FormatBytes(int64(b)) }

// MarshalJSON writes b as a size string.
func (b ByteSize) MarshalJSON() ([]byte, error) { return json.Marshal(b.String()) }

// UnmarshalJSON accepts a size string (see checker.ParseBytes) or an integer
// number of bytes.
func (b *ByteSize) UnmarshalJSON(raw []byte) error {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		n, err := checker.ParseBytes(s)
		if err != nil {
			return fmt.Errorf("size %q: %w", s, err)
		}
		*b = ByteSize(n)
		return nil
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return fmt.Errorf("size: want a string like \"4GiB\" or an integer number of bytes, got %s", raw)
	}
	*b = ByteSize(n)
	return nil
}

// limit is b as checker.LinOptions.MemoryLimit takes it: Config's 0 (no
// bound) is the checker's negative.
func (b ByteSize) limit() int64 {
	if b == 0 {
		return -1
	}
	return int64(b)
}
