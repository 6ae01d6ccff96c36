package proc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync/atomic"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
)

// drainGrace is how long a dead process's output may take to reach EOF.
// Past it, something else holds the pipe (a child that outlived the node):
// the process group is killed and the pipe closed.
const drainGrace = time.Second

// Init states of a process.
const (
	stateStarting int32 = iota
	stateReady
	stateFailed
)

// process is one incarnation of a node.
type process struct {
	d      *Driver
	node   int
	inc    uint64
	id     string
	cmd    *exec.Cmd
	pid    int
	initID uint64

	stdin    chan []byte
	stdinW   *os.File
	stdoutR  *os.File
	logf     *os.File
	state    atomic.Int32
	early    atomic.Int64 // lines printed before init_ok
	timer    *time.Timer
	readDone chan struct{}
	done     chan struct{} // closed once reaped and its output read
	dead     atomic.Bool
}

func (p *process) exited() bool { return p.dead.Load() }

// waitDone waits at most d for the process to be reaped.
func (p *process) waitDone(d time.Duration) bool {
	if d <= 0 {
		d = time.Millisecond
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		return false
	}
}

// startProcess starts incarnation inc of node i and queues its init.
func (d *Driver) startProcess(i int, inc uint64) (_ *process, err error) {
	id := d.ids[i]
	dir := d.NodeDir(i)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("proc: %s: working directory: %w", id, err)
	}
	logf, err := os.OpenFile(d.LogPath(i), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("proc: %s: stderr log: %w", id, err)
	}
	fmt.Fprintf(logf, markerFormat, id, inc, time.Now().Format(time.RFC3339Nano))
	inR, inW, err := os.Pipe()
	if err != nil {
		logf.Close()
		return nil, fmt.Errorf("proc: %s: stdin pipe: %w", id, err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		logf.Close()
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("proc: %s: stdout pipe: %w", id, err)
	}
	cmd := exec.Command(d.bin, d.cfg.Args...)
	cmd.Dir = dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, logf
	cmd.Env = append(os.Environ(), d.cfg.Env...)
	cmd.SysProcAttr = sysProcAttr()
	err = d.spawn.start(cmd)
	// The child holds its own copies of these ends.
	inR.Close()
	outW.Close()
	if err != nil {
		logf.Close()
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("proc: start %s (%s): %w", id, d.bin, err)
	}
	p := &process{
		d: d, node: i, inc: inc, id: id, cmd: cmd, pid: cmd.Process.Pid,
		initID:   d.msgID.Add(1),
		stdin:    make(chan []byte, d.cfg.StdinQueue),
		stdinW:   inW,
		stdoutR:  outR,
		logf:     logf,
		readDone: make(chan struct{}),
		done:     make(chan struct{}),
	}
	line, err := maelstrom.Encode(maelstrom.HarnessID, id, maelstrom.InitBody{
		Type: maelstrom.TypeInit, MsgID: p.initID, NodeID: id, NodeIDs: d.ids,
	})
	if err != nil {
		return nil, err // cannot happen: the body is plain data
	}
	p.stdin <- line // the queue is empty: init is the first line the node reads
	p.timer = time.AfterFunc(d.cfg.InitTimeout, p.initTimeout)
	d.wg.Add(3)
	go p.writeLoop()
	go p.readLoop()
	go p.waitLoop()
	return p, nil
}

func (p *process) event(k Kind, line []byte, err error) Event {
	return Event{Node: p.node, Inc: p.inc, Kind: k, Line: line, Err: err}
}

// initTimeout fails the init if the node has not answered it.
func (p *process) initTimeout() {
	if p.state.CompareAndSwap(stateStarting, stateFailed) {
		p.d.emit(p.event(InitFailed, nil, fmt.Errorf("no init_ok within %v (%d other lines printed before)", p.d.cfg.InitTimeout, p.early.Load())))
	}
}

// writeLoop copies queued lines to the node's stdin, a syscall per burst.
func (p *process) writeLoop() {
	defer p.d.wg.Done()
	defer p.stdinW.Close()
	w := bufio.NewWriterSize(p.stdinW, 64<<10)
	for {
		select {
		case line := <-p.stdin:
			w.Write(line)
			w.WriteByte('\n')
			if len(p.stdin) > 0 && w.Buffered() < 32<<10 {
				continue
			}
			if err := w.Flush(); err != nil {
				// The node closed stdin or died: what is queued is lost,
				// like messages to a crashed host.
				return
			}
		case <-p.done:
			return
		case <-p.d.quit:
			return
		}
	}
}

