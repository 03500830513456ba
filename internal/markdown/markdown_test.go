package markdown_test

import (
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/markdown"
)

func TestRenderIsSafe(t *testing.T) {
	r := markdown.New()
	for _, c := range []struct{ in, want string }{
		{"**Adopted** by decree", "<strong>Adopted</strong>"},
		{"- one\n- two", "<li>one</li>"},
		{"[decree](https://example.org/d)", `href="https://example.org/d"`},
	} {
		if got := string(r.HTML(c.in)); !strings.Contains(got, c.want) {
			t.Errorf("%q: %s", c.in, got)
		}
	}
	for _, attack := range []string{
		"<script>alert(1)</script>",
		"[x](javascript:alert(1))",
		`<img src=x onerror="alert(1)">`,
		"<iframe src=https://evil.example></iframe>",
		`<a href="https://example.org" onclick="alert(1)">x</a>`,
		"![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"<style>body{display:none}</style>",
	} {
		got := strings.ToLower(string(r.HTML(attack)))
		for _, bad := range []string{"<script", "javascript:", "onerror", "onclick", "<iframe", "data:text/html", "<style"} {
			if strings.Contains(got, bad) {
				t.Errorf("%q survived as %s", attack, got)
			}
		}
	}
}

// Text nested deeper than MaxDepth, which saving refuses but which may
// have been stored before, is shown as text rather than parsed on every
// view.
func TestRenderShowsTooDeepAsText(t *testing.T) {
	r := markdown.New()
	deep := strings.Repeat(">", 19000) + " <b>x</b>"
	got := string(r.HTML(deep))
	if strings.Contains(got, "<blockquote>") || strings.Contains(got, "<b>") || !strings.HasSuffix(got, "&gt; &lt;b&gt;x&lt;/b&gt;") {
		t.Errorf("rendered %.80q", got)
	}
	if got := string(r.HTML(strings.Repeat(">", markdown.MaxDepth) + " x")); strings.Count(got, "<blockquote>") != markdown.MaxDepth {
		t.Errorf("%d levels are not rendered: %.80q", markdown.MaxDepth, got)
	}
}
