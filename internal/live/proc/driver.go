package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
)

// ErrDown is returned by Send to a node that is not running.
var ErrDown = errors.New("node is not running")

// ErrQueueFull is returned by Send when the node's stdin queue is full: the
// node does not read its input (it is stopped, or stuck).
var ErrQueueFull = errors.New("node's stdin queue is full")

// Driver runs the node processes. Its methods must be called from one
// goroutine (the harness's loop); the events come from goroutines of its
// own, on Events.
type Driver struct {
	cfg     Config
	bin     string
	ids     []string
	events  chan Event
	quit    chan struct{} // closed by Close: every goroutine of the driver exits
	procs   []*process
	incs    []uint64
	msgID   atomic.Uint64 // init msg_ids
	spawn   *spawner
	closed  bool
	backlog []Event // events StartAll read past, handed out by Backlog
	wg      sync.WaitGroup
}

// New checks cfg, resolves the binary and creates the run directory. It
// starts nothing.
func New(cfg Config) (*Driver, error) {
	cfg = cfg.withDefaults()
	if !supported {
		return nil, fmt.Errorf("proc: %w", errNoGroups)
	}
	if cfg.Nodes < 1 || cfg.Nodes > MaxNodes {
		return nil, fmt.Errorf("proc: Nodes: must be in [1, %d], got %d", MaxNodes, cfg.Nodes)
	}
	if cfg.RunDir == "" {
		return nil, errors.New("proc: RunDir: no run directory given")
	}
	bin, err := resolveBin(cfg.Bin)
	if err != nil {
		return nil, err
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return nil, fmt.Errorf("proc: Bin: %w", err)
	}
	if err := os.MkdirAll(cfg.RunDir, 0o755); err != nil {
		return nil, fmt.Errorf("proc: RunDir: %w", err)
	}
	if cfg.NodeDir == "" {
		cfg.NodeDir = cfg.RunDir
	}
	if err := os.MkdirAll(cfg.NodeDir, 0o755); err != nil {
		return nil, fmt.Errorf("proc: NodeDir: %w", err)
	}
	return &Driver{
		cfg:    cfg,
		bin:    bin,
		ids:    maelstrom.NodeIDs(cfg.Nodes),
		events: make(chan Event, cfg.EventQueue),
		quit:   make(chan struct{}),
		procs:  make([]*process, cfg.Nodes),
		incs:   make([]uint64, cfg.Nodes),
		spawn:  newSpawner(),
	}, nil
}

// Events delivers what the nodes do. Read Backlog first after StartAll.
func (d *Driver) Events() <-chan Event { return d.events }

// Backlog returns, once, the events StartAll read while it waited for the
// nodes to be ready (lines of nodes that were ready early, faults).
func (d *Driver) Backlog() []Event {
	b := d.backlog
	d.backlog = nil
	return b
}

// NodeDir returns node i's working directory.
func (d *Driver) NodeDir(i int) string { return filepath.Join(d.cfg.NodeDir, d.ids[i]) }

// LogPath returns the file node i's stderr goes to.
func (d *Driver) LogPath(i int) string {
	return filepath.Join(d.cfg.RunDir, d.ids[i]+".stderr.log")
}

// Incarnation returns node i's current incarnation (0: never started).
func (d *Driver) Incarnation(i int) uint64 { return d.incs[i] }

// Running reports whether node i's current process has not exited.
func (d *Driver) Running(i int) bool {
	p := d.procs[i]
	return p != nil && !p.exited()
}

// Pid returns the process id of node i's current process (0 if none).
func (d *Driver) Pid(i int) int {
	if p := d.procs[i]; p != nil {
		return p.pid
	}
	return 0
}

func (d *Driver) check(i int) error {
	if d.closed {
		return errors.New("proc: driver is closed")
	}
	if i < 0 || i >= len(d.procs) {
		return fmt.Errorf("proc: node %d out of range [0, %d)", i, len(d.procs))
	}
	return nil
}

// Start starts node i and sends it init; Ready, InitFailed or Exited
// follows on Events. The node must not be running.
func (d *Driver) Start(i int) error {
	if err := d.check(i); err != nil {
		return err
	}
	if d.Running(i) {
		return fmt.Errorf("proc: start %s: it is running (pid %d)", d.ids[i], d.procs[i].pid)
	}
	d.incs[i]++
	p, err := d.startProcess(i, d.incs[i])
	if err != nil {
		return err
	}
	d.procs[i] = p
	return nil
}

