package markdown

import "strings"

// MaxDepth is how deeply block quotes and list items may nest in what
// people write. goldmark's parser takes time in the square of the nesting
// (a quote 19,000 levels deep, in 20,000 characters, takes 300 ms to parse,
// again on every uncached view), while no real text nests more than a few
// levels.
const MaxDepth = 32

// Depth returns a bound on how deeply src nests its containers, block
// quotes and list items, one level each: never less than the parser
// builds (a fuzz test holds it to that), read in one pass over the text
// without parsing it, so that a depth can be refused before goldmark ever
// sees it.
//
// Containers only open on a line that starts with their markers, and the
// containers open after such a line are all on it: each block quote as a
// ">", each list item matched by its indentation or opened by its marker
// as at least two columns (one for the last, which may end the line).
// So a line whose leading markers and white space take c columns, q of
// them ">", holds at most (c+q+1)/2 levels. The bound is exact for markers
// written one after the other, such as ">>>" or "- - -", and for lists
// nested by two columns; it doubles for lists nested by four, so that
// only text nesting beyond about 16 levels, or a marker after some 60
// columns of indentation, is counted deeper than it is.
func Depth(src string) int {
	deepest := 0
	for line := range strings.SplitSeq(src, "\n") { // goldmark ends lines at "\n" only
		deepest = max(deepest, lineDepth(line))
	}
	return deepest
}

// lineDepth bounds the levels that line can hold, from the markers and
// white space it starts with, as in CommonMark, but read generously: a
// marker after four columns of space or within a rule counts too.
func lineDepth(line string) int {
	col, quotes, end := 0, 0, 0 // end: the columns up to the last marker
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ':
			col, i = col+1, i+1
		case c == '\t':
			col, i = col+4-col%4, i+1 // tabs stop every 4 columns
		case c == '>':
			col, i, quotes, end = col+1, i+1, quotes+1, col+1
		default:
			w := listMarker(line[i:])
			if w == 0 {
				i = len(line)
				continue
			}
			col, i, end = col+w, i+w, col+w
		}
	}
	if end == 0 {
		return 0
	}
	return (end + quotes + 1) / 2
}

// listMarker returns the width of the list item marker that starts s
// ("-", "+", "*", or digits and "." or ")", then a space, a tab or the
// end of the line), or 0.
func listMarker(s string) int {
	w := 0
	switch c := s[0]; {
	case c == '-' || c == '+' || c == '*':
		w = 1
	case c >= '0' && c <= '9':
		for w < len(s) && s[w] >= '0' && s[w] <= '9' {
			w++
		}
		if w == len(s) || (s[w] != '.' && s[w] != ')') {
			return 0
		}
		w++
	default:
		return 0
	}
	if w < len(s) && !strings.ContainsRune(" \t\r", rune(s[w])) {
		return 0
	}
	return w
}
