package histories

import (
	"fmt"
	"strconv"
)

// ParseError reports malformed input: the file, the 1-based line and what was
// expected there.
type ParseError struct {
	File string // the name given to Read, or the path given to ReadFile
	Line int    // 1-based; 0 when the error concerns the whole input
	Msg  string // what was expected, and what was found
}

// Error returns "file:line: msg".
func (e *ParseError) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Msg
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

func parseErrorf(file string, line int, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// quoteFound renders a bounded excerpt of unexpected input for an error message.
func quoteFound(s string) string {
	const max = 40
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}
