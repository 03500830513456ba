package markdown_test

import (
	"html"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/markdown"
)

// activeElements are the elements that run code, load other documents,
// restyle the page or submit data: none may come out of the renderer.
var activeElements = map[string]bool{
	"script": true, "iframe": true, "frame": true, "frameset": true, "object": true, "embed": true,
	"applet": true, "style": true, "link": true, "meta": true, "base": true, "form": true, "svg": true,
	"math": true, "template": true, "noscript": true, "input": true, "button": true, "textarea": true,
	"select": true,
}

// urlAttributes are the attributes a browser follows or loads.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "cite": true, "background": true,
	"poster": true, "data": true, "longdesc": true, "usemap": true, "manifest": true, "ping": true,
	"xlink:href": true, "srcset": true,
}

type tag struct {
	name  string
	attrs [][2]string // name, raw value (still escaped)
}

// scanTags reads the tags of the renderer's output. The sanitiser escapes
// every "<" of text, so each "<" left starts a tag; the reader follows the
// way browsers split attributes, so that what it sees is what a browser
// would see.
func scanTags(s string) []tag {
	var tags []tag
	for i := 0; i < len(s); i++ {
		if s[i] != '<' || i+1 >= len(s) {
			continue
		}
		j := i + 1
		if s[j] == '/' {
			j++
		}
		start := j // a comment or declaration keeps its "!" or "?" in the name
		if j < len(s) && (s[j] == '!' || s[j] == '?') {
			j++
		}
		for j < len(s) && !isSpace(s[j]) && s[j] != '>' && s[j] != '/' {
			j++
		}
		t := tag{name: strings.ToLower(s[start:j])}
		for j < len(s) && s[j] != '>' {
			if isSpace(s[j]) || s[j] == '/' {
				j++
				continue
			}
			n := j
			for j < len(s) && !isSpace(s[j]) && s[j] != '>' && s[j] != '/' && s[j] != '=' {
				j++
			}
			name := strings.ToLower(s[n:j])
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			value := ""
			if j < len(s) && s[j] == '=' {
				j++
				for j < len(s) && isSpace(s[j]) {
					j++
				}
				if j < len(s) && (s[j] == '"' || s[j] == '\'') {
					q := s[j]
					v := j + 1
					for j = v; j < len(s) && s[j] != q; j++ {
					}
					value = s[v:min(j, len(s))]
					j++
				} else {
					v := j
					for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
						j++
					}
					value = s[v:j]
				}
			}
			t.attrs = append(t.attrs, [2]string{name, value})
		}
		tags = append(tags, t)
		i = j
	}
	return tags
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// unsafeURL reports whether a browser would run or load a dangerous scheme
// from value: browsers decode entities and skip whitespace and control
// characters before they read the scheme.
func unsafeURL(value string) bool {
	var b strings.Builder
	for _, r := range html.UnescapeString(value) {
		if r > ' ' && r != 0x7f {
			b.WriteRune(r)
		}
	}
	v := strings.ToLower(b.String())
	// Only the scheme matters: "#data:" or "?q=javascript:" are a fragment
	// and a query of this page's own address.
	scheme, _, found := strings.Cut(v, ":")
	if !found || strings.ContainsAny(scheme, "/?#") {
		return false // a relative address
	}
	switch scheme {
	case "http", "https", "mailto":
		return false
	}
	return true
}

// problemsIn lists what in rendered HTML could run code, load a frame or
// restyle the page.
func problemsIn(out string) []string {
	var problems []string
	for _, t := range scanTags(out) {
		if strings.HasPrefix(t.name, "!") || strings.HasPrefix(t.name, "?") {
			problems = append(problems, "a comment or declaration: <"+t.name)
		}
		if activeElements[strings.TrimLeft(t.name, "/")] {
			problems = append(problems, "element <"+t.name+">")
		}
		for _, a := range t.attrs {
			switch name, value := a[0], a[1]; {
			case strings.HasPrefix(name, "on"):
				problems = append(problems, "event handler "+name+" on <"+t.name+">")
			case name == "style" || name == "srcdoc":
				problems = append(problems, "attribute "+name+" on <"+t.name+">")
			case urlAttributes[name] && unsafeURL(value):
				problems = append(problems, name+"="+value+" on <"+t.name+">")
			}
		}
	}
	return problems
}

