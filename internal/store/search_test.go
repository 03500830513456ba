package store_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Search finds the public actions that hold every word asked, in any
// order, each as the beginning of a word, case and accents ignored, best
// match first, on both engines; whatever is typed, it answers a list or a
// field error, never a database error.
func TestSearchActions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		org := s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		add := func(title, description string, rec int, stage action.Stage) action.Action {
			in := testutil.ActionInput()
			in.Title, in.Description, in.Recommendations, in.Stage = title, description, []int{rec}, stage
			return s.Accepted(t, org, c, in)
		}
		const (
			sanctions = "Targeted sanctions against spyware brokers"
			export    = "Mercenary spyware export controls"
			guideline = "Guidelines on mercenary spyware"
			securite  = "Sécurité des réseaux et logiciels espions"
			brokerage = "Brokerage of vulnerabilities"
			register  = "A public register of vendors"
		)
		add(sanctions, "Asset freezes for vendors who sell to abusers.", 7, action.Implemented)
		add(export, "Licences for intrusion software.", 2, action.Adopted)
		add(guideline, "What the services may buy.", 1, action.Adopted)
		add(securite, "Lignes directrices nationales.", 1, action.Planned)
		add(brokerage, "Coordinated disclosure with a bug bounty.", 10, action.InProgress)
		add(register, "Who may export and to whom.", 6, action.Adopted)
		draft := testutil.ActionInput()
		draft.Title = "Draft sanctions against spyware brokers"
		if _, err := s.Actions.Create(ctx, testutil.System, org.ID, c.ID, draft); err != nil {
			t.Fatal(err)
		}
		all := []string{sanctions, export, guideline, securite, brokerage, register}

		for _, tc := range []struct {
			name, q string
			filter  action.Filter
			want    []string
			ordered bool // the order is the relevance's, not only the set
		}{
			{name: "both words", q: "sanctions brokers", want: []string{sanctions}},
			{name: "any order", q: "brokers sanctions", want: []string{sanctions}},
			{name: "any order, several", q: "spyware mercenary", want: []string{export, guideline}},
			{name: "the other order", q: "mercenary spyware", want: []string{export, guideline}},
			{name: "prefixes", q: "sanc brok", want: []string{sanctions}},
			{name: "a prefix of two words", q: "brok", want: []string{sanctions, brokerage}},
			{name: "case", q: "SPYWARE Brokers", want: []string{sanctions}},
			{name: "accents ignored", q: "securite", want: []string{securite}},
			{name: "accents typed", q: "SÉCURITÉ réseaux", want: []string{securite}},
			{name: "accents typed on a word without", q: "sécurite logiciél", want: []string{securite}},
			{name: "in the description", q: "bounty", want: []string{brokerage}},
			{name: "title and description together", q: "guidelines buy", want: []string{guideline}},
			{name: "every word must be there", q: "sanctions zebra", want: nil},
			{name: "the title weighs more", q: "export", want: []string{export, register}, ordered: true},
			{name: "the title weighs more, prefix", q: "vendor", want: []string{register, sanctions}, ordered: true},
			{name: "quotes and operators are not syntax", q: `"sanctions" & brok:* | !(spyware)`, want: []string{sanctions}},
			{name: "a minus is no exclusion", q: "-spyware brokers", want: []string{sanctions}},
			{name: "or is a word", q: "sanctions OR zebra", want: nil},
			{name: "SQL", q: `'; DROP TABLE actions; --`, want: nil},
			{name: "FTS5 syntax", q: `sanctions* ^brokers {title}:spyware`, want: nil}, // "title" is a word
			{name: "FTS5 syntax without its words", q: `sanctions* AND ^brokers NEAR(spyware)`, want: nil},
			{name: "FTS5 operators", q: `sanctions* + ^brokers (spyware)`, want: []string{sanctions}},
			{name: "tsquery syntax", q: `sanctions<->brokers \'`, want: []string{sanctions}},
			{name: "no words at all", q: `"*&|!:()'<->`, want: nil},
			{name: "other scripts", q: "日本語 данные", want: nil},
			{name: "emoji", q: "🔒brokers", want: []string{sanctions}},
			{name: "invalid UTF-8", q: "brok\xff\xfe", want: []string{sanctions, brokerage}},
			{name: "a word cut at forty letters", q: "sanctions" + strings.Repeat("x", 60), want: nil},
			{name: "the words past eight are dropped", q: "spyware brokers brokers sanctions targeted against asset freezes vendors zebra", want: []string{sanctions}},
			{name: "long but allowed", q: strings.Repeat("brokers ", 24), want: []string{sanctions}},
			{name: "empty", q: "", want: all},
			{name: "with a recommendation", q: "spyware", filter: action.Filter{Recommendation: 2}, want: []string{export}},
			{name: "with a stage", q: "brok", filter: action.Filter{Stage: action.InProgress}, want: []string{brokerage}},
			{name: "with a stage, none", q: "securite", filter: action.Filter{Stage: action.Adopted}, want: nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := tc.filter
				f.Query, f.Limit = tc.q, 100
				list, total, err := s.Actions.Public(ctx, f)
				if err != nil {
					t.Fatalf("search %q: %v", tc.q, err)
				}
				var got []string
				for _, a := range list {
					got = append(got, a.Title)
				}
				want := slices.Clone(tc.want)
				if !tc.ordered {
					slices.Sort(got)
					slices.Sort(want)
				}
				if !reflect.DeepEqual(got, want) || total != len(want) {
					t.Errorf("search %q: %d %q, want %q", tc.q, total, got, want)
				}
			})
		}

		t.Run("too long", func(t *testing.T) {
			_, _, err := s.Actions.Public(ctx, action.Filter{Query: strings.Repeat("b", action.MaxQueryLength+1)})
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["q"] == "" {
				t.Errorf("a search of %d bytes: %v, want a field error on q", action.MaxQueryLength+1, err)
			}
		})
	})
}

