package proc

import (
	"os/exec"
	"runtime"
)

// spawner starts every process from one OS thread. Linux's parent-death
// signal fires when the thread that forked the child exits, not the
// process; Go may retire threads, so forking from arbitrary goroutines
// could kill a node mid-run. The spawner's goroutine stays locked to its
// thread until the driver stops: the thread, and the signal's trigger, live
// exactly as long as the driver.
type spawner struct {
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan spawnReq)}
	go s.loop()
	return s
}

func (s *spawner) loop() {
	// Never unlocked: when the loop ends the runtime ends the thread with it.
	runtime.LockOSThread()
	for r := range s.reqs {
		r.done <- r.cmd.Start()
	}
}

func (s *spawner) start(cmd *exec.Cmd) error {
	done := make(chan error, 1)
	s.reqs <- spawnReq{cmd: cmd, done: done}
	return <-done
}

func (s *spawner) stop() { close(s.reqs) }
