#!/usr/bin/env python3
"""A tiny Maelstrom lin-kv node, written apart from raftcheck, as a test subject
for its live mode. It follows Maelstrom's protocol documents only.

Every request goes to the primary, the first node of init's node_ids, which
serializes them: it applies each to its map, makes each change durable in its
working directory (kv.log, fsynced) before it answers, and answers through the
node that was asked. A node killed and restarted reads kv.log again. Forwards
carry an id, and the primary answers a duplicate from its cache instead of
applying it again. The primary is a single point of failure, but linearizable.

With --stale-reads it is broken on purpose: every node answers reads from its
own copy of the map, which the primary refreshes every half second.

(An earlier version keyed the primary's cache of answered forwards by the
forwarder and its msg_id: a forwarder restarted from scratch reused msg_ids and
got the answers to its previous incarnation's requests. raftcheck live caught
it; forwards now carry an id unique to the process, boot included.)
"""
import json
import os
import select
import sys
import time

STALE = "--stale-reads" in sys.argv[1:]
BOOT = os.urandom(8).hex()  # tells this process's forwards from a previous one's
SYNC_EVERY = 0.5
LOG = "kv.log"

node_id = None
node_ids = []
next_id = 0
kv = {}        # json.dumps(key) -> value
pending = {}   # forward msg_id -> the client request it forwards
answered = {}  # primary: forward id -> the reply body given


def send(dest, body):
    global next_id
    next_id += 1
    body.setdefault("msg_id", next_id)
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": body}) + "\n")
    sys.stdout.flush()


def reply(msg, body):
    body["in_reply_to"] = msg["body"]["msg_id"]
    send(msg["src"], body)


def error(code, text):
    return {"type": "error", "code": code, "text": text}


def primary():
    return node_ids[0]


def durable(k, v):
    with open(LOG, "a") as f:
        f.write(json.dumps([k, v]) + "\n")
        f.flush()
        os.fsync(f.fileno())


def recover():
    if not os.path.exists(LOG):
        return
    with open(LOG) as f:
        for line in f:
            try:
                k, v = json.loads(line)
            except ValueError:
                break  # a torn last line: the write was never acknowledged
            kv[k] = v


def apply(req):
    """Applies a client request at the primary and returns the reply body."""
    t = req.get("type")
    k = json.dumps(req.get("key"))
    if t == "read":
        if k not in kv:
            return error(20, "no such key")
        return {"type": "read_ok", "value": kv[k]}
    if t == "write":
        durable(k, req["value"])
        kv[k] = req["value"]
        return {"type": "write_ok"}
    if t == "cas":
        if k not in kv:
            return error(20, "no such key")
        if kv[k] != req["from"]:
            return error(22, "expected %r, found %r" % (req["from"], kv[k]))
        durable(k, req["to"])
        kv[k] = req["to"]
        return {"type": "cas_ok"}
    return error(10, "unsupported request %r" % t)


def handle(msg):
    global node_id, node_ids
    body = msg["body"]
    t = body.get("type")
    if t == "init":
        node_id, node_ids = body["node_id"], body["node_ids"]
        if node_id == primary():
            recover()
        reply(msg, {"type": "init_ok"})
    elif t in ("read", "write", "cas"):
        if node_id == primary():
            reply(msg, apply(body))
        elif STALE and t == "read":
            k = json.dumps(body.get("key"))
            reply(msg, {"type": "read_ok", "value": kv[k]} if k in kv else error(20, "no such key"))
        else:
            fwd = {"type": "forward", "request": body, "id": "%s-%d" % (BOOT, next_id + 1)}
            send(primary(), fwd)
            pending[fwd["msg_id"]] = msg
    elif t == "forward":
        key = body["id"]
        if key not in answered:
            answered[key] = apply(body["request"])
        reply(msg, {"type": "forward_ok", "reply": dict(answered[key])})
    elif t == "forward_ok":
        orig = pending.pop(body.get("in_reply_to"), None)
        if orig is not None:  # else a duplicate answer: the client has its reply
            r = dict(body["reply"])
            r.pop("in_reply_to", None)
            r.pop("msg_id", None)
            reply(orig, r)
    elif t == "sync":
        kv.clear()
        kv.update(dict(body["kv"]))
    elif "in_reply_to" not in body:
        reply(msg, error(10, "unsupported message type %r" % t))


def main():
    buf = b""
    last_sync = time.monotonic()
    while True:
        timeout = None
        if STALE and node_id is not None and node_id == primary():
            timeout = max(0.0, last_sync + SYNC_EVERY - time.monotonic())
        ready, _, _ = select.select([0], [], [], timeout)
        if ready:
            data = os.read(0, 65536)
            if not data:
                return
            buf += data
            *lines, buf = buf.split(b"\n")
            for line in lines:
                if line.strip():
                    handle(json.loads(line))
        if STALE and node_id is not None and node_id == primary() and time.monotonic() >= last_sync + SYNC_EVERY:
            last_sync = time.monotonic()
            for n in node_ids:
                if n != node_id:
                    send(n, {"type": "sync", "kv": list(kv.items())})


if __name__ == "__main__":
    main()
