package kvstore

import (
	"math/rand/v2"
	"slices"
	"sort"
)

// memDisk is an in-memory Disk with crash semantics like sim.Disk: writes are
// visible at once and become durable when a Sync issued after them completes;
// a crash keeps the durable state plus, depending on the mode, a prefix of the
// unsynced writes and possibly a torn piece of the next append.
type memDisk struct {
	visible  map[string][]byte
	durable  map[string][]byte
	unsynced []diskWrite
	writeSeq uint64
	// onSync is called by Sync with the tag and the write sequence number the
	// sync covers; the test harness completes it later with complete(upTo).
	onSync func(tag, upTo uint64)
	syncs  int
}

type diskWrite struct {
	seq  uint64
	kind byte // 'a' append, 'w' write, 'r' remove
	name string
	data []byte
}

func newMemDisk() *memDisk {
	return &memDisk{visible: map[string][]byte{}, durable: map[string][]byte{}}
}

func (d *memDisk) ReadFile(name string) ([]byte, bool) {
	b, ok := d.visible[name]
	return slices.Clone(b), ok
}

func (d *memDisk) record(kind byte, name string, data []byte) {
	d.writeSeq++
	d.unsynced = append(d.unsynced, diskWrite{seq: d.writeSeq, kind: kind, name: name, data: slices.Clone(data)})
}

func (d *memDisk) Append(name string, data []byte) {
	// The map owns its slices (ReadFile and WriteFile copy), so growing one in
	// place is safe.
	d.visible[name] = append(d.visible[name], data...)
	d.record('a', name, data)
}

func (d *memDisk) WriteFile(name string, data []byte) {
	d.visible[name] = slices.Clone(data)
	d.record('w', name, data)
}

func (d *memDisk) Remove(name string) {
	delete(d.visible, name)
	d.record('r', name, nil)
}

func (d *memDisk) List() []string {
	names := make([]string, 0, len(d.visible))
	for n := range d.visible {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (d *memDisk) Sync(tag uint64) {
	d.syncs++
	if d.onSync == nil {
		d.complete(d.writeSeq)
		return
	}
	d.onSync(tag, d.writeSeq)
}

// complete makes every write up to sequence upTo durable.
func (d *memDisk) complete(upTo uint64) {
	n := 0
	for n < len(d.unsynced) && d.unsynced[n].seq <= upTo {
		applyWrite(d.durable, d.unsynced[n])
		n++
	}
	d.unsynced = slices.Delete(d.unsynced, 0, n)
}

func applyWrite(files map[string][]byte, w diskWrite) {
	switch w.kind {
	case 'a':
		files[w.name] = append(files[w.name], w.data...)
	case 'w':
		files[w.name] = slices.Clone(w.data)
	case 'r':
		delete(files, w.name)
	}
}

// crashMode says what survives of unsynced writes.
type crashMode int

const (
	loseUnsynced crashMode = iota
	keepPrefix             // a random prefix of the unsynced writes survives
	tearLast               // as keepPrefix, plus a strict prefix of the next append
)

// crash resolves unsynced writes as mode says; the disk then holds only what
// survived.
func (d *memDisk) crash(mode crashMode, rng *rand.Rand) {
	if mode != loseUnsynced && len(d.unsynced) > 0 {
		k := rng.IntN(len(d.unsynced) + 1)
		for _, w := range d.unsynced[:k] {
			applyWrite(d.durable, w)
		}
		if mode == tearLast && k < len(d.unsynced) {
			if w := d.unsynced[k]; w.kind == 'a' && len(w.data) > 1 {
				w.data = w.data[:1+rng.IntN(len(w.data)-1)]
				applyWrite(d.durable, w)
			}
		}
	}
	d.unsynced = nil
	d.visible = map[string][]byte{}
	for n, b := range d.durable {
		d.visible[n] = slices.Clone(b)
	}
}
