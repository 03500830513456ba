package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// The crosswalk's editing in real browsers, in English and in French:
// the secretariat edits a provision whose key holds brackets and is
// refused without a title, then saves; a member of the organisation adds
// a provision to an action and takes a derived one away with a reason;
// the editor shows what a recommendation counts for. Every page passes
// axe and fits a 375 px phone.
func TestCrosswalkEditingInBrowser(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) { walkCrosswalkEditing(t, lang) })
	}
}

func walkCrosswalkEditing(t *testing.T, lang string) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	sc.S.Crosswalk(t)
	ctx := context.Background()
	say := map[string]map[string]string{
		"en": {"title": "Give a title in English", "saved": "The provision is saved.", "added": "The action counts for the provision.",
			"removed": "The provision is taken away.", "declared": "declared", "taken": "Taken away"},
		"fr": {"title": "Donnez un titre en anglais", "saved": "La disposition est enregistrée.", "added": "L'action compte pour la disposition.",
			"removed": "La disposition est retirée.", "declared": "déclarée", "taken": "Retirées"},
	}[lang]
	shot := func(b context.Context, name string) { screens(t, b, fmt.Sprintf("60-%s-%s", lang, name)) }
	text := func(b context.Context, sel string) string {
		s, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		return s
	}

	// The secretariat.
	sec := secretariatBrowser(t, sc, "/admin/frameworks?lang="+lang, "table.data")
	shot(sec, "admin-list")
	in := &interactions{t: t, ctx: sec}
	in.click(`a[href="/admin/frameworks/wassenaar-intrusion-2013"]`, "#fw-title_en")
	shot(sec, "admin-framework")
	in.click(`a[href="/admin/frameworks/wassenaar-intrusion-2013/provisions/4.E.1.c%20%282017%20notes%29"]`, "#pv-title_en")
	testutil.Must(t, chromedp.Do(sec, chromedp.Clear(chromedp.CSS("#pv-title_en"))))
	in.click(`form[action*="/provisions/"] button[type="submit"]`, "#form-errors")
	if msg := text(sec, "#form-errors"); !strings.Contains(msg, say["title"]) {
		t.Errorf("refused: %q", msg)
	}
	shot(sec, "admin-provision-refused")
	testutil.Must(t, chromedp.Do(sec, chromedp.SendKeys(chromedp.CSS("#pv-title_en"), "Notes of 2017 on intrusion software"),
		chromedp.Click(chromedp.CSS(`input[name="recommendations"][value="10"]`))))
	in.click(`form[action*="/provisions/"] button[type="submit"]`, ".alert-ok")
	if msg := text(sec, ".alert-ok"); !strings.Contains(msg, say["saved"]) {
		t.Errorf("saved: %q", msg)
	}
	shot(sec, "admin-provision")

	// A member of the organisation, on an action of export safeguards.
	if _, err := sc.S.Users.Create(ctx, testutil.System, user.Input{Email: "lea@own.example", Name: "Léa Martin", Role: user.Supporter,
		StakeholderID: sc.Org.ID, OrgRole: user.Member, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	lea := apptest.MustUser(t, sc, "lea@own.example")
	ai := testutil.ActionInput()
	ai.Recommendations = []int{2}
	a, err := sc.S.Actions.CreateIn(ctx, lea.Actor(), 2026, ai)
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/actions/%d?lang=%s", a.ID, lang)
	b := supporterBrowser(t, sc, "lea@own.example", page, "#provisions-heading")
	shot(b, "action")
	inb := &interactions{t: t, ctx: b}
	testutil.Must(t, chromedp.Do(b, setValue("#pl-pick", "pall-mall-states/2.a")))
	inb.click(`form[action$="/provisions"] button[type="submit"]`, ".alert-ok")
	if msg := text(b, ".alert-ok"); !strings.Contains(msg, say["added"]) {
		t.Errorf("added: %q", msg)
	}
	if s := text(b, ".provisions-panel"); !strings.Contains(s, say["declared"]) {
		t.Errorf("the declared provision: %q", s)
	}
	// Take a derived one away: the reason is asked for first.
	sel := `details:has(input[name="provision"][value="pillar:accountability"])`
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(sel+" summary")),
		chromedp.WaitVisible(chromedp.CSS(sel+" textarea"))))
	shot(b, "action-remove")
	testutil.Must(t, chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(sel+" textarea"), "Our rule predates the pillar.")))
	inb.click(sel+` button[type="submit"]`, ".alert-ok")
	if msg := text(b, ".alert-ok"); !strings.Contains(msg, say["removed"]) {
		t.Errorf("removed: %q", msg)
	}
	if s := text(b, ".provisions-panel"); !strings.Contains(s, say["taken"]) {
		t.Errorf("taken away: %q", s)
	}
	shot(b, "action-after")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+fmt.Sprintf("/actions/%d/history?lang=%s", a.ID, lang)),
		chromedp.WaitVisible(chromedp.CSS(".timeline"))))
	shot(b, "history")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+fmt.Sprintf("/actions/%d/edit?lang=%s", a.ID, lang)),
		chromedp.WaitVisible(chromedp.CSS("#f-recommendations")),
		chromedp.Click(chromedp.CSS(`.rec-option:has(input[value="2"]) summary`))))
	shot(b, "editor")
}
