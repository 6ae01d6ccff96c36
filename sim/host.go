package sim

import (
	"errors"
	"fmt"
	"strconv"
)

// Host is an addressable endpoint running one Process: a Raft server (address
// = raft id, 1..N) or a client (address ≥ 1000 by convention). It owns the
// process's lifecycle (crash, restart, pause), its local clock and its disk.
type Host struct {
	w          *World
	idx        int
	addr       int
	cfg        HostConfig
	start      func(*Host) (Process, error)
	proc       Process
	alive      bool
	paused     bool
	inc        uint64 // incarnation: bumped at every start attempt
	restartTok uint64 // only the latest Restart's event acts
	downReason error
	clock      Clock
	disk       *Disk
	held       []heldItem // FIFO of what arrived while paused
	heldHead   int
	heldMsgs   int // messages in held, against NetConfig.PausedQueue
	draining   bool
}

// AddHost adds a host at addr (1..MaxAddr) and starts its process: start
// builds it from the host's disk, and is called again after every restart. If
// start fails, the host is added anyway, down, with DownReason set, and the
// error is returned too (a fresh disk should not be refused; a test harness
// wants to know).
func (w *World) AddHost(addr int, cfg HostConfig, start func(h *Host) (Process, error)) (*Host, error) {
	if addr < 1 || addr > MaxAddr {
		return nil, fieldErr("addr", fmt.Sprintf("%d is outside [1,%d]", addr, MaxAddr))
	}
	if w.hostIndex(addr) >= 0 {
		return nil, fieldErr("addr", fmt.Sprintf("%d is already taken", addr))
	}
	if start == nil {
		return nil, fieldErr("start", "nil start function")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Host{w: w, idx: len(w.hosts), addr: addr, cfg: cfg, start: start}
	h.clock.init(h, cfg.ClockOffset, cfg.ClockDriftPPM)
	if cfg.Disk {
		rng, err := w.Stream(diskStreamPrefix + strconv.Itoa(addr))
		if err != nil {
			return nil, err
		}
		h.disk = newDisk(h, rng)
	}
	for len(w.index) <= addr {
		w.index = append(w.index, 0)
	}
	w.index[addr] = int32(h.idx + 1)
	w.hosts = append(w.hosts, h)
	i := len(w.byAddr)
	for i > 0 && w.byAddr[i-1].addr > addr {
		i--
	}
	w.byAddr = append(w.byAddr, nil)
	copy(w.byAddr[i+1:], w.byAddr[i:])
	w.byAddr[i] = h
	w.net.grow()
	if !h.boot() {
		return h, h.downReason
	}
	return h, nil
}

// boot starts a new incarnation from the disk; false if start refused.
func (h *Host) boot() bool {
	h.inc++
	h.alive = true
	h.downReason = nil
	proc, err := h.start(h)
	if err == nil && proc == nil {
		err = errors.New("start returned no process")
	}
	if err != nil || !h.alive {
		if err == nil {
			err = errors.New("crashed during start")
		}
		h.w.trace.add(KindRestart, h.addr, 0, int64(h.inc), 1)
		h.goDown()
		h.downReason = fmt.Errorf("sim: host %d: start: %w", h.addr, err)
		return false
	}
	h.proc = proc
	h.w.trace.add(KindRestart, h.addr, 0, int64(h.inc), 0)
	return true
}

// Addr returns the host's address.
func (h *Host) Addr() int { return h.addr }

// World returns the world the host lives in.
func (h *Host) World() *World { return h.w }

// Now reads the host's local clock.
func (h *Host) Now() Time { return h.clock.Local(h.w.now) }

// Clock returns the host's local clock.
func (h *Host) Clock() *Clock { return &h.clock }

// Disk returns the host's disk, or nil for a diskless host.
func (h *Host) Disk() *Disk { return h.disk }

// Process returns the running process, or nil while the host is down.
func (h *Host) Process() Process { return h.proc }

// Alive reports whether a process is running (possibly paused).
func (h *Host) Alive() bool { return h.alive }

// Paused reports whether the host is paused.
func (h *Host) Paused() bool { return h.paused }

// Incarnation counts start attempts: 1 for the first process, +1 per restart.
func (h *Host) Incarnation() uint64 { return h.inc }

// DownReason returns why the host is down if its last start failed, else nil.
func (h *Host) DownReason() error { return h.downReason }

// checkUp fails the run if the host's process acts while it is down.
func (h *Host) checkUp(op string) bool {
	if h.alive {
		return true
	}
	h.w.fail(fmt.Errorf("%w: host %d: %s after crash", ErrHostDown, h.addr, op))
	return false
}

// Send sends msg to the host at address to through the network.
func (h *Host) Send(to int, msg any) {
	if !h.checkUp("send") {
		return
	}
	ti := h.w.hostIndex(to)
	if ti < 0 {
		h.w.fail(fmt.Errorf("%w: host %d sent to %d", ErrUnknownAddress, h.addr, to))
		return
	}
	h.w.net.send(h.idx, ti, h.addr, to, msg)
}

// After arranges Process.Fire(tag) once the local clock has advanced by d.
// Drift changes how much global time that takes; later offset changes do not
// move the timer. The timer dies if the host crashes first; if the host is
// paused when it is due, it fires on resume.
func (h *Host) After(d Time, tag uint64) {
	if !h.checkUp("timer") {
		return
	}
	if d < 0 {
		h.w.fail(fmt.Errorf("%w: host %d: timer with negative delay %v", ErrBadArgument, h.addr, d))
		return
	}
	s, ok := h.w.schedule(h.clock.globalDelay(d), evTimer)
	if !ok {
		return
	}
	e := &h.w.q.slab[s]
	e.to, e.inc, e.tag = int32(h.idx), h.inc, tag
}

// Crash kills the process: its volatile state, pending timers, sync
// completions and held messages are gone, messages to it are dropped until it
// restarts, and its disk keeps what the crash mode lets survive. Crashing a
// down host does nothing.
func (h *Host) Crash() {
	if !h.alive {
		return
	}
	h.goDown()
}

// goDown is the common part of a crash and a failed start.
func (h *Host) goDown() {
	var unsynced, kept, torn int
	if h.disk != nil {
		unsynced, kept, torn = h.disk.crash()
	}
	h.w.trace.add(KindCrash, h.addr, 0, int64(unsynced), int64(kept)<<32|int64(torn))
	h.alive = false
	h.paused = false
	h.proc = nil
	h.draining = false
	for i := h.heldHead; i < len(h.held); i++ {
		it := &h.held[i]
		if it.kind == HeldMessage {
			h.w.net.stats.Held--
			h.w.net.stats.DroppedDead++
			h.w.trace.add(KindDrop, h.w.hosts[it.from].addr, h.addr, int64(DropDead), int64(it.mkind))
		}
	}
	h.clearHeld()
}

// Restart crashes the host if it is up, then after delay starts a new process
// from the disk. If start fails the host stays down with DownReason set — a
// node refusing a corrupt disk is fail-stop, not a simulator failure. A later
// Restart supersedes a pending one.
func (h *Host) Restart(delay Time) {
	if delay < 0 {
		h.w.fail(fmt.Errorf("%w: host %d: restart with negative delay %v", ErrBadArgument, h.addr, delay))
		return
	}
	h.Crash()
	h.restartTok++
	s, ok := h.w.schedule(delay, evRestart)
	if !ok {
		return
	}
	e := &h.w.q.slab[s]
	e.to, e.aux = int32(h.idx), h.restartTok
}

// hostEvent runs a host-bound event; false if it was stale.
func (w *World) hostEvent(at Time, s uint32) bool {
	e := &w.q.slab[s]
	kind, h, inc, tag, aux := e.kind, w.hosts[e.to], e.inc, e.tag, e.aux
	w.q.release(s)
	switch kind {
	case evTimer:
		if !h.alive || inc != h.inc || !w.advance(at) {
			return false
		}
		if h.paused || h.heldLen() > 0 {
			h.holdFire(HeldTimer, tag)
			return true
		}
		w.trace.add(KindTimer, h.addr, 0, int64(tag), 0)
		h.proc.Fire(tag)
	case evSync:
		if !h.alive || inc != h.inc || !w.advance(at) {
			return false
		}
		h.disk.persist(aux)
		if h.paused || h.heldLen() > 0 {
			h.holdFire(HeldSync, tag)
			return true
		}
		w.trace.add(KindSync, h.addr, 0, int64(tag), int64(aux))
		h.proc.Fire(tag)
	case evDrain:
		if !h.alive || inc != h.inc || !w.advance(at) {
			return false
		}
		h.drainOne()
	case evRestart:
		if aux != h.restartTok || h.alive || !w.advance(at) {
			return false
		}
		h.boot()
	default:
		w.fail(fmt.Errorf("internal: event of kind %d in the queue", kind))
		return false
	}
	return true
}
