package checker

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// byteUnits are the binary units FormatBytes writes, smallest first.
var byteUnits = []struct {
	name string
	size int64
}{{"B", 1}, {"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}}

// byteSuffixes maps every unit ParseBytes accepts (lower case) to its size:
// binary units in Go's GOMEMLIMIT spelling and Kubernetes' (Ki, Mi, ...),
// SI units (kB, MB, ...), and the bare letters docker takes as binary.
var byteSuffixes = map[string]float64{
	"": 1, "b": 1,
	"k": 1 << 10, "ki": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mi": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gi": 1 << 30, "gib": 1 << 30, "gb": 1e9,
	"t": 1 << 40, "ti": 1 << 40, "tib": 1 << 40, "tb": 1e12,
}

// ParseBytes reads a memory size: a non-negative number with an optional
// unit, e.g. "4GiB", "512MiB", "1.5 GiB", "2G" (binary), "800MB" (SI) or
// "1073741824" (bytes); "none" and "off" mean 0. Units are
// case-insensitive; a fraction of a byte is dropped.
func ParseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "none" || t == "off" {
		return 0, nil
	}
	end := len(t)
	for end > 0 && t[end-1] >= 'a' && t[end-1] <= 'z' {
		end--
	}
	num, unit := strings.TrimSpace(t[:end]), t[end:]
	size, ok := byteSuffixes[unit]
	if !ok || num == "" {
		return 0, fmt.Errorf("want a size like 4GiB, 512MiB or a number of bytes, got %q", s)
	}
	if i, err := strconv.ParseInt(num, 10, 64); err == nil && size == math.Trunc(size) {
		// Whole numbers stay exact: a float64 holds only 53 bits.
		if i < 0 {
			return 0, errors.New("a size must not be negative")
		}
		if n := int64(size); i > math.MaxInt64/n {
			return 0, fmt.Errorf("%q is too large", s)
		}
		return i * int64(size), nil
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || strings.ContainsAny(num, "xXpP_") || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("want a size like 4GiB, 512MiB or a number of bytes, got %q", s)
	}
	if v < 0 {
		return 0, errors.New("a size must not be negative")
	}
	b := v * size
	if b >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(b), nil
}

// FormatBytes writes n exactly, in the largest binary unit that divides it
// ("4GiB", "1536MiB", "1000"), so ParseBytes reads back the same n.
func FormatBytes(n int64) string {
	for u := len(byteUnits) - 1; u > 0; u-- {
		if n != 0 && n%byteUnits[u].size == 0 {
			return strconv.FormatInt(n/byteUnits[u].size, 10) + byteUnits[u].name
		}
	}
	return strconv.FormatInt(n, 10)
}

// MinMemoryLimit is the smallest memory bound the CLI accepts: below it the
// process's own heap (the history, the simulation) would stop every search
// at once, and a bare "4" most likely meant 4GiB rather than 4 bytes.
const MinMemoryLimit int64 = 16 << 20
