package kvstore

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// snapshotVersion is the first byte of an encoded state-machine image.
const snapshotVersion = 1

// Session flags in a snapshot.
const (
	sessCached = 1 << iota
	sessFound
)

// sortedPairs returns the pairs ordered by key: the one order every replica shares.
func (m *machine) sortedPairs() []kvPair {
	out := slices.Clone(m.pairs)
	slices.SortFunc(out, func(a, b kvPair) int { return strings.Compare(a.key, b.key) })
	return out
}

// encode returns the machine's image: data sorted by key, then sessions from
// least to most recently used, so equal states encode to equal bytes.
func (m *machine) encode() []byte {
	pairs := m.sortedPairs()
	size := 1 + 2*binary.MaxVarintLen64
	for _, p := range pairs {
		size += 2*binary.MaxVarintLen32 + len(p.key) + len(p.value)
	}
	buf := make([]byte, 0, size+m.sessions.len()*(4*binary.MaxVarintLen64+2))
	buf = append(buf, snapshotVersion)
	buf = binary.AppendUvarint(buf, uint64(len(pairs)))
	for _, p := range pairs {
		buf = appendString(buf, p.key)
		buf = appendString(buf, p.value)
	}
	buf = binary.AppendUvarint(buf, uint64(m.sessions.len()))
	m.sessions.each(func(s *session) {
		buf = binary.AppendUvarint(buf, s.clientID)
		buf = binary.AppendUvarint(buf, s.lastSeq)
		buf = binary.AppendUvarint(buf, s.lastUsed)
		var flags byte
		if s.cached {
			flags |= sessCached
			if s.result.found {
				flags |= sessFound
			}
		}
		buf = append(buf, flags)
		if s.cached {
			buf = append(buf, byte(s.result.err))
			buf = appendString(buf, s.result.value)
		}
	})
	return buf
}

// restore replaces the machine's state with the image data. On error the
// machine is unchanged.
func (m *machine) restore(data []byte) error {
	fresh := newMachine(m.sessions.max, m.noDedup)
	if err := fresh.decode(data); err != nil {
		return err
	}
	fresh.expired = m.expired
	*m = *fresh
	return nil
}

func (m *machine) decode(data []byte) error {
	if len(data) == 0 {
		return errTruncated
	}
	if data[0] != snapshotVersion {
		return fmt.Errorf("kvstore: snapshot version %d, want %d", data[0], snapshotVersion)
	}
	d := decoder{buf: data[1:]}
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.buf)) {
		return fmt.Errorf("kvstore: snapshot claims %d keys in %d bytes", n, len(d.buf))
	}
	m.pairs = make([]kvPair, 0, n)
	var prev string
	for i := uint64(0); i < n && d.err == nil; i++ {
		k := string(d.bytes(maxCommandField))
		v := string(d.bytes(maxCommandField))
		if d.err != nil {
			break
		}
		if i > 0 && k <= prev {
			return fmt.Errorf("kvstore: snapshot keys out of order at key %d (%q after %q)", i, k, prev)
		}
		prev = k
		m.index[k] = int32(len(m.pairs))
		m.pairs = append(m.pairs, kvPair{key: k, value: v})
	}
	ns := d.uvarint()
	if d.err == nil && ns > uint64(len(d.buf)) {
		return fmt.Errorf("kvstore: snapshot claims %d sessions in %d bytes", ns, len(d.buf))
	}
	var lastUsed uint64
	for i := uint64(0); i < ns && d.err == nil; i++ {
		id, seq, used := d.uvarint(), d.uvarint(), d.uvarint()
		flags := d.byte()
		var r result
		cached := flags&sessCached != 0
		if cached {
			r.err = ErrKind(d.byte())
			r.value = string(d.bytes(maxCommandField))
			r.found = flags&sessFound != 0
		}
		if d.err != nil {
			break
		}
		if flags&^(sessCached|sessFound) != 0 || r.err > ErrSessionExpired {
			return fmt.Errorf("kvstore: snapshot session %d has bad flags %#x or error kind %d", i, flags, r.err)
		}
		if m.sessions.lookup(id) != nil {
			return fmt.Errorf("kvstore: snapshot has client %d twice", id)
		}
		if i > 0 && used <= lastUsed {
			return fmt.Errorf("kvstore: snapshot sessions out of order at session %d", i)
		}
		lastUsed = used
		// create expires the oldest if this node's bound is smaller than the
		// writer's; every replica shares one bound, so they still agree.
		s, _ := m.sessions.create(id, used)
		s.lastSeq, s.cached, s.result = seq, cached, r
	}
	if d.err != nil {
		return fmt.Errorf("kvstore: snapshot: %w", d.err)
	}
	if len(d.buf) != 0 {
		return fmt.Errorf("kvstore: snapshot has %d trailing bytes", len(d.buf))
	}
	return nil
}

// digest hashes the data (not the sessions) with FNV-1a over the keys in sorted
// order, each key and value framed as in a snapshot (length first), so that
// ("ab","c") and ("a","bc") differ. Replicas that applied the same log have
// equal digests.
func (m *machine) digest() uint64 {
	h := fnv.New64a()
	var buf []byte
	for _, p := range m.sortedPairs() {
		buf = appendString(appendString(buf[:0], p.key), p.value)
		h.Write(buf)
	}
	return h.Sum64()
}