// The checker itself must see what it is meant to see, or the fuzz target
// below proves nothing.
func TestProblemsInFindsActiveContent(t *testing.T) {
	for _, bad := range []string{
		`<script>x</script>`, `<p><SCRIPT src="https://e.example/x.js"></SCRIPT></p>`, `<iframe src="https://e.example">`,
		`<img src="x" onerror="alert(1)">`, `<a href="java&#x09;script:alert(1)">x</a>`, `<a href=" JavaScript:alert(1)">x</a>`,
		`<p style="display:none">x</p>`, `<object data="x"></object>`, `<img src=data:image/svg+xml,x>`, `<a href='vbscript:x'>`,
		`<a title="x"onclick="y">`, `<a href="ftp://e.example/">`, `<!-- x -->`,
	} {
		if len(problemsIn(bad)) == 0 {
			t.Errorf("not seen: %s", bad)
		}
	}
	for _, good := range []string{
		`<p>javascript:alert(1) onclick=x style=y &lt;script&gt;</p>`, `<a href="https://example.org/a?b=c" rel="nofollow noreferrer">x</a>`,
		`<a href="/actions/12">x</a>`, `<a href="mailto:a@example.org">a</a>`, `<img src="https://e.example/i.png" alt="on" title="style">`,
		`<a href="#fn:1">1</a>`, `<code>&lt;iframe&gt;</code>`,
	} {
		if p := problemsIn(good); len(p) > 0 {
			t.Errorf("%s: %v", good, p)
		}
	}
}

// FuzzRenderMarkup renders arbitrary Markdown and reads the tags of the
// result: no element that runs code, frames or submits; no event handler or
// style attribute; no address with a scheme other than http, https and
// mailto. Unlike a search of the whole text, it lets people write about
// "javascript:" in prose.
func FuzzRenderMarkup(f *testing.F) {
	for _, s := range []string{
		"**Adopted** by decree, see [the text](https://example.org/decree).",
		"<script>alert(1)</script>",
		"[x](javascript:alert(1))",
		"[x](JaVaScRiPt:alert(1))",
		"[x](java\tscript:alert(1))",
		"[x](&#106;avascript:alert(1))",
		"![x](data:image/svg+xml;base64,PHN2Zz4=)",
		`<img src=x onerror="alert(1)">`,
		`<a href="https://example.org" onclick="alert(1)">x</a>`,
		"<iframe src=https://evil.example></iframe>",
		"<style>body{display:none}</style>",
		`<p style="position:fixed">x</p>`,
		"<svg><script>alert(1)</script></svg>",
		"<object data=x></object><embed src=x>",
		"<form action=https://evil.example><button>go</button></form>",
		"[a]: javascript:alert(1)\n\n[link][a]",
		"<javascript:alert(1)>",
		"www.evil.example/<script>",
		"| a | b |\n|---|---|\n| <script> | [x](javascript:y) |",
		"- [x] <input onfocus=alert(1) autofocus>",
		"```html\n<script>alert(1)</script>\n```",
		"<!-- <script>alert(1)</script> -->",
		"Write javascript: in prose, or onclick= and style= as words.",
	} {
		f.Add(s)
	}
	r := markdown.New()
	f.Fuzz(func(t *testing.T, src string) {
		out := string(r.HTML(src))
		if p := problemsIn(out); len(p) > 0 {
			t.Fatalf("%q rendered %q: %v", src, out, p)
		}
	})
}

// FuzzDepth holds Depth to never say less than the parser builds, so that
// nothing deeper than MaxDepth reaches goldmark through a check of Depth.
func FuzzDepth(f *testing.F) {
	for _, s := range depthSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 2000 {
			return // the parser's own cost grows faster than the text
		}
		if got, want := markdown.Depth(src), parsedDepth(src); got < want {
			t.Fatalf("%q: Depth %d, parsed %d", src, got, want)
		}
	})
}
