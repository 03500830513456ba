package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Every figure the public pages link to a list of actions is the number of
// actions that list states: a figure that counts organisations is not
// linked itself, and says beside it, linked, how many actions its list
// holds. The data are generated, several organisations acting on the same
// recommendation, so that the two counts differ.
func TestLinkedFiguresMatchTheirLists(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) // after the Forum: every cycle is public
		testutil.Generate(t, db, store.GenerateOptions{Organisations: 90, Cycles: 3, ActionsPerCycle: 160, Seed: 19, Now: now})
		ts := apptest.StartServerAt(t, db, func() time.Time { return now }).URL
		pages := []string{"/?lang=en", "/?cycle=2025&lang=en", "/?cycle=2024&lang=fr", "/frameworks?lang=en"}
		for n := 1; n <= 12; n++ {
			pages = append(pages, fmt.Sprintf("/recommendations/%d?lang=en", n))
		}
		checkFigureLinks(t, nil, ts, pages, 200)
	})
}

// checkFigureLinks follows every link of the pages that holds a figure
// to a list of actions, and compares the figure with the list's total;
// at least that many links must be found.
func checkFigureLinks(t *testing.T, client *http.Client, base string, pages []string, least int) {
	t.Helper()
	totals := map[string]int{} // a list's total, by its address
	checked, differ := 0, 0
	for _, p := range pages {
		r := apptest.Get(t, client, base+p)
		if r.Status != 200 {
			t.Fatalf("GET %s: %d", p, r.Status)
		}
		for _, l := range figureLinks(t, r.Body) {
			total, ok := totals[l.href]
			if !ok {
				list := apptest.Get(t, client, base+l.href)
				if list.Status != 200 {
					t.Fatalf("GET %s (from %s): %d", l.href, p, list.Status)
				}
				total = statedTotal(t, list.Body)
				totals[l.href] = total
			}
			checked++
			if l.figure != total {
				differ++
				t.Errorf("%s: the figure %d links to %s, which lists %d", p, l.figure, l.href, total)
			}
		}
	}
	if checked < least {
		t.Errorf("only %d linked figures checked: the pages lost their links", checked)
	}
	t.Logf("%d linked figures on %d pages, %d differ from their list", checked, len(pages), differ)
}

type figureLink struct {
	href   string
	figure int
}

// figureLinks finds the links of main to a list of actions whose text,
// read as a sighted person reads it, holds a number.
func figureLinks(t *testing.T, page string) []figureLink {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []figureLink
	var walk func(n *html.Node, inMain bool)
	walk = func(n *html.Node, inMain bool) {
		if n.Type == html.ElementNode && n.Data == "main" {
			inMain = true
		}
		if inMain && n.Type == html.ElementNode && n.Data == "a" {
			href := attr(n, "href")
			if u, err := url.Parse(href); err == nil && u.Path == "/actions" {
				if digits := onlyDigits(visibleText(n)); digits != "" {
					v, _ := strconv.Atoi(digits)
					out = append(out, figureLink{href, v})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inMain)
		}
	}
	walk(doc, false)
	return out
}

// statedTotal is the count the list of actions states above its items.
func statedTotal(t *testing.T, page string) int {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var status *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if status == nil && n.Type == html.ElementNode && n.Data == "p" && attr(n, "role") == "status" {
			status = n
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if status == nil {
		t.Fatalf("the list states no total: %.300s", page)
	}
	v, err := strconv.Atoi(onlyDigits(visibleText(status)))
	if err != nil {
		t.Fatalf("the list's total %q: %v", visibleText(status), err)
	}
	return v
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// visibleText is the text of n without what is there for screen readers
// only.
func visibleText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	if n.Type == html.ElementNode && strings.Contains(" "+attr(n, "class")+" ", " visually-hidden ") {
		return ""
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(visibleText(c))
	}
	return b.String()
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}
