package action_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// importWrites counts the rows an import writes, so that a refused file can
// be shown to have written none of them.
type importWrites struct{ actions, versions, evidence, recommendations, audit int }

func countImportWrites(t *testing.T, db *store.DB) importWrites {
	t.Helper()
	var n importWrites
	err := db.SQL().QueryRow(`SELECT
		(SELECT count(*) FROM actions), (SELECT count(*) FROM action_versions),
		(SELECT count(*) FROM evidence), (SELECT count(*) FROM action_recommendations),
		(SELECT count(*) FROM audit_log)`).Scan(&n.actions, &n.versions, &n.evidence, &n.recommendations, &n.audit)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// FuzzImportCSV feeds arbitrary bytes to the CSV import. Whatever the file,
// the import must not panic, must either import every line or refuse the
// file with problems a person can find (a line, a known column, a
// message), must never fail as an internal error, and must write nothing
// when it refuses.
func FuzzImportCSV(f *testing.F) {
	for _, s := range []string{
		header + goodRows(1),
		"\ufeff" + header + goodRows(3),
		header + "Short,,1,planned,advocacy,organisation,public,,,,,\n",
		header + "Short,,1,planned,advocacy,organisation,public,,,,,\r\nOther,,12,adopted,advocacy,national,secretariat,2026-01-01,2026-12-31,,,\r\n",
		header + "X,,2;13,done,export_controls,national,public,,,,,\n",
		header + "X,,1,planned,advocacy,national,public,2026-02-30,,,,\n",
		header + "X,,1,planned,advocacy,national,public,2026-06-01,2026-01-01,,,\n",
		header + "X,,1,planned,advocacy,national,public,,,law,javascript:alert(1),Law\n",
		header + "X,,1,planned,advocacy,national,public,,,law,,\n",
		header + "\"unclosed,,1,planned,advocacy,national,public,,,,,\n",
		header + "a \"quote\" inside,,1,planned,advocacy,national,public,,,,,\n",
		header + "Caf\xe9,,1,planned,advocacy,national,public,,,,,\n",
		header + "Nul\x00byte,,1,planned,advocacy,national,public,,,,,\n",
		header + "Too,few,cells\n",
		header + "Too,many,1,planned,advocacy,national,public,,,,,,,,,,\n",
		header + ",,,,,,,,,,,\n \t,,,,,,,,,,,\n",
		header + "=cmd|' /C calc'!A0,,1,planned,advocacy,national,public,,,,,\n",
		header + strings.Repeat("x", 600) + ",,1,planned,advocacy,national,public,,,,,\n",
		"TITLE , Description,recommendations,stage,measure,scope,visibility,starts_on,ends_on,evidence_kind,evidence_url,evidence_title\nX,,1,planned,advocacy,national,public,,,,,\n",
		"ends_on,title,description,recommendations,stage,measure,scope,visibility,starts_on,evidence_kind,evidence_url,evidence_title,extra\n,X,,1,planned,advocacy,national,public,,,,,ignored\n",
		"title,title,description,recommendations,stage,measure,scope,visibility,starts_on,ends_on,evidence_kind,evidence_url,evidence_title\nA,B,,1,planned,advocacy,national,public,,,,,\n",
		"title,stage\nX,planned\n",
		header,
		"\ufeff",
		"",
		"\"",
		"\n\n\n",
	} {
		f.Add([]byte(s))
	}

	// One database, organisation, cycle and member for the whole run: a
	// fresh database per input would make the fuzzer crawl.
	db := testutil.NewDB(f, "sqlite")
	s := testutil.NewServices(db)
	ctx := context.Background()
	org := s.Stakeholder(f, stakeholder.State)
	s.Cycle(f, 2026)
	u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "fuzz@org.example", Name: "Fuzz",
		Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member})
	if err != nil {
		f.Fatal(err)
	}
	member := u.Actor()

	f.Fuzz(func(t *testing.T, file []byte) {
		before := countImportWrites(t, db)
		created, err := s.Actions.Import(ctx, member, 2026, strings.NewReader(string(file)))
		after := countImportWrites(t, db)

		if err != nil {
			var ie *action.ImportError
			switch {
			case errors.As(err, &ie):
				if len(ie.Problems) == 0 {
					t.Fatalf("refused without a problem: %v", err)
				}
				for _, p := range ie.Problems {
					if p.Line < 1 || p.Message == "" || (p.Column != "" && !slices.Contains(action.CSVHeader, p.Column)) {
						t.Errorf("a problem a person cannot find: %+v", p)
					}
				}
			case errs.KindOf(err) == errs.Internal:
				// The API would answer 500 to this file.
				t.Fatalf("internal error: %v", err)
			}
			if after != before {
				t.Fatalf("refused file (%v) wrote rows: before %+v, after %+v", err, before, after)
			}
			return
		}

		evidence := 0
		for _, a := range created {
			evidence += len(a.Evidence)
			if a.ID == 0 || a.State != action.Draft || a.StakeholderID != org.ID || a.CycleYear != 2026 {
				t.Errorf("imported action: %+v", a)
			}
		}
		if len(created) == 0 || after.actions != before.actions+len(created) ||
			after.versions != before.versions+len(created) || after.evidence != before.evidence+evidence {
			t.Fatalf("import of %d actions (%d evidence): before %+v, after %+v", len(created), evidence, before, after)
		}
		// The drafts go, so that the database stays small and every input
		// meets the same state.
		for _, a := range created {
			if err := s.Actions.Delete(ctx, member, a.ID); err != nil {
				t.Fatalf("delete imported draft %d: %v", a.ID, err)
			}
		}
	})
}
