package text_test

import (
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/text"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name        string
		s           string
		line, lines bool // accepted as one line, as several
		says        string
	}{
		{"empty", "", true, true, ""},
		{"plain", "Export licensing, 2026 (€)", true, true, ""},
		{"accents and scripts", "Décret n° 2026-12 · 出口管制 · مرسوم", true, true, ""},
		{"right-to-left marks", "\u200fمرسوم\u200e \u061c", true, true, ""},
		{"replacement character written as such", "a\ufffdb", true, true, ""},
		{"emoji", "🔒", true, true, ""},
		{"newline", "a\nb", false, true, "single line"},
		{"CRLF", "a\r\nb", false, true, "single line"},
		{"tab", "a\tb", false, true, "U+0009"},
		{"lone CR", "a\rb", false, false, ""},
		{"CR at the end", "a\r", false, false, ""},
		{"NUL", "a\x00b", false, false, "U+0000"},
		{"bell", "\a", false, false, "U+0007"},
		{"escape", "\x1b[31mred", false, false, "U+001B"},
		{"DEL", "a\x7f", false, false, "U+007F"},
		{"C1 NEL", "a\u0085b", false, false, "U+0085"},
		{"C1 CSI", "a\u009bb", false, false, "U+009B"},
		{"LRE", "\u202a", false, false, "U+202A"},
		{"RLE", "\u202b", false, false, "U+202B"},
		{"PDF", "\u202c", false, false, "U+202C"},
		{"LRO", "\u202d", false, false, "U+202D"},
		{"RLO", "invoice\u202egpj.exe", false, false, "U+202E"},
		{"LRI", "\u2066", false, false, "U+2066"},
		{"RLI", "\u2067", false, false, "U+2067"},
		{"FSI", "\u2068", false, false, "U+2068"},
		{"PDI", "\u2069", false, false, "U+2069"},
		{"invalid byte", "Caf\xe9", false, false, "byte 4"},
		{"truncated sequence", "a\xc3", false, false, "UTF-8"},
		{"overlong", "\xc0\xaf", false, false, "UTF-8"},
		{"encoded surrogate", "\xed\xa0\x80", false, false, "UTF-8"},
		{"beyond U+10FFFF", "\xf4\x90\x80\x80", false, false, "UTF-8"},
	} {
		for _, m := range []struct {
			multiline, want bool
		}{{false, c.line}, {true, c.lines}} {
			got := text.Check(c.s, m.multiline)
			if (got == "") != m.want {
				t.Errorf("%s (multiline %v): %q", c.name, m.multiline, got)
			}
			if got != "" && !strings.Contains(got, c.says) {
				t.Errorf("%s (multiline %v): %q does not say %q", c.name, m.multiline, got, c.says)
			}
		}
	}
}
