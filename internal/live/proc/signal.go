package proc

// sigKind is a signal the driver sends to a node's process group.
type sigKind uint8

const (
	sigKill sigKind = iota // crash: SIGKILL
	sigStop                // pause: SIGSTOP
	sigCont                // resume: SIGCONT
)

func (s sigKind) String() string {
	switch s {
	case sigKill:
		return "kill"
	case sigStop:
		return "pause"
	}
	return "resume"
}
