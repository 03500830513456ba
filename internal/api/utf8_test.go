package api

import (
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
)

// encoding/json turns bytes that are not UTF-8, and escaped lone
// surrogates, into U+FFFD; checkRaw finds them in the raw body first and
// names the field, so that the text rule refuses them rather than a
// replaced character being stored.
func TestNotText(t *testing.T) {
	for _, c := range []struct {
		body  string
		field string // "" : nothing found
		kind  errs.Kind
	}{
		{`{"title": "Plain", "description": "é \u00e9 \ud83d\ude00 \\ud800 \"\\u\""}`, "", ""},
		{`{"title": "a\ufffdb"}`, "", ""}, // U+FFFD written as such is text
		{"{\"title\": \"Caf\xe9\"}", "title", errs.Invalid},
		{`{"title": "ok", "description": "\ud800 lone"}`, "description", errs.Invalid},
		{`{"description": "\uDC00"}`, "description", errs.Invalid},
		{`{"description": "\ud83d\u0041"}`, "description", errs.Invalid},
		{`{"description": "\ud83d"}`, "description", errs.Invalid},
		{`{"description": "end \uD83D\uDE00 \uDBFF\uDFFF"}`, "", ""},
		{"{\"evidence\": [{\"kind\": \"law\", \"url\": \"https://example.org/\", \"title\": \"ok\"}, {\"title\": \"\xff\"}]}", "evidence.1.title", errs.Invalid},
		{"{\"recommendations\": [1, 2], \"a\": {\"b\": [[], {\"c\": \"\xc3\"}]}}", "a.b.1.c", errs.Invalid},
		{"{\"t\xffitle\": \"x\"}", "", errs.Malformed},
		{"\"\xff\"", "", errs.Malformed},
		{"{\"title\": \"x\"} \"\xff\"", "", ""},   // after the first value: the decoder refuses it
		{"{\"title\": \"x\",, \"\xff\"}", "", ""}, // not JSON: the decoder says so
		{"\xff{}", "", ""},
	} {
		err := checkRaw([]byte(c.body))
		switch {
		case c.kind == "" && err != nil:
			t.Errorf("%q: %v", c.body, err)
		case c.kind != "" && errs.KindOf(err) != c.kind:
			t.Errorf("%q: %v, want %s", c.body, err, c.kind)
		case c.field != "" && errs.FieldsOf(err)[c.field] == "":
			t.Errorf("%q: %v, want the field %s", c.body, err, c.field)
		}
	}
}
