// Package proc is live mode's process driver: it runs the nodes of a
// cluster as real processes speaking the Maelstrom protocol, one per node
// id n0..n(N-1).
//
// Each node runs in its own working directory (NodeDir/nI, NodeDir being
// RunDir unless set; kept across restarts: the node's durable state lives
// there) with its stderr appended to RunDir/nI.stderr.log, each start
// preceded by a marker line (see Marker). The driver writes lines to a node's stdin through
// a bounded queue (a node that stops reading loses messages, as on a
// network, instead of blocking the harness), and reader goroutines turn
// every stdout line into an Event on one channel, so the harness's loop that
// consumes them stays single-threaded.
//
// Start sends Maelstrom's init; the node is Ready when it answers init_ok.
// Every wait is bounded: a node that exits, answers init with an error or
// stays silent for InitTimeout gets an InitFailed or Exited event naming the
// cause and the end of its stderr log, and StartAll turns those into a clear
// error. A missing or non-executable binary is refused by New.
//
// Faults act on the process group: Kill is SIGKILL (the node's files
// survive; Start runs it again in the same directory and sends init again),
// Pause is SIGSTOP, Resume SIGCONT. Close kills every process group and
// waits for the processes to be reaped; the harness calls it on every exit
// path, cancelled contexts and signals included. On Linux each child also
// gets SIGKILL if the harness dies without cleaning up (the parent-death
// signal, armed from one OS thread that lives as long as the driver), so
// even a harness killed with SIGKILL leaves no node behind. A node that
// moves its own children to another process group or session is beyond
// the driver's reach.
package proc
