package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pctracker/pctracker/internal/errs"
)

// notText finds, in a JSON body, the first string that is not text: one
// with bytes that are not UTF-8, or an escaped half of a surrogate pair
// ("\ud800") standing alone. encoding/json turns both into U+FFFD without
// a word, after which the domain's text rule could not see that anything
// was wrong; so the raw body is read first, and such a string is refused
// with the field that holds it, as "evidence.0.title". Nothing is found in
// a body that is not JSON: decoding it says what is wrong.
func notText(body []byte) error {
	if utf8.Valid(body) && !hasSurrogateEscape(body) {
		return nil // every request but a hostile one, without a second read
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var path []string // the keys and indexes down to the current value
	type level struct {
		object bool
		index  int
		key    bool // in an object: the next string is a key
	}
	var stack []level
	start := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		end := dec.InputOffset()
		raw := body[start:end] // the token, after the separators before it
		start = end
		var top *level
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(path) > len(stack) {
				path = path[:len(stack)]
			}
			if len(stack) == 0 {
				return nil // the first value is read; the decoder judges the rest
			}
			continue
		}
		// The value's place: a key names it, an array counts it.
		if top != nil && !top.object {
			path = append(path[:len(stack)-1], strconv.Itoa(top.index))
			top.index++
		}
		if top != nil && top.object && top.key {
			name := tok.(string)
			if !validJSONString(raw) {
				return errs.E(errs.Malformed, "a key of the body is not valid UTF-8 text")
			}
			path = append(path[:len(stack)-1], name)
			top.key = false
			continue
		}
		if top != nil && top.object {
			top.key = true // after this value, a key again
		}
		switch tok.(type) {
		case json.Delim: // '{' or '['
			stack = append(stack, level{object: tok == json.Delim('{'), key: true})
		case string:
			if !validJSONString(raw) {
				if len(path) == 0 {
					return errs.E(errs.Malformed, "the body is not valid UTF-8 text")
				}
				return errs.Field(errs.Invalid, strings.Join(path, "."), "is not valid UTF-8 text")
			}
		}
	}
}

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
