package action_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/text"
)

// isText is the text rule written out again, character by character, as
// the oracle the fuzzer holds text.Check to.
func isText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '\n' || r == '\t':
			if !multiline {
				return false
			}
		case r == '\r':
			if !multiline || i+1 == len(rs) || rs[i+1] != '\n' {
				return false
			}
		case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
			return false
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidirectional embeddings, overrides, isolates
			return false
		}
	}
	return true
}

// FuzzTextRule feeds arbitrary bytes to the text rule and to an action's
// validation, in every text field. Never a panic; the rule accepts exactly
// what the oracle calls text; a validated action holds no forbidden
// character in any field; and text that is valid and already in its
// normal form comes out of Normalize and Validate unchanged, while bytes
// that are not UTF-8 are never repaired into acceptance.
func FuzzTextRule(f *testing.F) {
	for _, h := range testutil.HostileText {
		f.Add([]byte("National " + h.Value + " guidelines"))
	}
	for _, s := range []string{"", "Décret n° 2026-12", "Line one\r\nline two\ttabbed", "\u200fمرسوم\u200e", "a\ufffdb", "🔒",
		"  spaced  out  ", "a\rb", "\u0085", "\xed\xa0\x80", "\xf4\x90\x80\x80", strings.Repeat("é", 301)} {
		f.Add([]byte(s))
	}
	known := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := string(b)
		for _, multiline := range []bool{false, true} {
			msg := text.Check(s, multiline)
			if (msg == "") != isText(s, multiline) {
				t.Fatalf("Check(%q, multiline %v) = %q", s, multiline, msg)
			}
		}

		in := testutil.ActionInput()
		in.Title, in.Description = s, s
		in.Evidence = []action.Evidence{{Kind: "law", URL: "https://example.org/" + s, Title: s}}
		in.Normalize()
		err := in.Validate(known)
		if err != nil && !errs.Is(err, errs.Invalid) {
			t.Fatalf("not a field error: %v", err)
		}
		fields := errs.FieldsOf(err)
		for _, v := range []struct {
			field, value string
			multiline    bool
		}{
			{"title", in.Title, false}, {"description", in.Description, true},
			{"evidence.0.url", in.Evidence[0].URL, false}, {"evidence.0.title", in.Evidence[0].Title, false},
		} {
			if fields[v.field] == "" && !isText(v.value, v.multiline) {
				t.Fatalf("%s %q accepted", v.field, v.value)
			}
			if !utf8.ValidString(s) && fields[v.field] == "" {
				t.Fatalf("%s: %q, from bytes that are not UTF-8, accepted as %q", v.field, s, v.value)
			}
		}
		// Valid text in its normal form is kept as it is.
		n := utf8.RuneCountInString(s)
		if isText(s, true) && s == strings.TrimSpace(s) && !strings.Contains(s, "\r") && n <= action.MaxDescription {
			if in.Description != s || fields["description"] != "" {
				t.Fatalf("description %q became %q (%s)", s, in.Description, fields["description"])
			}
		}
		if isText(s, false) && slices.Equal(strings.Fields(s), strings.Split(s, " ")) && n > 0 && n <= action.MaxTitle {
			if in.Title != s || fields["title"] != "" || in.Evidence[0].Title != s || fields["evidence.0.title"] != "" {
				t.Fatalf("title %q became %q (%s)", s, in.Title, fields["title"])
			}
		}
	})
}
