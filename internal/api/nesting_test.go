package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/markdown"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// A description nested deeper than markdown.MaxDepth is refused on save,
// with a field error on description, by the API, the editor and the
// import alike: the rule is the domain's. Nested that deep and no deeper,
// it is saved.
func TestDescriptionNestingRefused(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		deep := strings.Repeat(">", 19000) + " x" // the attack: 300 ms to parse, on every uncached view
		body := func(description string) string {
			var b map[string]any
			_ = json.Unmarshal([]byte(apptest.NewActionBody), &b)
			b["description"] = description
			out, _ := json.Marshal(b)
			return string(out)
		}
		fieldOf := func(r apptest.Response) string {
			return apptest.Decode[struct {
				Error struct{ Fields map[string]string }
			}](t, r).Error.Fields["description"]
		}

		r := sc.Member.Do("POST", "/api/v1/actions", body(deep))
		if r.Status != 422 || fieldOf(r) != action.TooDeep {
			t.Errorf("API create: %d %.300s", r.Status, r.Body)
		}
		for _, d := range []string{strings.Repeat("- ", 33) + "x", nestedList(33)} {
			if r := sc.Member.Do("POST", "/api/v1/actions", body(d)); r.Status != 422 || fieldOf(r) != action.TooDeep {
				t.Errorf("API create, %.20q: %d %.300s", d, r.Status, r.Body)
			}
		}
		r = sc.Member.Do("POST", "/api/v1/actions", body(strings.Repeat(">", markdown.MaxDepth)+" x"))
		a := apptest.Decode[apptest.ActionJSON](t, r)
		if r.Status != 201 {
			t.Fatalf("API create, %d levels: %d %s", markdown.MaxDepth, r.Status, r.Body)
		}
		path := fmt.Sprintf("/api/v1/actions/%d", a.ID)
		patch, _ := json.Marshal(map[string]any{"version": a.Version, "description": "> " + strings.Repeat("> ", markdown.MaxDepth) + "x"})
		if r := sc.Member.Do("PATCH", path, string(patch)); r.Status != 422 || fieldOf(r) != action.TooDeep {
			t.Errorf("API edit: %d %.300s", r.Status, r.Body)
		}

		// The editor: the same refusal, in the page's language, with the
		// text kept.
		form := url.Values{"cycle": {"2026"}, "op": {"save"}, "title": {"Deep"}, "description": {deep}, "recommendations": {"2"},
			"stage": {"planned"}, "measure": {"export_controls"}, "scope": {"national"}, "visibility": {"public"}}
		r = sc.Member.Form("/actions", form)
		if r.Status != 422 || strings.Count(r.Body, "Quotes and lists may be nested at most 32 levels deep") != 2 ||
			!strings.Contains(r.Body, strings.Repeat("&gt;", 100)) {
			t.Errorf("editor: %d", r.Status)
		}
		if r := sc.Member.Form("/actions?lang=fr", form); r.Status != 422 || !strings.Contains(r.Body, "citations et listes s&#39;imbriquent sur 32 niveaux au plus") {
			t.Errorf("editor in French: %d", r.Status)
		}

		// The import names the line and the column.
		csv := apptest.CSVHeader + "Deep,\"" + deep + "\",2,adopted,export_controls,national,public,,,,,\n"
		r = sc.Member.Do("POST", "/api/v1/actions/import?cycle=2026", csv, "Content-Type", "text/csv")
		refused := apptest.Decode[struct {
			Errors []struct {
				Line    int
				Column  string
				Message string
			}
		}](t, r)
		if r.Status != 422 || len(refused.Errors) != 1 || refused.Errors[0].Line != 2 || refused.Errors[0].Column != "description" ||
			!strings.Contains(refused.Errors[0].Message, action.TooDeep) {
			t.Errorf("import: %d %.300s", r.Status, r.Body)
		}
		if mine := apptest.Decode[struct{ Total int }](t, sc.Member.Do("GET", "/api/v1/my/actions?cycle=2026", "")); mine.Total != 1 {
			t.Errorf("%d actions saved, want only the one nested %d deep", mine.Total, markdown.MaxDepth)
		}
	})
}

// nestedList is a list nested levels deep by indentation, two columns a
// level.
func nestedList(levels int) string {
	var b strings.Builder
	for i := range levels {
		b.WriteString(strings.Repeat("  ", i) + "- item\n")
	}
	return b.String()
}
