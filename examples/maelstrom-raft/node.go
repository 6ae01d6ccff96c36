package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/raftcheck/raftcheck/internal/live/realhost"
	"github.com/raftcheck/raftcheck/kvstore"
)

// maxLine bounds an input line: a raft append of MaxSizePerMsg bytes,
// base64-encoded, fits many times over.
const maxLine = 64 << 20

// timerQueue bounds fired timers waiting for the loop.
const timerQueue = 1024

// node is one Maelstrom node. Everything in it runs on run's goroutine.
type node struct {
	cfg  config
	out  *bufio.Writer
	log  *log.Logger
	outE error // the first stdout write error: the harness is gone

	id     string         // our node id, "" before init
	ids    []string       // node_ids from init
	raftID map[string]int // node id → raft id (1-based position in ids)

	disk      *realhost.FileDisk
	host      *realhost.Host
	srv       *kvstore.Server
	boot      uint64 // incarnation number, from identity.json
	nextMsgID uint64

	clients clientTable
}

// fatalError is how the disk's fatal callback stops the loop: run recovers it.
type fatalError struct{ err error }

// input is one line from stdin, or the reason reading stopped.
type input struct {
	line []byte
	err  error
}

// run is the node's loop: it returns nil when stdin ends.
func run(cfg config, stdin io.Reader, stdout io.Writer, logger *log.Logger) (err error) {
	n := &node{cfg: cfg, out: bufio.NewWriterSize(stdout, 64<<10), log: logger}
	n.clients.init(cfg.maxPending)
	defer func() {
		if r := recover(); r != nil {
			fe, ok := r.(fatalError)
			if !ok {
				panic(r)
			}
			err = fe.err
		}
		if n.disk != nil {
			if cerr := n.disk.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	lines := make(chan input, 64)
	go readLines(stdin, lines)
	sweep := time.NewTicker(time.Second)
	defer sweep.Stop()
	for {
		var timers <-chan uint64
		if n.host != nil {
			timers = n.host.Timers()
		}
		select {
		case in, ok := <-lines:
			if !ok {
				return n.flush()
			}
			if in.err != nil {
				n.log.Printf("stdin: %v", in.err)
				continue
			}
			n.handleLine(in.line)
		case tag := <-timers:
			n.srv.Fire(tag)
		case <-sweep.C:
			n.clients.sweep(time.Now(), cfg.pendingTTL)
		}
		if n.host != nil {
			if err := n.host.Drain(n.srv); err != nil {
				return err
			}
		}
		if err := n.flush(); err != nil {
			return err
		}
	}
}

// readLines sends stdin's lines to ch (copies: the reader reuses its
// buffer) and closes ch at the end of the stream.
func readLines(r io.Reader, ch chan<- input) {
	defer close(ch)
	lr := maelstrom.NewLineReader(r, maxLine)
	for {
		line, err := lr.Next()
		switch {
		case err == nil:
			ch <- input{line: append([]byte(nil), line...)}
		case errors.Is(err, maelstrom.ErrLineTooLong):
			ch <- input{err: err}
		case errors.Is(err, io.EOF):
			return
		default:
			ch <- input{err: err}
			return
		}
	}
}

func (n *node) flush() error {
	if n.outE != nil {
		return n.outE
	}
	if err := n.out.Flush(); err != nil {
		n.outE = fmt.Errorf("stdout: %w", err)
	}
	return n.outE
}

// emit writes one message to stdout (buffered until the loop flushes).
func (n *node) emit(src, dest string, body any) {
	line, err := maelstrom.Encode(src, dest, body)
	if err != nil {
		n.log.Printf("dropping a message to %s: %v", dest, err)
		return
	}
	line = append(line, '\n')
	if _, err := n.out.Write(line); err != nil && n.outE == nil {
		n.outE = fmt.Errorf("stdout: %w", err)
	}
}

// msgID returns a fresh msg_id for a message this node sends.
func (n *node) msgID() uint64 {
	n.nextMsgID++
	return n.nextMsgID
}

// replyError answers request id from src with an error.
func (n *node) replyError(self, src string, id uint64, code maelstrom.Code, text string) {
	n.emit(self, src, maelstrom.NewError(id, code, text))
}

// handleLine dispatches one message.
func (n *node) handleLine(line []byte) {
	m, h, err := maelstrom.Parse(line)
	if err != nil {
		n.log.Printf("ignoring input: %v", err)
		return
	}
	if h.Type == maelstrom.TypeInit {
		n.handleInit(m, h)
		return
	}
	if n.id == "" {
		// Before init we do not know who we are: answer as whoever the
		// message was for, so the sender can match the reply.
		if id, ok := h.ID(); ok {
			n.replyError(m.Dest, m.Src, id, maelstrom.TemporarilyUnavailable, "not initialized yet")
		}
		return
	}
	if m.Dest != n.id {
		n.log.Printf("ignoring a %s message for %s: this is %s", h.Type, m.Dest, n.id)
		return
	}
	if from, ok := n.raftID[m.Src]; ok {
		n.handlePeer(from, m, h)
		return
	}
	n.handleClient(m, h)
}
