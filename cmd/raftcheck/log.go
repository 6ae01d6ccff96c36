package main

import (
	"io"

	"github.com/rs/zerolog"
)

// newLogger returns a console logger on stderr at the named level.
func newLogger(w io.Writer, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Nop(), usagef("--log-level: %q is not one of debug, info, warn, error", level)
	}
	cw := zerolog.ConsoleWriter{Out: w, NoColor: true, PartsExclude: []string{zerolog.TimestampFieldName}}
	return zerolog.New(cw).Level(lvl), nil
}
