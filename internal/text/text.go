// Package text is the one rule that every text field of every input
// follows, on every surface (the API, the forms, the CSV import):
//
//   - valid UTF-8 only: invalid bytes are refused, never replaced, since a
//     replaced byte is a silent change to what the person wrote;
//   - no control characters (C0, DEL, C1), NUL included, which PostgreSQL
//     cannot store and which mean nothing on a page; text of several lines
//     (a description, a comment) may hold line breaks and tabs;
//   - no bidirectional override or isolate characters (U+202A to U+202E,
//     U+2066 to U+2069) anywhere: they make text read differently from what
//     it holds (CVE-2021-42574), in pages, reports and spreadsheets alike.
//     The marks U+200E, U+200F and U+061C stay allowed: right-to-left
//     scripts need them, and they reorder nothing beyond a character.
//
// Domain inputs apply it through errs.FieldErrors.Text and TextLines.
package text

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Check returns what is wrong with s as the text of a field, in words for
// the person who typed it, or "" when nothing is. multiline allows line
// breaks (LF or CRLF) and tabs.
func Check(s string, multiline bool) string {
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f { // printable ASCII, the usual case
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return fmt.Sprintf("is not valid UTF-8 text (at byte %d)", i+1)
		case multiline && (r == '\n' || r == '\t' || r == '\r' && i+1 < len(s) && s[i+1] == '\n'):
		case !multiline && (r == '\n' || r == '\r'):
			return "must be a single line"
		case unicode.IsControl(r):
			return fmt.Sprintf("contains the control character U+%04X, which is not allowed in text", r)
		case bidi(r):
			return fmt.Sprintf("contains the text-direction character U+%04X, which can make text read differently from what it says", r)
		}
		i += size
	}
	return ""
}

// bidi reports whether r is a bidirectional embedding, override or
// isolate character.
func bidi(r rune) bool { return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 }
