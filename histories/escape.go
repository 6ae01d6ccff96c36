package histories

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// String escapes, shared by the JSON and EDN codecs: both spell strings alike
// up to the escapes they accept, and share one reader and one writer for them.

const hexDigit = "0123456789abcdef"

// appendQuoted appends s (valid UTF-8) as a double-quoted string: \" \\ \n \t
// \r, \u00XX for the other control characters and, with escapeDEL, for DEL
// (EDN, whose readers may refuse it raw); all other text is copied as UTF-8.
func appendQuoted(buf []byte, s string, escapeDEL bool) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && (c != 0x7f || !escapeDEL) {
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"':
			buf = append(buf, '\\', '"')
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\r':
			buf = append(buf, '\\', 'r')
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xf])
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// unescapeU decodes the \u escape whose four hex digits start at b[i]. A UTF-16
// high surrogate must be followed by a \u escape of its low half, as JSON and
// Java (hence Jepsen's EDN) write characters beyond the BMP. It returns the
// rune and the index after the escape (or pair).
func unescapeU(b []byte, i int) (r rune, next int, err error) {
	if r, err = hex4(b, i); err != nil {
		return 0, i, err
	}
	i += 4
	if !utf16.IsSurrogate(r) {
		return r, i, nil
	}
	if i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
		r2, err := hex4(b, i+2)
		if err != nil {
			return 0, i, err
		}
		if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
			return pair, i + 6, nil
		}
	}
	return 0, i, fmt.Errorf("unpaired UTF-16 surrogate \\u%04X in a string", r)
}

// hex4 reads the four hex digits at b[i].
func hex4(b []byte, i int) (rune, error) {
	if i+4 > len(b) {
		return 0, fmt.Errorf("truncated \\u escape, expected 4 hex digits")
	}
	var r rune
	for _, c := range b[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, fmt.Errorf("invalid \\u escape %s, expected 4 hex digits", quoteFound(string(b[i:i+4])))
		}
	}
	return r, nil
}
