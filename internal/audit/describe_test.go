package audit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/framework"
)

// writtenVerbs reads pctracker's source for every verb it writes to the
// log: the verb of each audit.New call, and of each record call of the
// action service, which passes it on. A verb built from parts is expanded
// over the values the parts take.
func writtenVerbs(t *testing.T) map[string]string {
	t.Helper()
	verbs := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			var arg ast.Expr
			switch {
			case sel.Sel.Name == "New" && isIdent(sel.X, "audit") && len(call.Args) > 2:
				arg = call.Args[2]
			case sel.Sel.Name == "record" && len(call.Args) > 3:
				arg = call.Args[3]
			default:
				return true
			}
			where := fset.Position(call.Pos()).String()
			switch v := arg.(type) {
			case *ast.BasicLit:
				s, _ := strconv.Unquote(v.Value)
				verbs[s] = where
			case *ast.BinaryExpr:
				for _, s := range expand(v) {
					verbs[s] = where
				}
				if len(expand(v)) == 0 {
					t.Errorf("%s: a verb built from parts this test does not know; list their values in expand", where)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return verbs
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// expand lists the verbs a verb built from parts can be.
func expand(e *ast.BinaryExpr) []string {
	var b strings.Builder
	ast.Inspect(e, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok {
			s, _ := strconv.Unquote(lit.Value)
			b.WriteString(s + "|")
		}
		return true
	})
	var out []string
	switch b.String() {
	case "action.|": // "action." + string(decision)
		for _, d := range []action.Decision{action.DecisionSubmitted, action.DecisionAccepted,
			action.DecisionChangesRequested, action.DecisionWithdrawn, action.DecisionReopened,
			action.DecisionAssurance, action.DecisionVerified, action.DecisionChallenge} {
			out = append(out, "action."+string(d))
		}
	case "challenge.|": // "challenge." + string(step)
		for _, st := range []challenge.Step{challenge.StepFiled, challenge.StepInadmissible, challenge.StepOpened,
			challenge.StepReplied, challenge.StepDecided, challenge.StepPublished} {
			out = append(out, "challenge."+string(st))
		}
	case "action.provision_|": // "action.provision_" + string(change)
		for _, c := range []framework.Change{framework.Added, framework.Removed} {
			out = append(out, "action.provision_"+string(c))
		}
	case "user.|.password|": // "user." + string(purpose) + ".password"
		for _, p := range []account.Purpose{account.Invite, account.Reset} {
			out = append(out, "user."+string(p)+".password")
		}
	}
	return out
}

// Every verb pctracker writes reads as its own sentence, not the generic
// one: a new verb needs its sentence (here and in the catalogues).
func TestEveryWrittenVerbHasASentence(t *testing.T) {
	verbs := writtenVerbs(t)
	if len(verbs) < 25 {
		t.Fatalf("found only %d verbs in the source: %v", len(verbs), verbs)
	}
	for verb, where := range verbs {
		e := audit.New(1, "someone@example.org", verb, "user", 2, map[string]any{"stakeholder_id": 3.0}, time.Now())
		if s := audit.Describe(e, audit.Names{}); strings.HasPrefix(s.Key, "other") {
			t.Errorf("%s writes %q, which has no sentence", where, verb)
		}
	}
}

// entry builds an entry as the store reads it back: details decoded from
// JSON, numbers as float64.
func entry(actorID int64, label, verb, typ string, id any, details map[string]any) audit.Entry {
	return audit.New(actorID, label, verb, typ, id, details, time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
}

func TestDescribe(t *testing.T) {
	names := audit.Names{
		People: map[int64]audit.PersonName{
			7: {Name: "Camille Martin", Email: "sec@pc.example"},
			8: {Name: "", Email: "focal@quai.example", OrgID: 3}, // no name: the email stands in
		},
		Organisations: map[int64]string{3: "France"},
		Actions: map[int64]audit.ActionName{
			335: {Title: "Export rule", OrgID: 3},
			336: {Title: "Old draft", OrgID: 3, Gone: true},
		},
		Reports: map[int64]audit.ReportName{12: {Year: 2026}},
	}
	cases := []struct {
		name  string
		e     audit.Entry
		key   string
		slots map[string]audit.Slot
		note  string
	}{
		{"accepted", entry(7, "sec@pc.example", "action.accepted", "action", 335, map[string]any{"stakeholder_id": 3.0, "comment": ""}),
			"action.accepted", map[string]audit.Slot{
				"Actor":  {Kind: audit.Person, ID: 7, Text: "Camille Martin"},
				"Action": {Kind: audit.ActionRef, ID: 335, Text: "Export rule"},
				"Org":    {Kind: audit.Organisation, ID: 3, Text: "France"}}, ""},
		{"changes asked, with the comment", entry(7, "sec@pc.example", "action.changes_requested", "action", 335,
			map[string]any{"stakeholder_id": 3.0, "comment": "Link the decree."}),
			"action.changes_requested", nil, "Link the decree."},
		{"a supporter links to their organisation", entry(8, "focal@quai.example", "action.create", "action", 335, map[string]any{"stakeholder_id": 3.0}),
			"action.create", map[string]audit.Slot{"Actor": {Kind: audit.Person, ID: 8, Text: "focal@quai.example", OrgID: 3}}, ""},
		{"a deleted draft keeps its title", entry(8, "focal@quai.example", "action.create", "action", 336, map[string]any{"stakeholder_id": 3.0}),
			"action.create", map[string]audit.Slot{"Action": {Kind: audit.ActionRef, ID: 336, Text: "Old draft", Gone: true}}, ""},
		{"deletion", entry(8, "focal@quai.example", "action.delete", "action", 337, map[string]any{"stakeholder_id": 3.0, "title": "Gone draft"}),
			"action.delete", map[string]audit.Slot{"Action": {Kind: audit.ActionRef, ID: 337, Text: "Gone draft", Gone: true}}, ""},
		{"the scheduler compiles", entry(0, "scheduler", "report.compile", "report", 12, map[string]any{"cycle": 2026.0, "actions": 41.0}),
			"report.compile", map[string]audit.Slot{
				"Actor":  {Kind: audit.Person, Text: "scheduler", System: true},
				"Report": {Kind: audit.ReportRef, ID: 12},
				"Cycle":  {Kind: audit.CycleRef, ID: 2026},
				"Count":  {Kind: audit.Number, N: 41}}, ""},
		{"a secretariat account", entry(0, "cli", "user.create", "user", 7, map[string]any{"email": "sec@pc.example", "role": "secretariat", "stakeholder_id": 0.0}),
			"user.create.secretariat", map[string]audit.Slot{"Person": {Kind: audit.Person, ID: 7, Text: "Camille Martin"}}, ""},
		{"an invitation", entry(7, "sec@pc.example", "user.invite", "user", 99, map[string]any{"email": "new@quai.example", "stakeholder_id": 3.0, "org_role": "member"}),
			"user.invite", map[string]audit.Slot{"Person": {Kind: audit.Person, ID: 99, Text: "new@quai.example", Gone: true},
				"Role": {Kind: audit.Role, Text: "member"}}, ""},
		{"own token", entry(8, "focal@quai.example", "token.create", "user", 8, map[string]any{"token_id": 4.0, "name": "CI"}),
			"token.create.own", map[string]audit.Slot{"Name": {Kind: audit.Text, Text: "CI"}}, ""},
		{"a token for someone", entry(0, "cli", "token.create", "user", 8, map[string]any{"token_id": 4.0, "name": "CI"}),
			"token.create", map[string]audit.Slot{"Person": {Kind: audit.Person, ID: 8, Text: "focal@quai.example", OrgID: 3}}, ""},
		{"an extension", entry(7, "sec@pc.example", "cycle.extend", "cycle", 2026, map[string]any{"stakeholder_id": 3.0, "deadline": "2026-10-15T00:00:00Z"}),
			"cycle.extend", map[string]audit.Slot{"Date": {Kind: audit.Date, Time: time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)},
				"Cycle": {Kind: audit.CycleRef, ID: 2026}}, ""},
		{"an extension revoked", entry(7, "sec@pc.example", "cycle.revoke_extension", "cycle", 2026, map[string]any{"stakeholder_id": 3.0,
			"deadline": "2026-10-15T00:00:00Z", "granted_by": 8.0, "granted_at": "2026-09-01T09:00:00Z"}),
			"cycle.revoke_extension", map[string]audit.Slot{"Date": {Kind: audit.Date, Time: time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)},
				"Cycle": {Kind: audit.CycleRef, ID: 2026}}, ""},
		{"a reviewer designated until a day", entry(7, "sec@pc.example", "stakeholder.reviewer", "stakeholder", 3,
			map[string]any{"name": "France", "reviewer": true, "since": "2026-09-01T00:00:00Z", "until": "2027-06-30T00:00:00Z"}),
			"stakeholder.reviewer", map[string]audit.Slot{"Org": {Kind: audit.Organisation, ID: 3, Text: "France"},
				"Since": {Kind: audit.Date, Time: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)},
				"Until": {Kind: audit.Date, Time: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)}}, ""},
		{"a reviewer designated with no end", entry(7, "sec@pc.example", "stakeholder.reviewer", "stakeholder", 3,
			map[string]any{"name": "France", "reviewer": true, "since": "2026-09-01T00:00:00Z", "until": nil}),
			"stakeholder.reviewer.open", map[string]audit.Slot{"Since": {Kind: audit.Date, Time: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)},
				"Until": {}}, ""},
		{"a designation ended, of an organisation gone since", entry(7, "sec@pc.example", "stakeholder.reviewer", "stakeholder", 44,
			map[string]any{"name": "Old Lab", "reviewer": false, "since": nil, "until": nil}),
			"stakeholder.reviewer.ended", map[string]audit.Slot{"Org": {Kind: audit.Organisation, ID: 44, Text: "Old Lab", Gone: true},
				"Since": {}}, ""},
		{"an unknown verb on a known object", entry(7, "sec@pc.example", "download.document", "report", 12, nil),
			"other.report", map[string]audit.Slot{"Verb": {Kind: audit.Text, Text: "download document"}, "Object": {Kind: audit.ReportRef, ID: 12}}, ""},
		{"an unknown verb on an unknown object", entry(0, "scheduler", "job.run", "job", "housekeeping", nil),
			"other", map[string]audit.Slot{"Verb": {Kind: audit.Text, Text: "job run"}, "Object": {Kind: audit.Text, Text: "job housekeeping"}}, ""},
		{"an unknown verb on nothing", entry(0, "scheduler", "test.effect", "", "", nil),
			"other.bare", map[string]audit.Slot{"Verb": {Kind: audit.Text, Text: "test effect"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := audit.Describe(c.e, names)
			if s.Key != c.key || s.Note != c.note {
				t.Errorf("key %q note %q, want %q %q", s.Key, s.Note, c.key, c.note)
			}
			for name, want := range c.slots {
				if got := s.Slots[name]; got != want {
					t.Errorf("%s: %+v, want %+v", name, got, want)
				}
			}
		})
	}
}

// A page names each record once, whatever the number of entries about it.
func TestWants(t *testing.T) {
	var entries []audit.Entry
	for i := 0; i < 100; i++ {
		entries = append(entries, entry(7, "sec@pc.example", "action.update", "action", 335, map[string]any{"stakeholder_id": 3.0}))
	}
	entries = append(entries, entry(0, "cli", "user.create", "user", 8, map[string]any{"stakeholder_id": 3.0}),
		entry(7, "sec@pc.example", "report.publish", "report", 12, nil))
	w := audit.Wants(entries)
	if len(w.People) != 2 || len(w.Organisations) != 1 || len(w.Actions) != 1 || len(w.Reports) != 1 {
		t.Errorf("wanted %+v", w)
	}
}
