package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// diskStreamPrefix names each disk's stream: "disk/<addr>".
const diskStreamPrefix = "disk/"

// Disk is a host's durable storage: named files with write-then-sync
// semantics. Writes are visible to reads at once; they survive a crash only
// once a Sync issued after them has completed, except what the crash mode
// lets survive. It satisfies kvstore.Disk structurally.
//
// The model keeps two states: what reads see (visible) and what is on the
// platter (durable), plus the ordered list of writes in between.
type Disk struct {
	h           *Host
	rng         *rand.Rand
	visible     map[string][]byte
	durable     map[string][]byte
	pending     []pendingWrite
	seq         uint64 // sequence number of the last write
	syncLatency Time
	mode        CrashMode
	lastSync    Time // completion time of the latest sync: syncs finish in order

	// synced[name] is how many leading bytes of durable[name] a completed
	// sync made durable. The rest of a durable file (unsynced writes a crash
	// let survive: whole, or the torn tail of tear-last) was never
	// acknowledged to anyone until a later sync covers the file again.
	synced map[string]int
}

type pendingWrite struct {
	seq  uint64
	op   WriteOp
	name string
	data []byte // private copy
}

func newDisk(h *Host, rng *rand.Rand) *Disk {
	d := &Disk{h: h, rng: rng, visible: make(map[string][]byte), durable: make(map[string][]byte), synced: make(map[string]int)}
	d.syncLatency = d.defaultSyncLatency()
	d.mode = h.cfg.CrashMode
	if d.mode == 0 {
		d.mode = h.w.cfg.Disk.CrashMode
	}
	return d
}

func (d *Disk) defaultSyncLatency() Time {
	if d.h.cfg.SyncLatency > 0 {
		return d.h.cfg.SyncLatency
	}
	return d.h.w.cfg.Disk.SyncLatency
}

// ReadFile returns a copy of the file's contents and whether it exists.
func (d *Disk) ReadFile(name string) ([]byte, bool) {
	b, ok := d.visible[name]
	if !ok {
		return nil, false
	}
	return slices.Clone(b), true
}

// Append appends data to the file, creating it if needed.
func (d *Disk) Append(name string, data []byte) {
	if !d.writable() {
		return
	}
	v := append(d.visible[name], data...)
	d.visible[name] = v
	// The pending write's private copy is the tail just appended: visible
	// bytes are never written again (a file only grows, or is replaced by
	// a new array), and CorruptAt touches only the durable prefix of a file
	// with pending appends, so the tail stays exactly what was written.
	d.logWrite(OpAppend, name, v[len(v)-len(data):len(v):len(v)])
}

// WriteFile atomically replaces the file's contents: after a crash the old or
// the new contents survive, never a mix.
func (d *Disk) WriteFile(name string, data []byte) {
	if !d.write(OpWriteFile, name, data) {
		return
	}
	d.visible[name] = slices.Clone(data)
}

// Remove deletes the file; removing a missing file does nothing.
func (d *Disk) Remove(name string) {
	if _, ok := d.visible[name]; !ok {
		return
	}
	if !d.write(OpRemove, name, nil) {
		return
	}
	delete(d.visible, name)
}

// write logs an unsynced write of a private copy of data; false if the host
// is down or the bound is hit.
func (d *Disk) write(op WriteOp, name string, data []byte) bool {
	if !d.writable() {
		return false
	}
	d.logWrite(op, name, slices.Clone(data))
	return true
}

// writable reports whether a write may be logged: false, failing the run at
// the bound, if the host is down or too many writes are unsynced.
func (d *Disk) writable() bool {
	if !d.h.checkUp("disk write") {
		return false
	}
	if len(d.pending) >= d.h.w.cfg.Disk.MaxPendingWrites {
		d.h.w.fail(fmt.Errorf("%w: host %d: more than %d unsynced writes", ErrQueueFull, d.h.addr, d.h.w.cfg.Disk.MaxPendingWrites))
		return false
	}
	return true
}

