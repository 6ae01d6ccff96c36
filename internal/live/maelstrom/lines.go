package maelstrom

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ErrLineTooLong marks a line longer than a LineReader's bound; the reader
// skipped it and goes on with the next line.
var ErrLineTooLong = errors.New("line too long")

// LineReader reads newline-terminated lines of at most a given length. A
// longer line is skipped (not buffered) and reported, so one runaway line
// can neither exhaust memory nor stop the stream.
type LineReader struct {
	r   *bufio.Reader
	max int
	buf []byte
}

// NewLineReader reads lines of at most max bytes (newline excluded) from r.
func NewLineReader(r io.Reader, max int) *LineReader {
	return &LineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Next returns the next line without its newline (and without a "\r"
// before it). The slice is valid until the next call. A final line without
// a newline is returned before io.EOF. A line over the bound yields an
// error wrapping ErrLineTooLong; the next call continues after it.
func (l *LineReader) Next() ([]byte, error) {
	l.buf = l.buf[:0]
	skipped := 0
	for {
		chunk, err := l.r.ReadSlice('\n')
		if skipped > 0 || len(l.buf)+len(chunk) > l.max+2 {
			// Over the bound (with room for "\r\n"): drop what we had and
			// the rest of the line.
			skipped += len(l.buf) + len(chunk)
			l.buf = l.buf[:0]
		} else {
			l.buf = append(l.buf, chunk...)
		}
		switch {
		case err == nil:
			if skipped > 0 {
				return nil, fmt.Errorf("%w: %d bytes (the bound is %d)", ErrLineTooLong, skipped-1, l.max)
			}
			line := l.buf[:len(l.buf)-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			if len(line) > l.max {
				return nil, fmt.Errorf("%w: %d bytes (the bound is %d)", ErrLineTooLong, len(line), l.max)
			}
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if skipped > 0 {
				return nil, fmt.Errorf("%w: %d bytes at the end of the stream (the bound is %d)", ErrLineTooLong, skipped, l.max)
			}
			if len(l.buf) > 0 {
				if len(l.buf) > l.max {
					return nil, fmt.Errorf("%w: %d bytes at the end of the stream (the bound is %d)", ErrLineTooLong, len(l.buf), l.max)
				}
				return l.buf, nil
			}
			return nil, io.EOF
		default:
			return nil, err
		}
	}
}
