package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// supporterBrowser signs in a supporter with a password in a fresh
// browser, on to next, and waits until ready is visible there.
func supporterBrowser(t *testing.T, sc *apptest.Scenario, email, next, ready string) context.Context {
	t.Helper()
	b := testutil.Browser(t)
	if err := chromedp.Do(b, chromedp.Navigate(sc.TS+"/signin?next="+url.QueryEscape(next)),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		t.Fatalf("sign-in of %s: %v", email, err)
	}
	return b
}

// A challenge from filing to publication in real browsers, once in
// French and once in English: a reviewer files it without being named,
// the secretariat opens it, the focal point replies, the secretariat
// decides it upheld, lowering the action's stage, and publishes it after
// a confirmation. Every page passes axe and fits a 375 px phone.
func TestChallengeInBrowser(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) { walkChallenge(t, lang) })
	}
}

func walkChallenge(t *testing.T, lang string) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	labOrg := sc.S.Reviewer(t, stakeholder.CivilSociety)
	for _, in := range []user.Input{
		{Email: "ines@lab.example", Name: "Inès Moreau", StakeholderID: labOrg.ID, OrgRole: user.Member},
		{Email: "kadri@own.example", Name: "Kadri Tamm", StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint},
	} {
		in.Role, in.Password = user.Supporter, apptest.Password
		if _, err := sc.S.Users.Create(ctx, testutil.System, in); err != nil {
			t.Fatal(err)
		}
	}
	a := sc.LastYearAction
	// say is what each language's pages say at each step.
	say := map[string]map[string]string{
		"en": {"filed": "Your challenge is filed.", "grounds": "Choose the grounds of the challenge.", "unnamed": "A reviewer organisation",
			"opened": "The challenge is open", "replied": "Your reply is sent.", "decided": "The decision is recorded.",
			"undo": "This cannot be undone.", "published": "are public", "stage": "Planned"},
		"fr": {"filed": "Votre contestation est déposée.", "grounds": "Choisissez le motif de la contestation.",
			"unnamed": "Une organisation évaluatrice", "opened": "La contestation est ouverte",
			"replied": "Votre réponse est envoyée.", "decided": "La décision est enregistrée.", "undo": "Cette opération est irréversible.",
			"published": "sont publiques", "stage": "Prévue"},
	}[lang]
	text := func(b context.Context, sel string) string {
		s, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		return s
	}
	shot := func(b context.Context, name string) { screens(t, b, fmt.Sprintf("40-%s-%s", lang, name)) }

	// The reviewer files from the public page: refused without grounds,
	// with the text kept; then filed, without being named.
	rev := supporterBrowser(t, sc, "ines@lab.example", fmt.Sprintf("/actions/%d?lang=%s", a.ID, lang), ".challenge-offer")
	shot(rev, "public-action")
	in := &interactions{t: t, ctx: rev}
	in.click(".challenge-offer a", "#cf-statement")
	shot(rev, "file")
	testutil.Must(t, chromedp.Do(rev,
		chromedp.SendKeys(chromedp.CSS("#cf-statement"), "Forensic analysis found **spyware** deployed after the decree."),
		chromedp.SendKeys(chromedp.CSS("#cfu0"), "https://lab.example.org/report"),
		chromedp.SendKeys(chromedp.CSS("#cft0"), "Forensic report"),
		chromedp.Click(chromedp.CSS("#cf-pseudonymous"))))
	in.click(`button[value="file"]`, "#form-errors")
	if msg := text(rev, "#form-errors"); !strings.Contains(msg, say["grounds"]) {
		t.Errorf("refused filing: %q", msg)
	}
	if v, _ := chromedp.Run(rev, chromedp.Value(chromedp.CSS("#cf-statement"))); !strings.Contains(v, "**spyware**") {
		t.Errorf("statement lost: %q", v)
	}
	shot(rev, "file-refused")
	testutil.Must(t, chromedp.Do(rev, chromedp.Click(chromedp.CSS("#cf-grounds-contradicted_by_findings"))))
	in.click(`button[value="file"]`, ".alert-ok")
	if msg := text(rev, ".alert-ok"); !strings.Contains(msg, say["filed"]) {
		t.Errorf("filed: %q", msg)
	}
	shot(rev, "filed")
	list, _, err := sc.S.Challenges.List(ctx, testutil.System, challenge.Filter{})
	if err != nil || len(list) != 1 || !list[0].Pseudonymous {
		t.Fatalf("filed: %+v %v", list, err)
	}
	page := fmt.Sprintf("/challenges/%d", list[0].ID)
	in.click(`a[href="/challenges"]`, ".challenge-list")
	shot(rev, "list-reviewer")

	// The secretariat opens it.
	sec := secretariatBrowser(t, sc, "/challenges?lang="+lang, ".challenge-list")
	shot(sec, "list-secretariat")
	ins := &interactions{t: t, ctx: sec}
	ins.click(`.challenge-list a[href="`+page+`"]`, "#cs-yes")
	if got := text(sec, "main"); !strings.Contains(got, labOrg.Name) {
		t.Errorf("the secretariat does not read who filed it")
	}
	shot(sec, "screen")
	testutil.Must(t, chromedp.Do(sec, chromedp.Click(chromedp.CSS("#cs-yes"))))
	ins.click(`form[action$="/screen"] button`, ".alert-ok")
	if msg := text(sec, ".alert-ok"); !strings.Contains(msg, say["opened"]) {
		t.Errorf("opened: %q", msg)
	}

	// The focal point reads it unnamed and replies.
	foc := supporterBrowser(t, sc, "kadri@own.example", "/challenges?lang="+lang, ".challenge-list")
	if got := text(foc, "main"); !strings.Contains(got, say["unnamed"]) || strings.Contains(got, labOrg.Name) {
		t.Errorf("the organisation's list: %q", got)
	}
	shot(foc, "list-supporter")
	inf := &interactions{t: t, ctx: foc}
	inf.click(`.challenge-list a[href="`+page+`"]`, "#cr-text")
	if got := text(foc, "main"); strings.Contains(got, labOrg.Name) {
		t.Errorf("the organisation reads who filed it")
	}
	shot(foc, "reply")
	testutil.Must(t, chromedp.Do(foc,
		chromedp.SendKeys(chromedp.CSS("#cr-text"), "The deployment **predates** the decree."),
		chromedp.SendKeys(chromedp.CSS("#cru0"), "https://gov.example/decree"),
		chromedp.SendKeys(chromedp.CSS("#crt0"), "The decree")))
	inf.click(`button[value="reply"]`, ".alert-ok")
	if msg := text(foc, ".alert-ok"); !strings.Contains(msg, say["replied"]) {
		t.Errorf("replied: %q", msg)
	}
	shot(foc, "replied")

	// A colleague of the secretariat (each browser has its own time)
	// decides it upheld, lowering the stage, and publishes it once asked.
	sec = secretariatBrowserAs(t, sc, "dominique@pc.example", "Dominique", page+"?lang="+lang, "#cd-reasons")
	ins = &interactions{t: t, ctx: sec}
	shot(sec, "decide")
	testutil.Must(t, chromedp.Do(sec,
		chromedp.Click(chromedp.CSS("#cd-outcome-upheld")),
		chromedp.SendKeys(chromedp.CSS("#cd-reasons"), "The findings postdate the decree."),
		setValue("#cd-stage", string(action.Planned))))
	ins.click(`form[action$="/decide"] button`, ".alert-ok")
	if msg := text(sec, ".alert-ok"); !strings.Contains(msg, say["decided"]) {
		t.Errorf("decided: %q", msg)
	}
	if got := text(sec, "#decision-heading + p"); got == "" {
		t.Errorf("no outcome shown")
	}
	shot(sec, "decided")
	ins.click(`form[action$="/publish"] button`, ".confirm-items")
	if got := text(sec, "main"); !strings.Contains(got, say["undo"]) || !strings.Contains(got, say["unnamed"]) {
		t.Errorf("confirmation: %q", got)
	}
	shot(sec, "confirm-publish")
	ins.click(".confirm form button", ".alert-ok")
	if msg := text(sec, ".alert-ok"); !strings.Contains(msg, say["published"]) {
		t.Errorf("published: %q", msg)
	}
	if got := text(sec, "main"); !strings.Contains(got, say["stage"]) {
		t.Errorf("the decision's stage is not shown: %q", got)
	}
	shot(sec, "published")

	c, err := sc.S.Challenges.Get(ctx, testutil.System, list[0].ID)
	if err != nil || c.State != challenge.Published || c.Outcome != challenge.Upheld || c.StageSet != action.Planned {
		t.Errorf("after the walk: %+v %v", c, err)
	}
	if got, _ := sc.S.Actions.Get(ctx, testutil.System, a.ID); got.Stage != action.Planned {
		t.Errorf("the action's stage: %s", got.Stage)
	}
}
