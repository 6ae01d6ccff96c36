package raft

import "encoding/binary"

// confChangeSize is the encoded size of a ConfChange: type byte + node id.
const confChangeSize = 9

// Marshal encodes cc as the Data of an EntryConfChange.
func (cc ConfChange) Marshal() []byte {
	b := make([]byte, confChangeSize)
	b[0] = byte(cc.Type)
	binary.BigEndian.PutUint64(b[1:], cc.NodeID)
	return b
}

// UnmarshalConfChange decodes the Data of an EntryConfChange.
func UnmarshalConfChange(data []byte) (ConfChange, error) {
	if len(data) != confChangeSize {
		return ConfChange{}, ErrInvalidConfChange
	}
	cc := ConfChange{Type: ConfChangeType(data[0]), NodeID: binary.BigEndian.Uint64(data[1:])}
	if cc.Type != AddNode && cc.Type != RemoveNode || cc.NodeID == None {
		return ConfChange{}, ErrInvalidConfChange
	}
	return cc, nil
}

// applyConfChange returns the voter set after cc, as a new slice (voter sets
// are immutable once published), and whether cc was valid for voters.
func applyConfChange(voters []uint64, cc ConfChange) ([]uint64, bool) {
	pos, found := searchID(voters, cc.NodeID)
	switch {
	case cc.Type == AddNode && !found:
		out := make([]uint64, 0, len(voters)+1)
		out = append(out, voters[:pos]...)
		out = append(out, cc.NodeID)
		return append(out, voters[pos:]...), true
	case cc.Type == RemoveNode && found && len(voters) > 1:
		out := make([]uint64, 0, len(voters)-1)
		out = append(out, voters[:pos]...)
		return append(out, voters[pos+1:]...), true
	}
	return voters, false
}

// searchID finds id in the sorted slice ids: its position, or where it would go.
func searchID(ids []uint64, id uint64) (int, bool) {
	lo, hi := 0, len(ids)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if ids[mid] < id {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(ids) && ids[lo] == id
}

// confPoint is the voter set in effect from index on.
type confPoint struct {
	index  uint64
	voters []uint64 // sorted, never mutated after publication
}

// membership is the configuration history of the log. A single-server change
// takes effect as soon as its entry is appended (Ongaro's dissertation §4.1),
// so the history must roll back when a conflicting suffix is truncated; the
// base point is the configuration at the snapshot (or the empty set before
// the bootstrap entries).
type membership struct {
	points []confPoint // points[0] is the base; indexes strictly increase
}

func (m *membership) reset(index uint64, voters []uint64) {
	m.points = append(m.points[:0], confPoint{index: index, voters: voters})
}

// voters is the configuration in effect now: the latest one in the log.
func (m *membership) voters() []uint64 { return m.points[len(m.points)-1].voters }

// lastIndex is the index of the latest configuration change (0 or the
// snapshot index if none is in the log).
func (m *membership) lastIndex() uint64 { return m.points[len(m.points)-1].index }

// at returns the configuration in effect at index.
func (m *membership) at(index uint64) []uint64 {
	for i := len(m.points) - 1; i > 0; i-- {
		if m.points[i].index <= index {
			return m.points[i].voters
		}
	}
	return m.points[0].voters
}

func (m *membership) push(index uint64, voters []uint64) {
	m.points = append(m.points, confPoint{index: index, voters: voters})
}

// truncateFrom forgets configuration changes at index ≥ i (their entries
// were replaced by a leader's). It reports whether anything changed.
func (m *membership) truncateFrom(i uint64) bool {
	k := len(m.points)
	for k > 1 && m.points[k-1].index >= i {
		k--
	}
	changed := k != len(m.points)
	m.points = m.points[:k]
	return changed
}

// compactTo makes the configuration at index the new base.
func (m *membership) compactTo(index uint64) {
	base := m.at(index)
	k := 0
	for k < len(m.points) && m.points[k].index <= index {
		k++
	}
	rest := m.points[k:]
	pts := make([]confPoint, 0, len(rest)+4)
	pts = append(pts, confPoint{index: index, voters: base})
	m.points = append(pts, rest...)
}
