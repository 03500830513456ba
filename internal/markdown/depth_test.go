package markdown_test

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/pctracker/pctracker/internal/markdown"
)

// parsedDepth is the nesting of block quotes and list items in the tree
// goldmark builds: what Depth must never understate.
func parsedDepth(src string) int {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	doc := md.Parser().Parse(text.NewReader([]byte(src)))
	deepest := 0
	var walk func(n ast.Node, d int)
	walk = func(n ast.Node, d int) {
		switch n.Kind() {
		case ast.KindBlockquote, ast.KindListItem:
			d++
		}
		deepest = max(deepest, d)
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			walk(c, d)
		}
	}
	walk(doc, 0)
	return deepest
}

// depthSeeds are texts whose nesting Depth must read as the parser does:
// quotes and lists in each other, by markers and by indentation, with
// tabs, lazy lines, code and rules.
var depthSeeds = []string{
	"plain text",
	"> a",
	"> > > a",
	">>>a",
	"- a\n  - b\n    - c",
	"- a\n    - b\n        - c",
	"1. a\n   1. b\n      1. c",
	"- > - > a",
	"> - a\n>   - b\n>     > c",
	"- a\n\n  b\n\n  - c",
	"- a\n  - b\nlazy\n    - c",
	"> > a\nlazy\n> > > b",
	"-\ta\n\t-\tb\n\t\t-\tc",
	">\t>\ta",
	" -  a\n    -   b",
	"-     code\n  - b",
	"-\n  a\n  -\n    b",
	"* * *\n- - -\n- - - a",
	"    > not a quote\n    - not a list",
	"```\n> > >\n```\n- a",
	"- a\n  ```\n  > x\n  ```\n  - b",
	"10) a\n    2. b",
	"1234567890. not a list",
	"+ a\r\n  + b\r  + c",
	"- a\n - b\n  - c\n   - d\n    - e",
	"> a\n\n> b\n>\n> > c",
	"- [ ] task\n  - [x] done",
	"| a | b |\n|---|---|\n| > c | - d |",
	strings.Repeat(">", 40) + " deep",
	strings.Repeat("- ", 40) + "deep",
	strings.Repeat("> - ", 20) + "deep",
}

// Depth never reads the seeds as shallower than the parser does, reads
// ordinary nesting exactly, and the deep ones as too deep.
func TestDepth(t *testing.T) {
	for _, src := range depthSeeds {
		if got, want := markdown.Depth(src), parsedDepth(src); got < want {
			t.Errorf("%q: Depth %d, parsed %d", src, got, want)
		}
	}
	for src, want := range map[string]int{
		"Some **bold** text, a - b, 1.5 > 1\n\n    indented code - with > signs": 0,
		"- one\n- two\n\n1. first\n2. second":                                    1,
		"- a\n  - b\n    - c":                                                    3,
		"> quoted\n>> and quoted again":                                          2,
		strings.Repeat(">", 33) + " x":                                           33,
		strings.Repeat("- ", 33) + "x":                                           33,
	} {
		if got := markdown.Depth(src); got != want {
			t.Errorf("Depth(%.40q) = %d, want %d", src, got, want)
		}
	}
	for _, deep := range []string{
		strings.Repeat("> ", 19000) + "x",
		strings.Repeat("1. ", 25) + "x",
		nested(33, 2),
		nested(17, 4),
	} {
		if got := markdown.Depth(deep); got <= markdown.MaxDepth {
			t.Errorf("Depth(%.40q) = %d, not above %d", deep, got, markdown.MaxDepth)
		}
	}
	if got := markdown.Depth(nested(16, 4)); got > markdown.MaxDepth {
		t.Errorf("a list nested 16 levels by four columns counts %d", got)
	}
}

// nested is a list nested levels deep, each level indented by step
// columns more than the one before.
func nested(levels, step int) string {
	var b strings.Builder
	for i := range levels {
		b.WriteString(strings.Repeat(" ", i*step) + "- item\n")
	}
	return b.String()
}
