package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pctracker/pctracker/internal/errs"
)

// maxDepth bounds how deeply a body may nest. The deepest body the API
// takes has three levels (an accept's list of actions, an action's
// evidence); a body of a million brackets is no request, and would cost a
// level of bookkeeping for each.
const maxDepth = 32

// checkRaw reads a JSON body before it is decoded, for what decoding would
// hide, and names where it found it ("evidence.1.url"):
//   - a key given twice in one object, at any depth (400). encoding/json
//     keeps the last value silently, and matches keys regardless of case,
//     so such a body could read one way to a proxy, a log or an audit and
//     another way to the API. Keys are compared as the decoder matches them
//     to fields: escapes decoded, case folded.
//   - a string that is not text: bytes that are not UTF-8, or an escaped
//     half of a surrogate pair ("\ud800") standing alone, which the decoder
//     turns into U+FFFD without a word, after which the domain's text rule
//     could not see that anything was wrong (422 with the field, 400 for a
//     key). A repeated key is reported first, wherever it is.
//   - nesting deeper than maxDepth (400).
//
// Only the first value is read: the decoder refuses anything after it, and
// describes what is not JSON at all.
func checkRaw(body []byte) error {
	// Strings are read raw only when the body may hold one that is not
	// text: every request but a hostile one skips it.
	careful := !utf8.Valid(body) || hasSurrogateEscape(body)
	var stack rawStack
	var notText error // the first string that is not text, reported last
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // a number too large for a float64 is still a number here
	start := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return notText // the end, or not JSON: the decoder says what is wrong
		}
		end := dec.InputOffset()
		raw := body[start:end] // the token, after the separators before it
		start = end
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				if len(stack) == maxDepth {
					return errs.E(errs.Malformed, "the body nests deeper than %d levels", maxDepth)
				}
				stack = append(stack, &rawLevel{path: stack.at(), object: v == '{', wantKey: v == '{'})
				continue
			}
			stack = stack[:len(stack)-1]
		case string:
			if stack.wantsKey() {
				if err := stack.key(v); err != nil {
					return err
				}
				if careful && notText == nil && !validJSONString(raw) {
					notText = errs.E(errs.Malformed, "a key of the body is not valid UTF-8 text")
				}
				continue
			}
			if careful && notText == nil && !validJSONString(raw) {
				notText = stack.notText()
			}
		}
		if len(stack) == 0 {
			return notText // the first value is read
		}
		stack.ended()
	}
}

// rawLevel is an object or array checkRaw is inside.
type rawLevel struct {
	path    string
	object  bool
	keys    map[string]bool // an object's keys so far, folded
	key     string          // an object's key whose value comes next
	wantKey bool
	index   int // an array's next element
}

// rawStack is where checkRaw is in the body: the objects and arrays it is
// inside, outermost first.
type rawStack []*rawLevel

// at names the value about to be read.
func (s rawStack) at() string {
	if len(s) == 0 {
		return ""
	}
	top := s[len(s)-1]
	name := top.key
	if !top.object {
		name = strconv.Itoa(top.index)
	}
	if top.path == "" {
		return name
	}
	return top.path + "." + name
}

// wantsKey reports whether the next string is an object's key.
func (s rawStack) wantsKey() bool {
	return len(s) > 0 && s[len(s)-1].object && s[len(s)-1].wantKey
}

// key records the key of the value that comes next in the innermost
// object, and refuses one given there before.
func (s rawStack) key(k string) error {
	top := s[len(s)-1]
	top.key, top.wantKey = k, false
	folded := fold(k)
	if top.keys[folded] {
		path := s.at()
		return errs.Field(errs.Malformed, path, fmt.Sprintf("the key %q is given more than once", path))
	}
	if top.keys == nil {
		top.keys = map[string]bool{}
	}
	top.keys[folded] = true
	return nil
}

// notText is the error of a string value that is not text, named by
// where it stands.
func (s rawStack) notText() error {
	if path := s.at(); path != "" {
		return errs.Field(errs.Invalid, path, "is not valid UTF-8 text")
	}
	return errs.E(errs.Malformed, "the body is not valid UTF-8 text")
}

// ended tells the innermost object or array that a value ended.
func (s rawStack) ended() {
	if len(s) == 0 {
		return
	}
	if top := s[len(s)-1]; top.object {
		top.wantKey = true
	} else {
		top.index++
	}
}

// fold maps a key to what encoding/json matches it by: each letter as the
// least of the letters it folds to ("scope", "SCOPE" and "ſcope" with a
// long s alike), so that keys that fill the same field count as one.
func fold(key string) string {
	var b strings.Builder
	for _, r := range key {
		for {
			next := unicode.SimpleFold(r)
			if next <= r {
				r = next
				break
			}
			r = next
		}
		b.WriteRune(r)
	}
	return b.String()
}
