package action_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", nil},
		{"   ", nil},
		{"sanctions brokers", []string{"sanctions", "brokers"}},
		{"Spyware MERCENARY spyware", []string{"spyware", "mercenary"}},
		{"Sécurité", []string{"securite"}},
		{"se\u0301curite\u0301", []string{"securite"}}, // accents typed as combining marks
		{`"sanc" & brok:* | !x -y (z)`, []string{"sanc", "brok", "x", "y", "z"}},
		{`' OR 1=1 --`, []string{"or", "1"}},
		{"e-mail's", []string{"e", "mail", "s"}},
		{"日本語 данные", []string{"日本語", "данные"}},
		{"a b c d e f g h i j", []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		{strings.Repeat("x", 100), []string{strings.Repeat("x", 40)}},
		{"\xff\xfe", nil},
	} {
		if got := action.Words(c.query); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.query, got, c.want)
		}
	}
}

// marked writes parts as the pages do, the matches in brackets.
func marked(parts []action.Part) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Match {
			b.WriteString("[" + p.Text + "]")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func TestHighlight(t *testing.T) {
	for _, c := range []struct {
		text, query, want string
	}{
		{"Targeted sanctions against spyware brokers", "brok sanc", "Targeted [sanctions] against spyware [brokers]"},
		{"Sécurité des réseaux", "securite RES", "[Sécurité] des [réseaux]"},
		{"Targeted sanctions", "", "Targeted sanctions"},
		{"no match here", "zzz", "no match here"},
		{"<b>brokers</b>", "b", "<[b]>[brokers]</[b]>"}, // the pages escape each part
	} {
		if got := marked(action.Highlight(c.text, action.Words(c.query))); got != c.want {
			t.Errorf("Highlight(%q, %q) = %q, want %q", c.text, c.query, got, c.want)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("filler words here ", 30) + "the spyware brokers were named " + strings.Repeat("and more text ", 30)
	for _, c := range []struct {
		text, query, want string
		max               int
	}{
		{"short text about brokers", "brok", "short text about [brokers]", 100},
		{long, "brok", "… filler words here filler words here the spyware [brokers] were named and more text and more …", 90},
		{long, "zzz", "filler words here filler words …", 30},
		{"  spaced\n\nout   brokers ", "brokers", "spaced out [brokers]", 100},
	} {
		got := marked(action.Snippet(c.text, action.Words(c.query), c.max))
		if got != c.want {
			t.Errorf("Snippet(%.30q, %q) = %q, want %q", c.text, c.query, got, c.want)
		}
	}
}
