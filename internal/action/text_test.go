package action_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// refusedAt fails unless err refuses the input for field alone, in the
// words of the text rule.
func refusedAt(t *testing.T, what string, err error, field string) {
	t.Helper()
	fields := errs.FieldsOf(err)
	msg := fields[field]
	if !errs.Is(err, errs.Invalid) || len(fields) != 1 || !(strings.Contains(msg, "UTF-8") || strings.Contains(msg, "character")) {
		t.Errorf("%s: %v, want %s refused by the text rule", what, err, field)
	}
}

// Every text field of every input about actions follows the text rule:
// the action's title, description, evidence addresses and titles on
// create and on update, the secretariat's review comment, the
// organisation's reply, and the same cells of a CSV import. Each hostile
// value is refused with its field named, and nothing is written.
func TestTextRule(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org := s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026) // open: the clock stands on 1 September 2026
		person := func(email string, role user.OrgRole) user.Actor {
			u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: email, Name: email, Role: user.Supporter,
				StakeholderID: org.ID, OrgRole: role})
			if err != nil {
				t.Fatal(err)
			}
			return u.Actor()
		}
		member, focal := person("member@org.example", user.Member), person("focal@org.example", user.FocalPoint)
		draft := s.Action(t, org, c)
		submitted, err := s.Actions.Move(ctx, focal, s.Action(t, org, c).ID, 1, action.Submitted, "")
		if err != nil {
			t.Fatal(err)
		}
		returned, err := s.Actions.Move(ctx, focal, s.Action(t, org, c).ID, 1, action.Submitted, "")
		if err == nil {
			returned, err = s.Actions.Review(ctx, testutil.System, returned.ID, returned.Version, action.Review{Comment: "Add the decree."})
		}
		if err != nil {
			t.Fatal(err)
		}
		before := testutil.Writes(t, db)

		fields := []struct {
			name, column string
			set          func(in *action.Input, v string)
		}{
			{"title", "title", func(in *action.Input, v string) { in.Title = "National " + v + " guidelines" }},
			{"description", "description", func(in *action.Input, v string) { in.Description = "Adopted\n\tby " + v + " decree." }},
			{"evidence.0.url", "evidence_url", func(in *action.Input, v string) { in.Evidence[0].URL = "https://example.org/" + v }},
			{"evidence.0.title", "evidence_title", func(in *action.Input, v string) { in.Evidence[0].Title = "Decree " + v }},
		}
		for _, h := range testutil.HostileText {
			for _, f := range fields {
				in := testutil.ActionInput()
				f.set(&in, h.Value)
				_, err := s.Actions.Create(ctx, member, org.ID, c.ID, in)
				refusedAt(t, "create, "+h.Name+" in "+f.name, err, f.name)
				in = testutil.ActionInput()
				f.set(&in, h.Value)
				_, err = s.Actions.Update(ctx, member, draft.ID, draft.Version, func(cur *action.Input) { *cur = in })
				refusedAt(t, "update, "+h.Name+" in "+f.name, err, f.name)

				// The same value in the same cell of a CSV import.
				row := map[string]string{"title": "Imported", "description": "", "evidence_url": "https://example.org/d", "evidence_title": "Decree"}
				in = testutil.ActionInput()
				f.set(&in, h.Value)
				row[f.column] = map[string]string{"title": in.Title, "description": in.Description,
					"evidence_url": in.Evidence[0].URL, "evidence_title": in.Evidence[0].Title}[f.column]
				_, err = s.Actions.Import(ctx, member, 2026, strings.NewReader(csvQuoted(row)))
				var ie *action.ImportError
				if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Line != 2 || ie.Problems[0].Column != f.column {
					t.Errorf("import, %s in %s: %v %+v", h.Name, f.column, err, ie)
				}
			}
			_, err := s.Actions.Review(ctx, testutil.System, submitted.ID, submitted.Version,
				action.Review{Comment: "Please add\nthe " + h.Value + " decree."})
			refusedAt(t, "review comment, "+h.Name, err, "comment")
			_, err = s.Actions.Move(ctx, focal, returned.ID, returned.Version, action.Submitted, "We disagree:\r\n"+h.Value)
			refusedAt(t, "reply, "+h.Name, err, "comment")
			if after := testutil.Writes(t, db); after != before {
				t.Fatalf("%s: refused inputs wrote: %s, then %s", h.Name, before, after)
			}
		}

		// Whitespace: a one-line field folds tabs and line breaks into a
		// space, one of several lines keeps them (CRLF as a textarea sends
		// it becomes LF); anywhere else a line break is refused.
		in := testutil.ActionInput()
		in.Title, in.Description = "National\tguidelines\r\non use", "Line one\r\n\tline two"
		a, err := s.Actions.Update(ctx, member, draft.ID, draft.Version, func(cur *action.Input) { *cur = in })
		if err != nil || a.Title != "National guidelines on use" || a.Description != "Line one\n\tline two" {
			t.Errorf("whitespace: %q %q %v", a.Title, a.Description, err)
		}
		for field, set := range map[string]func(in *action.Input){
			"description":    func(in *action.Input) { in.Description = "a lone\rreturn" },
			"evidence.0.url": func(in *action.Input) { in.Evidence[0].URL = "https://example.org/a\nb" },
		} {
			in := testutil.ActionInput()
			set(&in)
			_, err := s.Actions.Update(ctx, member, a.ID, a.Version, func(cur *action.Input) { *cur = in })
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[field] == "" {
				t.Errorf("%s: %v", field, err)
			}
		}
		if _, err := s.Actions.Review(ctx, testutil.System, submitted.ID, submitted.Version,
			action.Review{Comment: "Line one\r\nline two,\twith a tab."}); err != nil {
			t.Errorf("a comment of several lines: %v", err)
		}
	})
}

// csvQuoted is an import file of one action whose text cells are row's,
// each quoted.
func csvQuoted(row map[string]string) string {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	return header + q(row["title"]) + "," + q(row["description"]) + ",1,planned,advocacy,national,public,,,law," +
		q(row["evidence_url"]) + "," + q(row["evidence_title"]) + "\n"
}
