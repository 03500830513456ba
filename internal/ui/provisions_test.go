package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// linkRows counts what an action's provisions hold: its statements, the
// events of their history and their audit entries, so that a refused
// change is seen to write nothing.
func linkRows(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	n := func(q string, arg any) int { return testutil.Column[int](t, db.SQL(), q, arg)[0] }
	return fmt.Sprintf("statements %d, events %d, audit %d",
		n(`SELECT COUNT(*) FROM action_provisions WHERE action_id = $1`, id),
		n(`SELECT COUNT(*) FROM provision_link_events WHERE action_id = $1`, id),
		n(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'action' AND object_id = $1 AND verb LIKE 'action.provision_%'`, fmt.Sprint(id)))
}

// sectionOf returns the "counts for" section of an action page.
func sectionOf(page string) string {
	i := strings.Index(page, `aria-labelledby="provisions-heading"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</section>")
	return page[i : i+j]
}

// The organisation's people and the secretariat add a provision to an
// action, take provisions away with a reason and restore a derived one,
// from the action's page; each change shows in its history, merged with
// its versions, newest first, and is audited. A removal without a reason
// comes back with the error and writes nothing; another organisation
// finds no action and changes nothing.
func TestActionProvisionsPages(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		sc.S.Crosswalk(t)
		ctx := context.Background()
		member := apptest.MustUser(t, sc, "member@own.example")
		in := testutil.ActionInput()
		in.Recommendations = []int{2} // export safeguards: Pall Mall's accountability pillar, among others
		a, err := sc.S.Actions.CreateIn(ctx, member.Actor(), 2026, in)
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/actions/%d", a.ID)
		step := func() { sc.S.Clock.Add(time.Minute) }

		section := sectionOf(sc.Member.Do("GET", page, "").Body)
		for _, want := range []string{"Counts for other frameworks", "<code>pillar:accountability</code> Accountability pillar", "derived",
			`<optgroup label="The Pall Mall Process Code of Practice for States">`, `<option value="pall-mall-states/2.a">2.a · `,
			`action="/actions/` + fmt.Sprint(a.ID) + `/provisions/remove"`} {
			if !strings.Contains(section, want) {
				t.Errorf("the action's section lacks %q", want)
			}
		}
		if strings.Contains(section, `<option value="pall-mall-states/pillar:accountability"`) {
			t.Error("the add list offers a provision the action counts for already")
		}

		// Another organisation: not found, and nothing written.
		before := linkRows(t, db, a.ID)
		for _, r := range []apptest.Response{
			sc.Other.Do("GET", page, ""),
			sc.Other.Form(page+"/provisions", url.Values{"pick": {"pall-mall-states/2.a"}}),
			sc.Other.Form(page+"/provisions/remove", url.Values{"framework": {"pall-mall-states"}, "provision": {"pillar:accountability"}, "reason": {"Not ours."}}),
		} {
			if r.Status != 404 {
				t.Errorf("another organisation: %d", r.Status)
			}
		}
		if after := linkRows(t, db, a.ID); after != before {
			t.Errorf("another organisation changed the links: %s, then %s", before, after)
		}
		// Nor on the organisation's public action, which it may read.
		pub := fmt.Sprintf("/actions/%d", sc.LastYearAction.ID)
		before = linkRows(t, db, sc.LastYearAction.ID)
		if r := sc.Other.Form(pub+"/provisions", url.Values{"pick": {"pall-mall-states/2.a"}}); r.Status != 404 {
			t.Errorf("another organisation adds to a public action: %d", r.Status)
		}
		if r := sc.Other.Form(pub+"/provisions/remove", url.Values{"framework": {"pall-mall-states"}, "provision": {"2.a.i"}, "reason": {"Not ours."}}); r.Status != 404 {
			t.Errorf("another organisation takes away from a public action: %d", r.Status)
		}
		if after := linkRows(t, db, sc.LastYearAction.ID); after != before {
			t.Errorf("another organisation changed a public action's links: %s, then %s", before, after)
		}

		// The member declares one.
		step()
		r := sc.Member.Form(page+"/provisions", url.Values{"pick": {"pall-mall-states/2.a"}})
		if r.Status != 303 || apptest.FlashOf(r) != "flash_provision_added" {
			t.Fatalf("add: %d %s", r.Status, r.Body)
		}
		if s := sectionOf(sc.Member.Do("GET", page, "").Body); !strings.Contains(s, "<code>2.a</code>") || !strings.Contains(s, "declared") {
			t.Errorf("the declared provision is not shown")
		}
		if r := sc.Member.Form(page+"/provisions", url.Values{"pick": {"pall-mall-states/2.a"}}); r.Status != 409 ||
			!strings.Contains(r.Body, "The action counts for this provision already.") {
			t.Errorf("added twice: %d", r.Status)
		}
		if r := sc.Member.Form(page+"/provisions", url.Values{"pick": {""}}); r.Status != 422 || !strings.Contains(r.Body, "Choose a provision from the list.") {
			t.Errorf("nothing picked: %d", r.Status)
		}

		// Taking a derived one away needs a reason: refused, the page comes
		// back with the error at that link, in the page's language, and
		// nothing is written.
		before = linkRows(t, db, a.ID)
		remove := url.Values{"framework": {"pall-mall-states"}, "provision": {"pillar:accountability"}, "reason": {"  "}}
		r = sc.Member.FormIn("fr", page+"/provisions/remove", remove)
		if r.Status != 422 || !strings.Contains(r.Body, "Indiquez pourquoi la disposition est retirée.") ||
			!regexp.MustCompile(`<details open>\s*<summary>Retirer…<span class="visually-hidden"> pall-mall-states pillar:accountability`).MatchString(r.Body) {
			t.Errorf("removed without a reason: %d %s", r.Status, sectionOf(r.Body))
		}
		if after := linkRows(t, db, a.ID); after != before {
			t.Errorf("a removal without a reason wrote: %s, then %s", before, after)
		}
		step()
		remove.Set("reason", "Our export rule predates the <b>pillar</b>.")
		if r = sc.Member.Form(page+"/provisions/remove", remove); r.Status != 303 || apptest.FlashOf(r) != "flash_provision_removed" {
			t.Fatalf("remove: %d %s", r.Status, r.Body)
		}
		section = sectionOf(sc.Member.Do("GET", page, "").Body)
		if i := strings.Index(section, "Taken away"); i < 0 || !strings.Contains(section[i:], "<code>pillar:accountability</code>") ||
			!strings.Contains(section[i:], "Restore") {
			t.Errorf("the derived provision taken away is not offered back")
		}

		// The secretariat takes the declared one away; the member restores
		// the derived one.
		step()
		if r = sc.Sec.Form(page+"/provisions/remove", url.Values{"framework": {"pall-mall-states"}, "provision": {"2.a"},
			"reason": {"2.a recognises uses; it asks nothing."}}); r.Status != 303 {
			t.Fatalf("the secretariat's removal: %d %s", r.Status, r.Body)
		}
		step()
		if r = sc.Member.Form(page+"/provisions", url.Values{"framework": {"pall-mall-states"}, "provision": {"pillar:accountability"}}); r.Status != 303 {
			t.Fatalf("restore: %d %s", r.Status, r.Body)
		}
		if s := sectionOf(sc.Member.Do("GET", page, "").Body); strings.Contains(s, "Taken away") || !strings.Contains(s, "<code>pillar:accountability</code>") {
			t.Errorf("restored: %s", s)
		}

		// The history: newest first, merged with the version, the
		// secretariat named as the office to the organisation.
		hist := sc.Member.Do("GET", page+"/history", "").Body
		order := []string{"Provision restored", "Declared provision taken away", "2.a recognises uses; it asks nothing.",
			"Derived provision taken away", "the &lt;b&gt;pillar&lt;/b&gt;", "Provision declared", "Version 1"}
		at := 0
		for _, want := range order {
			i := strings.Index(hist[at:], want)
			if i < 0 {
				t.Fatalf("the history lacks %q after %d, or out of order: %s", want, at, hist)
			}
			at += i
		}
		if !strings.Contains(hist, "by Secretariat") || strings.Contains(hist, "sec@pc.example") || !strings.Contains(hist, "by member@own.example") {
			t.Errorf("who made each change, as the organisation sees it")
		}
		if h := sc.Sec.Do("GET", page+"/history", "").Body; !strings.Contains(h, "by sec@pc.example") {
			t.Errorf("the secretariat does not see its person")
		}
		if fr := sc.Member.Do("GET", page+"/history", "", "Accept-Language", "fr").Body; !strings.Contains(fr, "Disposition rétablie") ||
			!strings.Contains(fr, "Pilier responsabilité") {
			t.Errorf("the French history")
		}
		verbs := testutil.Column[string](t, db.SQL(), `SELECT verb || ' ' || actor FROM audit_log WHERE object_type = 'action' AND object_id = $1
			AND verb LIKE 'action.provision_%' ORDER BY id`, fmt.Sprint(a.ID))
		if got := strings.Join(verbs, "; "); got != "action.provision_added member@own.example; action.provision_removed member@own.example; "+
			"action.provision_removed sec@pc.example; action.provision_added member@own.example" {
			t.Errorf("audit entries: %s", got)
		}

		// A withdrawn action counts for nothing: no forms, and a change is
		// refused.
		if a, err = sc.S.Actions.Get(ctx, member.Actor(), a.ID); err == nil {
			a, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, "")
		}
		if err == nil {
			_, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Withdrawn, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		if s := sectionOf(sc.Member.Do("GET", page, "").Body); strings.Contains(s, "<form") {
			t.Errorf("a withdrawn action offers to change its provisions")
		}
		if r := sc.Member.Form(page+"/provisions", url.Values{"pick": {"pall-mall-states/2.a"}}); r.Status != 409 {
			t.Errorf("a provision added to a withdrawn action: %d", r.Status)
		}
	})
}

// The editor says, under each recommendation, which provisions of other
// frameworks an action with it counts for, without JavaScript.
func TestEditorPreviewsProvisions(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	sc.S.Crosswalk(t)
	body := sc.Member.Do("GET", "/actions/new?cycle=2026", "").Body
	i := strings.Index(body, `value="2"`)
	j := strings.Index(body, `value="3"`)
	if i < 0 || j < i {
		t.Fatalf("no recommendations in the editor")
	}
	two := body[i:j]
	for _, want := range []string{"Also counts for provisions of other frameworks:", "The Pall Mall Process Code of Practice for States:", "<code>pillar:accountability</code>"} {
		if !strings.Contains(two, want) {
			t.Errorf("recommendation 2's preview lacks %q", want)
		}
	}
	i, j = strings.Index(body, `value="8"`), strings.Index(body, `value="9"`)
	if eight := body[i:j]; !strings.Contains(eight, "No provision of another framework matches it.") {
		t.Errorf("recommendation 8 has no counterpart, and should say so")
	}
	if fr := sc.Member.Do("GET", "/actions/new?cycle=2026", "", "Accept-Language", "fr").Body; !strings.Contains(fr, "Compte aussi pour des dispositions d") {
		t.Errorf("the French editor's preview")
	}
}