// readLoop turns stdout lines into events, watching for init_ok first.
func (p *process) readLoop() {
	defer p.d.wg.Done()
	defer close(p.readDone)
	defer p.stdoutR.Close()
	lr := maelstrom.NewLineReader(p.stdoutR, p.d.cfg.MaxLine)
	for {
		line, err := lr.Next()
		switch {
		case err == nil:
			p.onLine(append([]byte(nil), line...))
		case errors.Is(err, maelstrom.ErrLineTooLong):
			p.d.emit(p.event(Fault, nil, err))
		case errors.Is(err, io.EOF), errors.Is(err, os.ErrClosed):
			return
		default:
			p.d.emit(p.event(Fault, nil, fmt.Errorf("reading stdout: %w", err)))
			return
		}
	}
}

func (p *process) onLine(line []byte) {
	switch p.state.Load() {
	case stateReady:
		p.d.emit(p.event(Line, line, nil))
		return
	case stateFailed:
		p.d.emit(p.event(Fault, line, errors.New("printed after its init failed")))
		return
	}
	m, h, err := maelstrom.Parse(line)
	reply, isReply := h.ReplyTo()
	switch {
	case err == nil && isReply && reply == p.initID && h.Type == maelstrom.TypeInitOK:
		if m.Dest != maelstrom.HarnessID || m.Src != p.id {
			p.d.emit(p.event(Fault, line, fmt.Errorf("init_ok from %q to %q: want from %q to %q (taken anyway)", m.Src, m.Dest, p.id, maelstrom.HarnessID)))
		}
		if p.state.CompareAndSwap(stateStarting, stateReady) {
			p.timer.Stop()
			p.d.emit(p.event(Ready, nil, nil))
		}
	case err == nil && isReply && reply == p.initID && h.Type == maelstrom.TypeError:
		var e maelstrom.ErrorBody
		_ = json.Unmarshal(m.Body, &e) // the header parsed: a bad code or text just shows as zero
		if p.state.CompareAndSwap(stateStarting, stateFailed) {
			p.timer.Stop()
			p.d.emit(p.event(InitFailed, line, fmt.Errorf("answered init with error %d (%s): %s", e.Code, e.Code, e.Text)))
		}
	default:
		p.early.Add(1)
		why := "printed before init_ok"
		if err != nil {
			why += ": " + err.Error()
		}
		p.d.emit(p.event(Fault, line, errors.New(why)))
	}
}

// waitLoop reaps the process, gives the reader a moment to pass on what
// the process printed before it died, and reports the exit. It never waits
// on the owner: the owner may be blocked in Restart or Close waiting for
// done while the event channel is full.
func (p *process) waitLoop() {
	defer p.d.wg.Done()
	err := p.cmd.Wait()
	t := time.NewTimer(drainGrace)
	select {
	case <-p.readDone:
	case <-t.C:
		// Either a child of the node holds stdout open (it dies with the
		// group; closing our end ends the read), or the reader waits for
		// the owner to take an event: it finishes later, and the owner
		// skips what it emits as output of an older incarnation (or of a
		// crashed host).
		_ = p.signal(sigKill)
		p.stdoutR.Close()
	}
	t.Stop()
	// A write blocked on a pipe some leftover child never reads ends here.
	p.stdinW.Close()
	p.logf.Close()
	p.timer.Stop()
	// A node that dies before init_ok is reported by Exited alone: the
	// init timer must not report it again.
	p.state.CompareAndSwap(stateStarting, stateFailed)
	p.dead.Store(true)
	close(p.done)
	status := err
	if status == nil {
		status = errors.New("exit status 0")
	}
	p.d.emit(p.event(Exited, nil, status))
}

// signal sends sig to the process group, unless the process is reaped.
func (p *process) signal(sig sigKind) error {
	if p.dead.Load() {
		return nil
	}
	if err := killGroup(p.pid, sig); err != nil {
		return fmt.Errorf("proc: %s %s (pid %d): %w", sig, p.id, p.pid, err)
	}
	return nil
}
