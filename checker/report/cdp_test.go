package report_test

// A minimal Chrome DevTools Protocol client for the browser test: just
// enough WebSocket (RFC 6455, client side, text frames) and CDP to open a
// page, collect console errors, exceptions and failed loads, and take a
// screenshot, with no dependency beyond the standard library.

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxFrame bounds one WebSocket message (a full-page screenshot is a few MB).
const maxFrame = 64 << 20

// wsConn is a client WebSocket connection.
type wsConn struct {
	conn net.Conn
	br   *bufio.Reader
	wmu  sync.Mutex
}

func dialWS(ctx context.Context, rawURL string) (*wsConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("websocket url %q: %w", rawURL, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, fmt.Errorf("websocket dial %s: %w", u.Host, err)
	}
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		conn.Close()
		return nil, err
	}
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
		"\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	if _, err := io.WriteString(conn, req); err != nil {
		conn.Close()
		return nil, fmt.Errorf("websocket handshake: %w", err)
	}
	br := bufio.NewReaderSize(conn, 1<<16)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("websocket handshake: %w", err)
	}
	resp.Body.Close()
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if resp.StatusCode != http.StatusSwitchingProtocols ||
		resp.Header.Get("Sec-Websocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		conn.Close()
		return nil, fmt.Errorf("websocket handshake: unexpected response %s", resp.Status)
	}
	return &wsConn{conn: conn, br: br}, nil
}

// writeFrame sends one masked frame (clients must mask).
func (c *wsConn) writeFrame(opcode byte, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	hdr := make([]byte, 0, 14)
	hdr = append(hdr, 0x80|opcode)
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n <= 0xffff:
		hdr = append(hdr, 0x80|126)
		hdr = binary.BigEndian.AppendUint16(hdr, uint16(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	var mask [4]byte
	if _, err := rand.Read(mask[:]); err != nil {
		return err
	}
	hdr = append(hdr, mask[:]...)
	masked := make([]byte, len(payload))
	for i, b := range payload {
		masked[i] = b ^ mask[i%4]
	}
	if _, err := c.conn.Write(append(hdr, masked...)); err != nil {
		return fmt.Errorf("websocket write: %w", err)
	}
	return nil
}

// readMessage returns the next text or binary message, answering pings and
// joining fragments.
func (c *wsConn) readMessage() ([]byte, error) {
	var msg []byte
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.br, h[:]); err != nil {
			return nil, err
		}
		fin, opcode := h[0]&0x80 != 0, h[0]&0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		if h[1]&0x80 != 0 {
			return nil, errors.New("websocket: masked frame from server")
		}
		if n > maxFrame || uint64(len(msg))+n > maxFrame {
			return nil, fmt.Errorf("websocket: message over %d bytes", maxFrame)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(c.br, payload); err != nil {
			return nil, err
		}
		switch opcode {
		case 0x8:
			return nil, io.EOF
		case 0x9:
			if err := c.writeFrame(0xA, payload); err != nil {
				return nil, err
			}
			continue
		case 0xA:
			continue
		}
		msg = append(msg, payload...)
		if fin {
			return msg, nil
		}
	}
}

func (c *wsConn) close() error {
	_ = c.writeFrame(0x8, nil)
	return c.conn.Close()
}

// cdpEvent is a protocol event, with the session it belongs to.
type cdpEvent struct {
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	SessionID string          `json:"sessionId"`
}

type cdpReply struct {
	result json.RawMessage
	err    error
}

// cdpClient multiplexes commands and events over one browser connection
// (flattened sessions: each page's commands carry its sessionId).
type cdpClient struct {
	ws      *wsConn
	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpReply
	events  []cdpEvent
	notify  chan struct{} // signalled on every event
	done    chan struct{}
	readErr error
}

func newCDPClient(ws *wsConn) *cdpClient {
	c := &cdpClient{ws: ws, pending: make(map[int]chan cdpReply), notify: make(chan struct{}, 1), done: make(chan struct{})}
	go c.readLoop()
	return c
}

func (c *cdpClient) readLoop() {
	defer close(c.done)
	for {
		raw, err := c.ws.readMessage()
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			for id, ch := range c.pending {
				ch <- cdpReply{err: fmt.Errorf("cdp connection closed: %w", err)}
				delete(c.pending, id)
			}
			c.mu.Unlock()
			return
		}
		var m struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
			cdpEvent
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			continue
		}
		c.mu.Lock()
		if m.ID != 0 {
			if ch, ok := c.pending[m.ID]; ok {
				delete(c.pending, m.ID)
				r := cdpReply{result: m.Result}
				if m.Error != nil {
					r.err = fmt.Errorf("cdp error %d: %s", m.Error.Code, m.Error.Message)
				}
				ch <- r
			}
		} else if m.Method != "" {
			c.events = append(c.events, m.cdpEvent)
			select {
			case c.notify <- struct{}{}:
			default:
			}
		}
		c.mu.Unlock()
		if m.Method == "Page.javascriptDialogOpening" {
			// A dialog blocks the page; dismiss it so the test can go on
			// and report it (pageProblems lists the event).
			go func(session string) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = c.call(ctx, session, "Page.handleJavaScriptDialog", map[string]any{"accept": false}, nil)
			}(m.SessionID)
		}
	}
}

