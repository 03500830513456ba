package api_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Every refusal the handlers really give is in the document: each
// operation is called by everyone (anonymous, a member, a focal point,
// another organisation, the secretariat, and a caller whose token is not
// valid, which public routes refuse too rather than read as anonymous)
// with path values that name nothing or are out of range, with every
// query parameter wrong, and with an empty JSON body; each answer must be
// one its operation lists, with the body it promises. A 500 is never
// documented, so it fails here too.
func TestOpenAPIDocumentsEveryRefusal(t *testing.T) {
	doc, router := openAPIRouter(t)
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	callers := map[string]apptest.APIClient{"anonymous": {T: t, Base: sc.TS}, "member": sc.Member,
		"focal point": sc.Focal, "other organisation": sc.Other, "secretariat": sc.Sec,
		"a token that is not valid": sc.Member.WithToken("not-a-token")}
	// Values no route can serve: a year before the first cycle, ids and
	// keys that name nothing, a format that does not exist, and words
	// where numbers are due.
	wrong := []*strings.Replacer{
		strings.NewReplacer("{year}", "1990", "{id}", "999999", "{number}", "13", "{key}", "nope",
			"{provision}", "nope", "{format}", "nope", "{stakeholder_id}", "999999"),
		strings.NewReplacer("{year}", "abc", "{id}", "abc", "{number}", "abc", "{key}", "NOPE!",
			"{provision}", "-", "{format}", "x", "{stakeholder_id}", "abc"),
	}
	paths := make([]string, 0, len(doc.Paths.Map()))
	for path := range doc.Paths.Map() {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	seen := map[int]int{}
	for _, path := range paths {
		for method, op := range doc.Paths.Value(path).Operations() {
			q := url.Values{}
			for _, p := range op.Parameters {
				if p.Value.In == "query" {
					q.Set(p.Value.Name, "x!")
				}
			}
			body := ""
			if op.RequestBody != nil {
				body = "{}"
			}
			for _, r := range wrong {
				for _, target := range []string{r.Replace(path), r.Replace(path) + "?" + q.Encode()} {
					for who, c := range callers {
						res := c.For(t).Do(method, target, body)
						seen[res.Status]++
						req, _ := http.NewRequest(method, "http://localhost"+target, strings.NewReader(body))
						if body != "" {
							req.Header.Set("Content-Type", "application/json")
						}
						if err := documented(router, req, res); err != nil {
							t.Errorf("%s %s as %s answered %d, not as documented: %v\n%.300s", method, target, who, res.Status, err, res.Body)
						}
					}
				}
			}
		}
	}
	t.Logf("answers by status: %v", seen)
}
