// Command fakenode is a deliberately simple, sometimes misbehaving
// Maelstrom node for live mode's tests. It writes its pid to the file "pid"
// in its working directory. Its first argument is the mode:
//
//	ok          answer init; answer "ping" with "pong"; serve lin-kv from
//	            local memory (not replicated: only 1-node clusters are
//	            linearizable)
//	exit        print to stderr and exit 3 at once
//	noinit      read stdin and never answer
//	initerror   answer init with error 14
//	early       print a message before init_ok, then behave as ok
//	garbage     as ok, and print a line of non-JSON before every reply
//	unknown     as ok, and send a message to n99 and to "lin-kv" (with a
//	            msg_id) before every reply
//	badreply    as ok, and send a reply to msg_id 999999999 before every reply
//	bigline     answer init, then print one 2 MiB line and a pong per ping
//	grandchild  answer init, start "sleep 300" in the same process group and
//	            report its pid as {"type":"child","pid":N} to c1
//	ignore      answer init, then never read stdin again
//	spam        answer init, then print messages to c1 as fast as it can
//	die         as ok, and exit with status 2 after answering 10 requests
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

type msg struct {
	Src  string         `json:"src"`
	Dest string         `json:"dest"`
	Body map[string]any `json:"body"`
}

var (
	out    = bufio.NewWriter(os.Stdout)
	self   string
	msgID  int
	served int
	kv     = map[string]any{}
)

func send(dest string, body map[string]any) {
	msgID++
	if _, ok := body["msg_id"]; !ok {
		body["msg_id"] = msgID
	}
	b, _ := json.Marshal(msg{Src: self, Dest: dest, Body: body})
	out.Write(b)
	out.WriteByte('\n')
}

func reply(m msg, body map[string]any) {
	body["in_reply_to"] = m.Body["msg_id"]
	send(m.Src, body)
}

func main() {
	mode := "ok"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	// Tests check that no node outlives its harness: leave the pid behind.
	// Written whole or not at all: the harness may kill us at any point.
	if os.WriteFile("pid.tmp", []byte(fmt.Sprint(os.Getpid())), 0o644) == nil {
		os.Rename("pid.tmp", "pid")
	}
	if mode == "exit" {
		fmt.Fprintln(os.Stderr, "fakenode: dying on purpose")
		os.Exit(3)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	for in.Scan() {
		var m msg
		if err := json.Unmarshal(in.Bytes(), &m); err != nil {
			fmt.Fprintln(os.Stderr, "fakenode: bad input:", err)
			continue
		}
		handle(mode, m)
		if err := out.Flush(); err != nil {
			os.Exit(1)
		}
		if mode == "die" && served >= 10 {
			fmt.Fprintln(os.Stderr, "fakenode: dying after", served, "requests")
			os.Exit(2)
		}
		if mode == "ignore" && self != "" {
			select {} // never read again
		}
	}
}

func handle(mode string, m msg) {
	typ, _ := m.Body["type"].(string)
	if typ == "init" {
		switch mode {
		case "noinit":
			return
		case "initerror":
			self = m.Dest
			reply(m, map[string]any{"type": "error", "code": 14, "text": "refusing to start"})
			return
		case "early":
			self = m.Dest
			send("c1", map[string]any{"type": "hello"})
		}
		self, _ = m.Body["node_id"].(string)
		reply(m, map[string]any{"type": "init_ok"})
		switch mode {
		case "bigline":
			out.WriteString(`{"src":"` + self + `","dest":"c1","body":{"type":"big","pad":"` + strings.Repeat("x", 2<<20) + `"}}` + "\n")
		case "spam":
			for {
				send("c1", map[string]any{"type": "spam"})
				if err := out.Flush(); err != nil {
					os.Exit(1)
				}
			}
		case "grandchild":
			cmd := exec.Command("sleep", "300")
			cmd.Stdout = os.Stdout // holds the harness's pipe open after we die
			if err := cmd.Start(); err != nil {
				fmt.Fprintln(os.Stderr, "fakenode:", err)
				os.Exit(1)
			}
			send("c1", map[string]any{"type": "child", "pid": cmd.Process.Pid})
		}
		return
	}
	if typ == "error" {
		return // e.g. node-not-found for a message to an unknown node
	}
	switch mode {
	case "garbage":
		out.WriteString("this is not json\n")
	case "unknown":
		send("n99", map[string]any{"type": "gossip"})
		send("lin-kv", map[string]any{"type": "read", "key": 1})
	case "badreply":
		send(m.Src, map[string]any{"type": "read_ok", "in_reply_to": 999999999, "value": 1})
	}
	key := fmt.Sprint(m.Body["key"])
	served++
	switch typ {
	case "ping":
		reply(m, map[string]any{"type": "pong"})
	case "read":
		v, ok := kv[key]
		if !ok {
			reply(m, map[string]any{"type": "error", "code": 20, "text": "no such key"})
			return
		}
		reply(m, map[string]any{"type": "read_ok", "value": v})
	case "write":
		kv[key] = m.Body["value"]
		reply(m, map[string]any{"type": "write_ok"})
	case "cas":
		v, ok := kv[key]
		switch {
		case !ok:
			reply(m, map[string]any{"type": "error", "code": 20, "text": "no such key"})
		case fmt.Sprint(v) != fmt.Sprint(m.Body["from"]):
			reply(m, map[string]any{"type": "error", "code": 22, "text": "mismatch"})
		default:
			kv[key] = m.Body["to"]
			reply(m, map[string]any{"type": "cas_ok"})
		}
	}
}
