package kvstore

// Allocation helpers for the hot path. Messages and replies are handed to the
// network by pointer and may be held by the receiver, so they cannot be reused;
// carving them out of chunks turns one allocation per message into one per
// chunk. A chunk is freed by the collector once nothing points into it.

// slabChunk is the number of values per slab chunk.
const slabChunk = 256

// slab hands out pointers to fresh zero values of T.
type slab[T any] struct {
	chunk []T
}

// next returns a pointer to a zero T that nothing else refers to.
func (s *slab[T]) next() *T {
	if len(s.chunk) == cap(s.chunk) {
		s.chunk = make([]T, 0, slabChunk)
	}
	s.chunk = s.chunk[:len(s.chunk)+1]
	return &s.chunk[len(s.chunk)-1]
}

// arenaChunk is the size of one byte arena chunk; larger values get their own
// allocation so that one big value does not pin a chunk.
const arenaChunk = 32 << 10

// arena hands out immutable byte slices (proposal data kept by raft's log).
type arena struct {
	buf []byte
}

// clone returns a copy of b whose capacity ends at its length, so appending to
// it can never write into a neighbour.
func (a *arena) clone(b []byte) []byte {
	if len(b) > arenaChunk/8 {
		return append([]byte(nil), b...)
	}
	if cap(a.buf)-len(a.buf) < len(b) {
		a.buf = make([]byte, 0, arenaChunk)
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return a.buf[start:len(a.buf):len(a.buf)]
}