// logWrite appends an unsynced write; cp must be the disk's own copy.
func (d *Disk) logWrite(op WriteOp, name string, cp []byte) {
	d.seq++
	d.pending = append(d.pending, pendingWrite{seq: d.seq, op: op, name: name, data: cp})
	d.h.w.trace.add(KindWrite, d.h.addr, 0, int64(op), int64(len(cp)))
}

// List returns the names of existing files, sorted.
func (d *Disk) List() []string {
	names := make([]string, 0, len(d.visible))
	for n := range d.visible {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Sync makes every write issued before it durable once the sync latency has
// passed, then calls the process's Fire(tag). Syncs complete in the order
// they were issued.
func (d *Disk) Sync(tag uint64) {
	h := d.h
	if !h.checkUp("sync") {
		return
	}
	at, ok := addTime(h.w.now, d.syncLatency)
	if !ok {
		h.w.fail(fmt.Errorf("%w: host %d: sync latency overflows virtual time", ErrBadArgument, h.addr))
		return
	}
	at = max(at, d.lastSync)
	d.lastSync = at
	s, ok := h.w.scheduleAt(at, evSync)
	if !ok {
		return
	}
	e := &h.w.q.slab[s]
	e.to, e.inc, e.tag, e.aux = int32(h.idx), h.inc, tag, d.seq
}

// persist makes every write up to watermark durable.
func (d *Disk) persist(watermark uint64) {
	i := 0
	for ; i < len(d.pending) && d.pending[i].seq <= watermark; i++ {
		p := &d.pending[i]
		d.apply(p, -1)
		if p.op == OpRemove {
			delete(d.synced, p.name)
		} else {
			d.synced[p.name] = len(d.durable[p.name])
		}
	}
	d.dropPending(i)
}

// dropPending forgets the first n pending writes.
func (d *Disk) dropPending(n int) {
	rest := copy(d.pending, d.pending[n:])
	clear(d.pending[rest:])
	d.pending = d.pending[:rest]
}

// apply makes one write durable; keep ≥ 0 keeps only that many bytes of an
// append (a torn write).
func (d *Disk) apply(p *pendingWrite, keep int) {
	switch p.op {
	case OpAppend:
		data := p.data
		if keep >= 0 {
			data = data[:keep]
		}
		d.durable[p.name] = append(d.durable[p.name], data...)
	case OpWriteFile:
		d.durable[p.name] = p.data // private copy, no longer shared
	case OpRemove:
		delete(d.durable, p.name)
	}
}

// crash resolves the unsynced writes by the crash mode and makes reads see
// only what survived. It returns how many writes were unsynced, how many
// survived whole, and how many bytes of a torn append survived.
func (d *Disk) crash() (unsynced, kept, torn int) {
	n := len(d.pending)
	if n > 0 && d.mode != LoseUnsynced {
		kept = d.rng.IntN(n + 1)
		if d.mode == TearLast && kept < n {
			if p := &d.pending[kept]; p.op == OpAppend && len(p.data) >= 2 {
				torn = 1 + d.rng.IntN(len(p.data)-1)
			}
		}
	}
	for i := range kept {
		p := &d.pending[i]
		d.apply(p, -1)
		// A surviving append leaves the synced prefix as it was; a surviving
		// replacement or removal leaves nothing of the file synced.
		if p.op != OpAppend {
			delete(d.synced, p.name)
		}
	}
	if torn > 0 {
		d.apply(&d.pending[kept], torn)
	}
	d.dropPending(n)
	d.visible = cloneFiles(d.durable)
	d.lastSync = 0
	return n, kept, torn
}

func cloneFiles(m map[string][]byte) map[string][]byte {
	c := make(map[string][]byte, len(m))
	for k, v := range m {
		c[k] = slices.Clone(v)
	}
	return c
}

// SetSyncLatency sets how long later syncs take; 0 restores the configured
// default. A negative value is returned and fails the run.
func (d *Disk) SetSyncLatency(t Time) error {
	if t < 0 {
		err := fieldErr("sync_latency", fmt.Sprintf("%v is negative", t))
		d.h.w.fail(fmt.Errorf("%w: host %d: %w", ErrBadArgument, d.h.addr, err))
		return err
	}
	if t == 0 {
		t = d.defaultSyncLatency()
	}
	d.syncLatency = t
	return nil
}

// SyncLatency returns the current sync latency.
func (d *Disk) SyncLatency() Time { return d.syncLatency }

// SetCrashMode sets what later crashes do to unsynced writes.
func (d *Disk) SetCrashMode(m CrashMode) error {
	if m < LoseUnsynced || m > TearLast {
		err := fieldErr("crash_mode", fmt.Sprintf("unknown mode %d", m))
		d.h.w.fail(fmt.Errorf("%w: host %d: %w", ErrBadArgument, d.h.addr, err))
		return err
	}
	d.mode = m
	return nil
}

// CrashMode returns the current crash mode.
func (d *Disk) CrashMode() CrashMode { return d.mode }

// Unsynced returns the number of writes not yet durable.
func (d *Disk) Unsynced() int { return len(d.pending) }

// CorruptAt flips one bit of durable data, as bit rot would. Reads see it
// too unless the file has unsynced writes other than appends (then the
// visible contents no longer derive from the durable ones).
func (d *Disk) CorruptAt(name string, offset int, bit uint) error {
	b, ok := d.durable[name]
	switch {
	case !ok:
		return fieldErr("name", fmt.Sprintf("no durable file %q", name))
	case offset < 0 || offset >= len(b):
		return fieldErr("offset", fmt.Sprintf("%d is outside [0,%d)", offset, len(b)))
	case bit > 7:
		return fieldErr("bit", fmt.Sprintf("%d is outside [0,7]", bit))
	}
	b[offset] ^= 1 << bit
	if d.visibleDerivesFromDurable(name) {
		d.visible[name][offset] ^= 1 << bit
	}
	d.h.w.trace.add(KindCorrupt, d.h.addr, 0, int64(offset), int64(bit))
	return nil
}

func (d *Disk) visibleDerivesFromDurable(name string) bool {
	if _, ok := d.visible[name]; !ok {
		return false
	}
	for i := range d.pending {
		if p := &d.pending[i]; p.name == name && p.op != OpAppend {
			return false
		}
	}
	return true
}

// Corrupt flips a random bit of synced data — bit rot in bytes a completed
// sync made durable — choosing the file and the byte with rng (the caller's
// stream, e.g. the nemesis's). Durable bytes no sync covered (unsynced writes
// a crash let survive, such as a torn tail) are never chosen: recovery may
// rightly drop them, so a flip there says nothing about fail-stop. ok is
// false when no synced data exists.
func (d *Disk) Corrupt(rng *rand.Rand) (name string, offset int, ok bool) {
	names := make([]string, 0, len(d.synced))
	for n, k := range d.synced {
		if k > 0 {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "", 0, false
	}
	slices.Sort(names)
	name = names[rng.IntN(len(names))]
	offset = rng.IntN(d.synced[name])
	if err := d.CorruptAt(name, offset, uint(rng.IntN(8))); err != nil {
		d.h.w.fail(fmt.Errorf("internal: %w", err))
		return "", 0, false
	}
	return name, offset, true
}

// Wipe erases everything, durable or not: the disk is as new.
func (d *Disk) Wipe() {
	clear(d.pending)
	d.pending = d.pending[:0]
	d.visible = make(map[string][]byte)
	d.durable = make(map[string][]byte)
	d.synced = make(map[string]int)
	d.h.w.trace.add(KindWipe, d.h.addr, 0, 0, 0)
}
