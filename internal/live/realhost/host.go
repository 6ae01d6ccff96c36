package realhost

import (
	"errors"
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/kvstore"
)

// maxDrain bounds the sync completions one Drain delivers: the server keeps
// at most one sync in flight, so a longer chain means it livelocks.
const maxDrain = 1 << 16

// Host is a kvstore.Env on the real machine. Create it with New.
type Host struct {
	addr  int
	start time.Time
	send  func(to int, msg any)
	disk  *FileDisk
	fired chan uint64
	done  []uint64 // sync completions not yet delivered
}

// New returns a host at address addr (the server's raft id) that sends
// through send and keeps its files in disk. timerQueue bounds the fired
// timers waiting for the owner (a timer that finds it full waits).
func New(addr int, disk *FileDisk, send func(to int, msg any), timerQueue int) (*Host, error) {
	if disk == nil {
		return nil, errors.New("realhost: nil disk")
	}
	if send == nil {
		return nil, errors.New("realhost: nil send function")
	}
	h := &Host{addr: addr, start: time.Now(), send: send, disk: disk, fired: make(chan uint64, max(timerQueue, 1))}
	disk.synced = func(tag uint64) { h.done = append(h.done, tag) }
	return h, nil
}

// Addr returns the host's address.
func (h *Host) Addr() int { return h.addr }

// Now returns the nanoseconds since the host was created, on the monotonic
// clock: it never steps back, whatever happens to the wall clock.
func (h *Host) Now() int64 { return int64(time.Since(h.start)) }

// Send hands msg to the send function.
func (h *Host) Send(to int, msg any) { h.send(to, msg) }

// After delivers tag on Timers after d nanoseconds.
func (h *Host) After(d int64, tag uint64) {
	time.AfterFunc(time.Duration(max(d, 0)), func() { h.fired <- tag })
}

// Disk returns the host's disk.
func (h *Host) Disk() kvstore.Disk { return h.disk }

// Timers delivers the tags of fired timers, for the owner to pass to the
// process's Fire.
func (h *Host) Timers() <-chan uint64 { return h.fired }

// Drain passes every completed sync to p.Fire, including syncs those calls
// request. Call it after every call into p.
func (h *Host) Drain(p kvstore.Process) error {
	for n := 0; len(h.done) > 0; n++ {
		if n >= maxDrain {
			return fmt.Errorf("realhost: more than %d sync completions in a row: the process syncs in a loop", maxDrain)
		}
		tag := h.done[0]
		h.done = h.done[1:]
		p.Fire(tag)
	}
	h.done = h.done[:0]
	return nil
}
