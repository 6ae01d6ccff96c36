package histories

// interner hands out one string per distinct byte sequence, so that the names
// that repeat on every line (f, keys, error kinds, keywords) are allocated once
// per read rather than once per op.
type interner struct {
	// recent is a direct-mapped cache in front of m: most lookups hit it
	// without hashing the whole name.
	recent [256]string
	m      map[string]string
}

// maxInterned bounds the table: past it, strings are simply allocated.
const maxInterned = 4096

func (in *interner) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	slot := &in.recent[(len(b)*31+int(b[0])*7+int(b[len(b)-1]))&255]
	if *slot == string(b) {
		return *slot
	}
	if s, ok := in.m[string(b)]; ok {
		*slot = s
		return s
	}
	s := string(b)
	if in.m == nil {
		in.m = make(map[string]string, 64)
	}
	if len(in.m) < maxInterned {
		in.m[s] = s
		*slot = s
	}
	return s
}

// parseInt64 parses an optionally signed decimal integer without allocating.
// ok is false on an empty digit string, a non-digit or overflow.
func parseInt64(b []byte) (n int64, ok bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	// Accumulate negatively so that MinInt64 fits.
	const minInt64 = -1 << 63
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n < (minInt64+d)/10 {
			return 0, false
		}
		n = n*10 - d
	}
	if !neg {
		if n == minInt64 {
			return 0, false
		}
		n = -n
	}
	return n, true
}
