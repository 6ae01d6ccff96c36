package histories

// The digest is a fixed algorithm, so it is the same in every process and on
// every platform (hash/maphash is seeded per process): FNV-1a, 64 bits, over
// the bytes of strings; integers, lengths and tags are folded a word at a
// time by an xor, a multiply by an odd constant and an xorshift, each step a
// bijection of the running state.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	wordMul   = 0x9E3779B97F4A7C15
)

// Value tags in a digest, so values of different types never read alike.
const (
	valNil uint64 = iota + 1
	valInt
	valString
	valList
	valOther
)

// Digest returns a 64-bit digest of what op says: its process, type, f, key,
// value, node and error. Index and Time are left out: they are where and when
// the op happened, which a trace record carries apart. Ops that differ
// collide only by chance (about 2^-64); two that differ only in a number, or
// in a string or list of the same length, never do (those folding steps are
// bijections). The digest
// is the same in every process, so trace hashes that fold it in stay
// reproducible. It does not allocate.
func (op *Op) Digest() uint64 {
	h := uint64(fnvOffset)
	h = digestWord(h, uint64(int64(op.Process)))
	h = digestWord(h, uint64(op.Type))
	h = digestString(h, op.F)
	h = digestString(h, op.Key)
	h = digestValue(h, op.Value, 0)
	h = digestWord(h, uint64(int64(op.Node)))
	return digestString(h, op.Error)
}

// digestWord folds one 64-bit word.
func digestWord(h, v uint64) uint64 {
	h = (h ^ v) * wordMul
	return h ^ h>>32
}

// digestString folds s's length, then its bytes: "ab"+"c" and "a"+"bc" differ.
func digestString(h uint64, s string) uint64 {
	return fnv1a(digestWord(h, uint64(len(s))), s)
}

// fnv1a folds s's bytes, FNV-1a.
func fnv1a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// digestValue folds an Op.Value. A nil []any reads as an empty one, as
// EqualValues has it; nesting deeper than CheckValue allows is cut off.
func digestValue(h uint64, v any, depth int) uint64 {
	switch v := v.(type) {
	case nil:
		return digestWord(h, valNil)
	case int64:
		return digestWord(digestWord(h, valInt), uint64(v))
	case string:
		return digestString(digestWord(h, valString), v)
	case []any:
		h = digestWord(digestWord(h, valList), uint64(len(v)))
		if depth >= maxValueDepth {
			return h
		}
		for _, e := range v {
			h = digestValue(h, e, depth+1)
		}
		return h
	}
	return digestWord(h, valOther)
}