// StartAll starts every node and waits until all are ready: an error names
// the first node that exited, refused init or did not answer in time. Events
// read meanwhile that belong to the run are kept for Backlog.
func (d *Driver) StartAll(ctx context.Context) error {
	for i := range d.procs {
		if err := d.Start(i); err != nil {
			return err
		}
	}
	ready := 0
	for ready < len(d.procs) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("proc: waiting for init_ok: %w", ctx.Err())
		case ev := <-d.events:
			switch ev.Kind {
			case Ready:
				ready++
			case Exited:
				return fmt.Errorf("proc: %s exited before it was ready (%v)%s", d.ids[ev.Node], ev.Err, d.stderrTail(ev.Node))
			case InitFailed:
				return fmt.Errorf("proc: %s: %w%s", d.ids[ev.Node], ev.Err, d.stderrTail(ev.Node))
			default:
				d.backlog = append(d.backlog, ev)
			}
		}
	}
	return nil
}

// Send queues line (one message, without its newline) for node i's stdin.
// The driver keeps line: the caller must not change it afterwards.
func (d *Driver) Send(i int, line []byte) error {
	if err := d.check(i); err != nil {
		return err
	}
	p := d.procs[i]
	if p == nil || p.exited() {
		return fmt.Errorf("proc: send to %s: %w", d.ids[i], ErrDown)
	}
	select {
	case p.stdin <- line:
		return nil
	default:
		return fmt.Errorf("proc: send to %s: %w (%d lines)", d.ids[i], ErrQueueFull, cap(p.stdin))
	}
}

// Kill sends SIGKILL to node i's process group. Its Exited event follows.
func (d *Driver) Kill(i int) error {
	if err := d.check(i); err != nil {
		return err
	}
	p := d.procs[i]
	if p == nil || p.exited() {
		return nil
	}
	return p.signal(sigKill)
}

// Restart kills node i (if it runs), waits for it to be reaped (at most
// KillTimeout) and starts it again in the same directory.
func (d *Driver) Restart(i int) error {
	if err := d.check(i); err != nil {
		return err
	}
	if p := d.procs[i]; p != nil {
		if err := p.signal(sigKill); err != nil {
			return err
		}
		if !p.waitDone(d.cfg.KillTimeout) {
			return fmt.Errorf("proc: restart %s: pid %d was not reaped within %v of SIGKILL", d.ids[i], p.pid, d.cfg.KillTimeout)
		}
	}
	return d.Start(i)
}

// Pause stops node i's process group (SIGSTOP).
func (d *Driver) Pause(i int) error { return d.signalNode(i, sigStop) }

// Resume continues node i's process group (SIGCONT).
func (d *Driver) Resume(i int) error { return d.signalNode(i, sigCont) }

func (d *Driver) signalNode(i int, sig sigKind) error {
	if err := d.check(i); err != nil {
		return err
	}
	p := d.procs[i]
	if p == nil || p.exited() {
		return fmt.Errorf("proc: %s %s: %w", sig, d.ids[i], ErrDown)
	}
	return p.signal(sig)
}

// Close kills every process group, waits for every process to be reaped
// (at most KillTimeout in all) and stops the driver's goroutines. It is
// safe to call more than once; the error names processes that were not
// reaped in time.
func (d *Driver) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	for _, p := range d.procs {
		if p != nil {
			_ = p.signal(sigKill)
			// A stopped process dies of SIGKILL too; SIGCONT is not needed.
		}
	}
	// Nobody takes events any more: let every goroutine blocked on the
	// event channel go.
	close(d.quit)
	deadline := time.Now().Add(d.cfg.KillTimeout)
	var errs []error
	for _, p := range d.procs {
		if p != nil && !p.waitDone(time.Until(deadline)) {
			errs = append(errs, fmt.Errorf("proc: %s (pid %d) was not reaped within %v of SIGKILL", d.ids[p.node], p.pid, d.cfg.KillTimeout))
		}
	}
	if len(errs) == 0 {
		// Bounded: every reader and writer ends once its process is
		// reaped (waitLoop closes their pipes if nothing else does).
		d.wg.Wait()
	}
	d.spawn.stop()
	return errors.Join(errs...)
}

// emit hands an event to the owner unless the driver is closing.
func (d *Driver) emit(ev Event) {
	select {
	case d.events <- ev:
	case <-d.quit:
	}
}

// stderrTail returns the end of node i's stderr log, for error messages.
func (d *Driver) stderrTail(i int) string {
	const n = 600
	b, err := os.ReadFile(d.LogPath(i))
	if err != nil || len(b) == 0 {
		return fmt.Sprintf("; its stderr log %s is empty", d.LogPath(i))
	}
	if len(b) > n {
		b = append([]byte("…"), b[len(b)-n:]...)
	}
	return fmt.Sprintf("; the end of its stderr (%s):\n%s", d.LogPath(i), b)
}
