package histories

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUnescapeU covers the \u decoding both readers share; b holds the input
// after the "\u" that introduces it.
func TestUnescapeU(t *testing.T) {
	tests := []struct {
		name string
		b    string
		r    rune
		next int
		err  string
	}{
		{"bmp", `00e9rest`, 'é', 4, ""},
		{"upper hex", `00C9`, 'É', 4, ""},
		{"pair", `d83d\ude42x`, '🙂', 10, ""},
		{"lone high at end", `d83d`, 0, 0, `unpaired UTF-16 surrogate \uD83D`},
		{"high then text", `d83dxx`, 0, 0, `unpaired UTF-16 surrogate \uD83D`},
		{"high then high", `d83d\ud83d`, 0, 0, `unpaired UTF-16 surrogate \uD83D`},
		{"lone low", `de42`, 0, 0, `unpaired UTF-16 surrogate \uDE42`},
		{"truncated", `12`, 0, 0, `truncated \u escape`},
		{"bad hex", `12g4`, 0, 0, `invalid \u escape "12g4"`},
		{"sign is not hex", `+fff`, 0, 0, `invalid \u escape "+fff"`},
		{"bad low hex", `d83d\uzzzz`, 0, 0, `invalid \u escape "zzzz"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, next, err := unescapeU([]byte(tt.b), 0)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.r, r)
			assert.Equal(t, tt.next, next)
		})
	}
}

// TestQuotedEscapes pins the one difference between the two writers: EDN
// escapes DEL, JSON copies it.
func TestQuotedEscapes(t *testing.T) {
	in := "a\"b\\c\nd\te\rf\x01g\x7fh é"
	assert.Equal(t, `"a\"b\\c\nd\te\rf\u0001g`+"\x7f"+`h é"`, string(appendJSONString(nil, in)))
	assert.Equal(t, `"a\"b\\c\nd\te\rf\u0001g\u007fh é"`, string(appendEDNString(nil, in)))
}
