package ui_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// boardRow is the row of an organisation on the status board page.
func boardRow(t *testing.T, page string, org stakeholder.Stakeholder) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr><td><span class="light[^<]*</span>[^<]*</td>\s*<th scope="row"><a href="/admin/organisations/` +
		fmt.Sprint(org.ID) + `">.*?</tr>`).FindString(page)
	if m == "" {
		t.Fatalf("no row for %s", org.Name)
	}
	return m
}

// Where the status board and the public figures count accepted actions
// differently, both the board and the report's page say why, with the
// numbers; where they agree, neither says anything.
func TestBoardSaysWhatThePublicFiguresLeaveOut(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		kept := func(in *action.Input) { in.Visibility = action.SecretariatOnly }
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(*action.Input) {})

		// They agree: nothing is said, on the board or on a report's page.
		board := sc.Sec.Do("GET", "/admin/status?cycle=2026", "")
		if board.Status != 200 || strings.Contains(board.Body, "board-difference") || strings.Contains(board.Body, "kept for the secretariat") {
			t.Fatalf("the board explains a difference where there is none: %d", board.Status)
		}
		r := sc.Sec.Do("POST", "/admin/cycles/2026/reports", "", "Content-Type", "application/x-www-form-urlencoded")
		if r.Status != 303 {
			t.Fatalf("compile: %d %s", r.Status, r.Body)
		}
		reportPage := r.Header.Get("Location")
		if page := sc.Sec.Do("GET", reportPage, ""); page.Status != 200 || strings.Contains(page.Body, "report-difference") {
			t.Fatalf("the report explains a difference where there is none: %d", page.Status)
		}

		// Three actions are kept for the secretariat: two of the other
		// organisation's (all it has accepted), one of ours.
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, kept)
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, kept)
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, kept)
		board = sc.Sec.Do("GET", "/admin/status?cycle=2026", "")
		for _, want := range []string{
			`id="board-difference"`,
			"Accepted actions counted here: 4; on the public dashboard (as of 1 September 2026 at 09:00 UTC): 1.",
			"<li>3 accepted actions are kept for the secretariat and are not in the public report or on the dashboard.</li>",
			"<li>1 organisation shown as accepted here does not count as reporting in the public figures: none of its accepted actions is counted.</li>",
		} {
			if !strings.Contains(board.Body, want) {
				t.Errorf("the board does not say %q", want)
			}
		}
		if row := boardRow(t, board.Body, sc.OtherOrg); !strings.Contains(row, "<td>2<span class=\"meta note\">2 kept for the secretariat</span>"+
			"<span class=\"meta note\">not counted as reporting</span></td>") {
			t.Errorf("the other organisation's row: %s", row)
		}
		if row := boardRow(t, board.Body, sc.Org); !strings.Contains(row, "<td>2<span class=\"meta note\">1 kept for the secretariat</span></td>") {
			t.Errorf("our row: %s", row)
		}
		fr := sc.Sec.Do("GET", "/admin/status?cycle=2026&lang=fr", "")
		for _, want := range []string{
			"Actions acceptées comptées ici : 4 ; sur le tableau de bord public (au 1er septembre 2026 à 09:00 UTC) : 1.",
			"3 actions acceptées sont réservées au secrétariat : elles ne figurent ni dans le rapport public ni sur le tableau de bord.",
			"1 réservée au secrétariat",
		} {
			if !strings.Contains(fr.Body, want) {
				t.Errorf("the French board does not say %q", want)
			}
		}
		// Filtered to rows that agree, the board says nothing.
		if f := sc.Sec.Do("GET", "/admin/status?cycle=2026&kind=company", ""); strings.Contains(f.Body, "board-difference") {
			t.Errorf("the board explains a difference of rows it does not show")
		}

		// The report compiled before them counts one: its page says the
		// board counts three more, kept for the secretariat.
		page := sc.Sec.Do("GET", reportPage, "")
		for _, want := range []string{
			`id="report-difference"`,
			"Accepted actions on the status board now: 4; counted in this report: 1.",
			"<li>3 accepted actions are kept for the secretariat and are not in the public report or on the dashboard.</li>",
		} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the report's page does not say %q", want)
			}
		}

		// 2025's only action was accepted after its Forum, where the
		// dashboard's figures for that cycle stop.
		last := sc.Sec.Do("GET", "/admin/status?cycle=2025", "")
		if !strings.Contains(last.Body, "<li>1 public action was accepted after the Forum, where the dashboard&#39;s figures for this cycle stop.</li>") ||
			!strings.Contains(boardRow(t, last.Body, sc.Org), "1 after the Forum") {
			t.Errorf("2025: the action accepted after the Forum is not explained")
		}
	})
}
