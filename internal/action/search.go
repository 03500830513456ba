package action

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// What a search means, decided here once for both databases and for the
// highlighting of results: the words of the query, each the beginning of a
// word of the title or description, all of them, in any order, with case
// and accents ignored ("sécu" finds "securite" and "Sécurité").
const (
	// MaxQueryLength is how many bytes a search may hold (the forms'
	// maxlength): a longer one is refused with a field error.
	MaxQueryLength = 200
	// MaxQueryWords is how many words of a search count; the rest are
	// dropped, so a pasted paragraph costs no more than a sentence.
	MaxQueryWords = 8
	// maxWordLength cuts a word to this many letters: no word of the
	// actions is longer, and a prefix of it still finds it.
	maxWordLength = 40
	// snippetAround is how many words a snippet shows before its first match.
	snippetAround = 8
)

// Words splits a search into the words it asks for: runs of letters and
// digits (a combining accent stays with its letter), folded by Fold, each
// once, the first MaxQueryWords of them. Anything else (quotes, operators
// such as & | ! * : -, punctuation, symbols) only separates words, so
// nothing a person types reaches a database's query syntax. A search of
// no words at all finds nothing.
func Words(query string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range spans(query) {
		w := []rune(Fold(query[s[0]:s[1]]))
		if len(w) > maxWordLength {
			w = w[:maxWordLength]
		}
		if len(w) == 0 || seen[string(w)] {
			continue
		}
		seen[string(w)] = true
		out = append(out, string(w))
		if len(out) == MaxQueryWords {
			break
		}
	}
	return out
}

// Fold lowers a text and takes its accents off, as both databases compare
// words (SQLite's FTS5 with remove_diacritics, PostgreSQL's
// action_search_vector).
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s // invalid UTF-8 is kept as it is rather than lost
	}
	return strings.ToLower(out)
}

// spans returns where each word of s starts and ends, in bytes.
func spans(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || (start >= 0 && unicode.Is(unicode.Mn, r))
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

// Part is a piece of a text shown in results, Match when it is a word the
// search asked for.
type Part struct {
	Text  string
	Match bool
}

// matches says whether a word of a text is one a search asked for: it
// begins with one of the words.
func matches(word string, words []string) bool {
	f := Fold(word)
	for _, w := range words {
		if strings.HasPrefix(f, w) {
			return true
		}
	}
	return false
}

// Highlight cuts a text into parts, the words that match apart, for the
// results to mark them.
func Highlight(text string, words []string) []Part {
	var out []Part
	add := func(s string, match bool) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && !out[n-1].Match && !match {
			out[n-1].Text += s
			return
		}
		out = append(out, Part{Text: s, Match: match})
	}
	last := 0
	if len(words) > 0 {
		for _, s := range spans(text) {
			if matches(text[s[0]:s[1]], words) {
				add(text[last:s[0]], false)
				add(text[s[0]:s[1]], true)
				last = s[1]
			}
		}
	}
	add(text[last:], false)
	return out
}

// Snippet is the part of a long text around its first matching word, at
// most about max bytes cut at word boundaries, with an ellipsis where it
// was cut, highlighted as Highlight does. With no match it is the text's
// beginning.
func Snippet(text string, words []string, max int) []Part {
	text = strings.Join(strings.Fields(text), " ")
	ws := spans(text)
	first := 0
	for i, s := range ws {
		if len(words) > 0 && matches(text[s[0]:s[1]], words) {
			first = i
			break
		}
	}
	start := 0
	if first > snippetAround {
		start = ws[first-snippetAround][0]
	}
	end := len(text)
	if end-start > max {
		end = start
		for _, s := range ws {
			if s[0] >= start && s[1]-start <= max {
				end = s[1]
			}
		}
	}
	var out []Part
	if start > 0 {
		out = append(out, Part{Text: "… "})
	}
	out = append(out, Highlight(text[start:end], words)...)
	if end < len(text) {
		out = append(out, Part{Text: " …"})
	}
	return out
}
