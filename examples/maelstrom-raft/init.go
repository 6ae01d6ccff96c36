package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/raftcheck/raftcheck/internal/live/realhost"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
)

// maxNodes bounds the cluster: a raft id must fit the 16 bits clientID
// gives it.
const maxNodes = 1<<16 - 1

// identityFile records, in the node directory, whose state the directory
// holds and how often the node has booted.
const identityFile = "identity.json"

type identity struct {
	NodeID  string   `json:"node_id"`
	NodeIDs []string `json:"node_ids"`
	Boot    uint64   `json:"boot"`
}

// handleInit answers Maelstrom's init: the first one starts the server.
func (n *node) handleInit(m maelstrom.Message, h maelstrom.Header) {
	id, hasID := h.ID()
	reply := func(code maelstrom.Code, text string) {
		n.log.Printf("init refused: %s", text)
		if hasID {
			n.replyError(m.Dest, m.Src, id, code, text)
		}
	}
	var body maelstrom.InitBody
	if err := json.Unmarshal(m.Body, &body); err != nil {
		reply(maelstrom.MalformedRequest, fmt.Sprintf("init: %v", err))
		return
	}
	if err := checkInit(body); err != nil {
		reply(maelstrom.MalformedRequest, err.Error())
		return
	}
	if n.id != "" {
		if body.NodeID != n.id || !slices.Equal(body.NodeIDs, n.ids) {
			reply(maelstrom.Abort, fmt.Sprintf("already initialized as %s of %v", n.id, n.ids))
			return
		}
	} else if err := n.start(body); err != nil {
		reply(maelstrom.Abort, err.Error())
		return
	}
	if hasID {
		n.emit(n.id, m.Src, maelstrom.ReplyBody{Type: maelstrom.TypeInitOK, MsgID: n.msgID(), InReplyTo: id})
	}
}

func checkInit(b maelstrom.InitBody) error {
	switch {
	case b.NodeID == "":
		return errors.New("init: node_id is missing")
	case len(b.NodeIDs) == 0:
		return errors.New("init: node_ids is missing or empty")
	case len(b.NodeIDs) > maxNodes:
		return fmt.Errorf("init: %d node_ids, at most %d supported", len(b.NodeIDs), maxNodes)
	case !slices.Contains(b.NodeIDs, b.NodeID):
		return fmt.Errorf("init: node_id %q is not in node_ids %v", b.NodeID, b.NodeIDs)
	}
	seen := map[string]bool{}
	for _, id := range b.NodeIDs {
		if id == "" || seen[id] {
			return fmt.Errorf("init: node_ids %v has an empty or repeated id", b.NodeIDs)
		}
		seen[id] = true
	}
	return nil
}

// start claims the node directory, recovers the server from it and starts it.
func (n *node) start(b maelstrom.InitBody) error {
	if n.cfg.dir == "" {
		if b.NodeID == "." || b.NodeID == ".." || strings.ContainsAny(b.NodeID, `/\`) {
			return fmt.Errorf("node id %q cannot name a directory: give --node-dir", b.NodeID)
		}
		n.cfg.dir = b.NodeID
	}
	boot, err := claimDir(n.cfg.dir, b)
	if err != nil {
		return err
	}
	n.raftID = make(map[string]int, len(b.NodeIDs))
	voters := make([]uint64, len(b.NodeIDs))
	for i, id := range b.NodeIDs {
		n.raftID[id] = i + 1
		voters[i] = uint64(i + 1)
	}
	self := n.raftID[b.NodeID]
	disk, err := realhost.OpenDisk(filepath.Join(n.cfg.dir, "raft"), func(err error) { panic(fatalError{err}) })
	if err != nil {
		return err
	}
	host, err := realhost.New(self, disk, n.send, timerQueue)
	if err != nil {
		return err
	}
	// Election timeouts need a different stream per node and per boot; a
	// real process has no seed to reproduce, so the clock provides one.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(self)<<32|boot))
	readMode := kvstore.ReadIndex
	if n.cfg.unsafeReads {
		readMode = kvstore.ReadLocal
	}
	tick := int64(n.cfg.tick)
	srv, err := kvstore.NewServer(kvstore.ServerConfig{
		ID:     uint64(self),
		Voters: voters,
		Raft: raft.Config{
			ElectionTicks:   n.cfg.electionTicks,
			HeartbeatTicks:  n.cfg.heartbeatTicks,
			PreVote:         true,
			CheckQuorum:     true,
			MaxInflightMsgs: 256,
			MaxSizePerMsg:   64 << 10,
			Rand:            rng,
		},
		TickInterval:  tick,
		TickPhase:     1 + rng.Int64N(tick),
		ReadMode:      readMode,
		SnapshotEvery: n.cfg.snapshotEvery,
		MaxPending:    4096,
		Observer:      logObserver{n.log},
	}, host)
	if err != nil {
		disk.Close()
		return err
	}
	n.id, n.ids, n.boot = b.NodeID, slices.Clone(b.NodeIDs), boot
	n.disk, n.host, n.srv = disk, host, srv
	n.log.Printf("node %s (raft id %d of %d), boot %d, dir %s, reads %s", n.id, self, len(voters), boot, n.cfg.dir, readMode)
	srv.Start()
	return nil
}

// claimDir checks that dir holds this node's state (or none), bumps the
// boot counter and makes it durable. It returns the new boot number.
func claimDir(dir string, b maelstrom.InitBody) (uint64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("node dir: %w", err)
	}
	path := filepath.Join(dir, identityFile)
	var id identity
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return 0, fmt.Errorf("node dir: %w", err)
	default:
		if err := json.Unmarshal(data, &id); err != nil {
			return 0, fmt.Errorf("node dir: %s: %w", path, err)
		}
		if id.NodeID != b.NodeID || !slices.Equal(id.NodeIDs, b.NodeIDs) {
			return 0, fmt.Errorf("node dir %s holds the state of %s of %v, not of %s of %v", dir, id.NodeID, id.NodeIDs, b.NodeID, b.NodeIDs)
		}
	}
	id = identity{NodeID: b.NodeID, NodeIDs: b.NodeIDs, Boot: id.Boot + 1}
	out, err := json.Marshal(id)
	if err != nil {
		return 0, err
	}
	if err := realhost.WriteFileDurable(path, append(out, '\n')); err != nil {
		return 0, fmt.Errorf("node dir: %w", err)
	}
	return id.Boot, nil
}
