package main

import (
	"strings"

	"github.com/raftcheck/raftcheck"
)

// flagMessage is err's message as a CLI user reads it: each invalid Config
// field (raftcheck.FieldError, which names the Go field for API users) is
// named by its flag alone, "--rate: …".
func flagMessage(err error) string {
	msg := err.Error()
	for _, fe := range fieldErrors(err) {
		msg = strings.Replace(msg, fe.Error(), "--"+fe.Flag+": "+fe.Msg, 1)
	}
	return msg
}

// fieldErrors collects every FieldError in err's tree, joined errors
// included.
func fieldErrors(err error) []*raftcheck.FieldError {
	var out []*raftcheck.FieldError
	var walk func(error)
	walk = func(e error) {
		if fe, ok := e.(*raftcheck.FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			if c := u.Unwrap(); c != nil {
				walk(c)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}