// The index follows every change of an action's text: a new title is
// found and the old one no more, a deleted action is gone.
func TestSearchFollowsEdits(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		org := s.Stakeholder(t, stakeholder.Company)
		c := s.Cycle(t, 2026)
		found := func(q string) int {
			t.Helper()
			_, n, err := db.Actions(ctx, action.Filter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		a := s.Action(t, org, c)
		if found("intrusion guidelines") != 1 {
			t.Fatal("a new draft is not found by its title")
		}
		a, err := s.Actions.Update(ctx, testutil.System, a.ID, a.Version, func(in *action.Input) {
			in.Title, in.Description = "Procurement register", "Every purchase of surveillance tools is listed."
		})
		if err != nil {
			t.Fatal(err)
		}
		if found("intrusion") != 0 || found("procure surveil") != 1 {
			t.Errorf("after an edit: old words %d, new words %d, want 0 and 1", found("intrusion"), found("procure surveil"))
		}
		if err := db.DeleteAction(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if found("procure") != 0 {
			t.Error("a deleted action is still found")
		}
	})
}

// FuzzSearchQuery sends any text as a search to both engines: each answers
// a list (or the field error of a search too long), never a database error,
// whatever quotes, operators, control characters or broken UTF-8 it holds.
func FuzzSearchQuery(f *testing.F) {
	for _, q := range []string{"sanctions brokers", `"a" & b | !c <-> d:* (e`, "NEAR(a b) ^c {title}:d -e +f",
		`'\''; --`, "\x00\xff\xfe", "é\u0301 ß œ İ ǅ", "日本語 🔒", strings.Repeat("é", 120)} {
		f.Add(q)
	}
	ctx := context.Background()
	var dbs []*store.DB
	for _, engine := range testutil.Engines {
		db := testutil.NewDB(f, engine)
		s := testutil.NewServices(db)
		s.Accepted(f, s.Stakeholder(f, stakeholder.State), s.Cycle(f, 2026), testutil.ActionInput())
		dbs = append(dbs, db)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, db := range dbs {
			s := testutil.NewServices(db)
			if _, _, err := s.Actions.Public(ctx, action.Filter{Query: q}); err != nil && !errs.Is(err, errs.Invalid) {
				t.Fatalf("%s: search %q: %v", db.Engine(), q, err)
			}
		}
	})
}
