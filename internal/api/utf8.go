package api

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// hasSurrogateEscape tells whether b may hold an escaped surrogate,
// "\uD800" to "\uDFFF"; a false alarm only costs the careful read.
func hasSurrogateEscape(b []byte) bool {
	for {
		i := bytes.Index(b, []byte(`\u`))
		if i < 0 || i+3 >= len(b) {
			return false
		}
		if c, d := b[i+2], b[i+3]; (c == 'd' || c == 'D') && strings.IndexByte("89abcdefABCDEF", d) >= 0 {
			return true
		}
		b = b[i+2:]
	}
}

// validJSONString tells whether the raw JSON string in b (after any
// separators) is UTF-8 whose escapes make whole characters: a high
// surrogate escape must be followed by a low one.
func validJSONString(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	i := bytes.IndexByte(b, '"')
	if i < 0 {
		return true
	}
	for i++; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		i++
		if i >= len(b) || b[i] != 'u' {
			continue // \" \\ \/ \b \f \n \r \t: one character
		}
		r := hex4(b[i+1:])
		i += 4
		switch {
		case r >= 0xD800 && r < 0xDC00:
			if i+6 >= len(b) || b[i+1] != '\\' || b[i+2] != 'u' {
				return false
			}
			if low := hex4(b[i+3:]); low < 0xDC00 || low > 0xDFFF {
				return false
			}
			i += 6
		case r >= 0xDC00 && r <= 0xDFFF:
			return false
		}
	}
	return true
}

// hex4 reads the four hex digits of a \u escape; the decoder has checked
// them already.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	if err != nil {
		return -1
	}
	return rune(n)
}