// call sends a command (in session, "" for the browser) and waits for its
// result.
func (c *cdpClient) call(ctx context.Context, session, method string, params any, out any) error {
	if params == nil {
		params = struct{}{}
	}
	c.mu.Lock()
	if c.readErr != nil {
		c.mu.Unlock()
		return fmt.Errorf("%s: connection closed: %w", method, c.readErr)
	}
	c.nextID++
	id := c.nextID
	ch := make(chan cdpReply, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	msg, err := json.Marshal(struct {
		ID        int    `json:"id"`
		Method    string `json:"method"`
		Params    any    `json:"params"`
		SessionID string `json:"sessionId,omitempty"`
	}{id, method, params, session})
	if err != nil {
		return err
	}
	if err := c.ws.writeFrame(0x1, msg); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return fmt.Errorf("%s: %w", method, r.err)
		}
		if out != nil {
			if err := json.Unmarshal(r.result, out); err != nil {
				return fmt.Errorf("%s: decoding result: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// eventsSince returns the events received after the first n.
func (c *cdpClient) eventsSince(n int) []cdpEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n >= len(c.events) {
		return nil
	}
	return append([]cdpEvent(nil), c.events[n:]...)
}

func (c *cdpClient) eventCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

// waitEvent waits for an event of method in session received after the
// first `from` events.
func (c *cdpClient) waitEvent(ctx context.Context, from int, session, method string) error {
	for {
		for _, ev := range c.eventsSince(from) {
			if ev.Method == method && ev.SessionID == session {
				return nil
			}
		}
		select {
		case <-c.notify:
		case <-c.done:
			return fmt.Errorf("waiting for %s: connection closed", method)
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", method, ctx.Err())
		}
	}
}

// waitProblems waits until until accepts the problems the session has
// reported (see pageProblems).
func (c *cdpClient) waitProblems(ctx context.Context, session string, until func([]string) bool) error {
	for {
		probs := pageProblems(c.eventsSince(0), session)
		if until(probs) {
			return nil
		}
		select {
		case <-c.notify:
		case <-c.done:
			return fmt.Errorf("waiting for the page's problems (so far %v): connection closed", probs)
		case <-ctx.Done():
			return fmt.Errorf("waiting for the page's problems (so far %v): %w", probs, ctx.Err())
		}
	}
}

// pageProblems turns a session's events into the problems the browser
// test fails on: uncaught exceptions, console.error/assert calls, error
// log entries (failed loads, CSP violations...) and JavaScript dialogs.
func pageProblems(events []cdpEvent, session string) []string {
	var out []string
	for _, ev := range events {
		if ev.SessionID != session {
			continue
		}
		switch ev.Method {
		case "Runtime.exceptionThrown":
			var p struct {
				ExceptionDetails struct {
					Text       string `json:"text"`
					LineNumber int    `json:"lineNumber"`
					URL        string `json:"url"`
					Exception  struct {
						Description string `json:"description"`
					} `json:"exception"`
				} `json:"exceptionDetails"`
			}
			_ = json.Unmarshal(ev.Params, &p)
			d := p.ExceptionDetails
			out = append(out, fmt.Sprintf("uncaught exception at %s:%d: %s %s", d.URL, d.LineNumber+1, d.Text, d.Exception.Description))
		case "Runtime.consoleAPICalled":
			var p struct {
				Type string `json:"type"`
				Args []struct {
					Value       any    `json:"value"`
					Description string `json:"description"`
				} `json:"args"`
			}
			_ = json.Unmarshal(ev.Params, &p)
			if p.Type != "error" && p.Type != "assert" {
				continue
			}
			var parts []string
			for _, a := range p.Args {
				if a.Value != nil {
					parts = append(parts, fmt.Sprint(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			out = append(out, "console."+p.Type+": "+strings.Join(parts, " "))
		case "Log.entryAdded":
			var p struct {
				Entry struct {
					Level  string `json:"level"`
					Source string `json:"source"`
					Text   string `json:"text"`
					URL    string `json:"url"`
				} `json:"entry"`
			}
			_ = json.Unmarshal(ev.Params, &p)
			if p.Entry.Level == "error" {
				out = append(out, fmt.Sprintf("console %s error: %s %s", p.Entry.Source, p.Entry.Text, p.Entry.URL))
			}
		case "Page.javascriptDialogOpening":
			var p struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			}
			_ = json.Unmarshal(ev.Params, &p)
			out = append(out, fmt.Sprintf("javascript %s dialog opened: %q", p.Type, p.Message))
		}
	}
	return out
}
