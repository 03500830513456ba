package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// expect checks an answer's status, and the texts it must and must not
// hold.
func expect(t *testing.T, what string, r apptest.Response, status int, has []string, lacks ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: %d, want %d", what, r.Status, status)
	}
	for _, s := range has {
		if !strings.Contains(r.Body, s) {
			t.Errorf("%s: no %q", what, s)
		}
	}
	for _, s := range lacks {
		if strings.Contains(r.Body, s) {
			t.Errorf("%s: shows %q", what, s)
		}
	}
}

// A challenge through its pages, from the public action to publication:
// each party's list and page show what it may read and the forms it may
// use, and no other; a refused form comes back with what was typed and
// the problem named, in English and French; the member of the challenged
// organisation never reads the pseudonymous reviewer's name.
func TestChallengePages(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		lab, labOrg := sc.Reviewer(t, stakeholder.CivilSociety, "analyst@lab.example")
		anon := apptest.APIClient{T: t, Base: sc.TS}
		a := sc.LastYearAction
		last, err := sc.S.Cycles.Get(ctx, 2025)
		if err != nil {
			t.Fatal(err)
		}
		in := testutil.ActionInput()
		in.Title = "The lab's own outreach programme"
		ownAction := sc.S.Accepted(t, labOrg, last, in)
		actionPage, filePage := fmt.Sprintf("/actions/%d", a.ID), fmt.Sprintf("/actions/%d/challenge", a.ID)
		offer := `href="` + filePage + `"`

		// The public page offers the form to a reviewer's people only,
		// and not on their own organisation's actions.
		for _, c := range []struct {
			name   string
			client apptest.APIClient
			path   string
			offers bool
		}{
			{"a reviewer", lab, actionPage, true},
			{"a supporter that is no reviewer", sc.Other, actionPage, false},
			{"a visitor", anon, actionPage, false},
			{"a reviewer, its own organisation's action", lab, fmt.Sprintf("/actions/%d", ownAction.ID), false},
		} {
			t.Run("offer/"+c.name, func(t *testing.T) {
				body := c.client.For(t).Do("GET", c.path, "").Body
				if got := strings.Contains(body, `/challenge"`) && strings.Contains(body, "Challenge this action"); got != c.offers {
					t.Errorf("offers to file: %t, want %t", got, c.offers)
				}
			})
		}
		expect(t, "the form, to the reviewer", lab.Do("GET", filePage, ""), 200,
			[]string{`name="grounds" value="contradicted_by_findings"`, "Do not name our organisation publicly", "A reviewer organisation", labOrg.Name})
		expect(t, "the form, in French", lab.Do("GET", filePage+"?lang=fr", ""), 200,
			[]string{"Contester une action", "Ne pas nommer notre organisation publiquement", "Une organisation évaluatrice"})
		expect(t, "the form, to another supporter", sc.Other.Do("GET", filePage, ""), 403, nil)
		expect(t, "the form, on the reviewer's own action", lab.Do("GET", fmt.Sprintf("/actions/%d/challenge", ownAction.ID), ""), 403, nil)
		if r := anon.Do("GET", filePage, ""); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
			t.Errorf("the form, to a visitor: %d %s", r.Status, r.Header.Get("Location"))
		}

		// Refused filings keep the text, the grounds, the links and the
		// naming choice.
		const statement = "Forensic analysis found **spyware** deployed <after> the decree."
		filing := func(change func(url.Values)) url.Values {
			v := url.Values{"grounds": {"contradicted_by_findings"}, "statement": {statement}, "pseudonymous": {"yes"},
				"evidence_kind_0": {"report"}, "evidence_url_0": {"https://lab.example.org/report"}, "evidence_title_0": {"Forensic report"}}
			if change != nil {
				change(v)
			}
			return v
		}
		for _, c := range []struct {
			name, lang string
			change     func(url.Values)
			says       []string
		}{
			{"no grounds", "en", func(v url.Values) { v.Del("grounds") }, []string{"Choose the grounds of the challenge.", `href="#cf-grounds-evidence_does_not_support"`}},
			{"a link that is not one", "en", func(v url.Values) { v.Set("evidence_url_0", "lab report") },
				[]string{"Give a full web address starting with http:// or https://.", `value="lab report"`, `id="cfu0"`}},
			{"no statement", "fr", func(v url.Values) { v.Set("statement", " ") }, []string{"Rédigez l&#39;exposé", `href="#cf-statement"`}},
		} {
			t.Run("file/"+c.name, func(t *testing.T) {
				v := filing(c.change)
				r := lab.For(t).FormIn(c.lang, filePage, v)
				kept := []string{"Forensic report", `name="pseudonymous" value="yes" aria-describedby="cf-pseudonymous-hint" checked`}
				if v.Get("statement") == statement {
					kept = append(kept, "deployed &lt;after&gt; the decree.")
				}
				if v.Get("grounds") != "" {
					kept = append(kept, `value="contradicted_by_findings" checked`)
				}
				expect(t, c.name, r, 422, append(c.says, kept...))
			})
		}
		if _, n, _ := sc.S.Challenges.List(ctx, testutil.System, challenge.Filter{}); n != 0 {
			t.Fatalf("refused, but filed: %d", n)
		}
		r := lab.Form(filePage, filing(nil))
		if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/challenges/") || apptest.FlashOf(r) != "flash_challenge_filed" {
			t.Fatalf("file: %d %s", r.Status, r.Body)
		}
		page := r.Header.Get("Location")
		var id int64
		fmt.Sscanf(page, "/challenges/%d", &id)
		if r := lab.Do("GET", filePage, ""); r.Status != 303 || r.Header.Get("Location") != page || apptest.FlashOf(r) != "flash_err_challenge_pending" {
			t.Errorf("the form while the challenge stands: %d %s", r.Status, r.Header.Get("Location"))
		}
		expect(t, "the public page to the reviewer, while it stands", lab.Do("GET", actionPage, ""), 200,
			[]string{`href="` + page + `"`, "Your organisation&#39;s challenge #"}, offer)
		expect(t, "a second filing", lab.Form(filePage, filing(nil)), 422,
			[]string{"still stands", `href="` + page + `"`, "deployed &lt;after&gt; the decree."})

		// Filed: the reviewer and the secretariat read it; the organisation
		// does not know yet.
		expect(t, "the reviewer's list", lab.Do("GET", "/challenges", ""), 200,
			[]string{a.Title, "Filed", labOrg.Name, "Contradicted by findings", "1 challenge."})
		expect(t, "the member's list, while filed", sc.Member.Do("GET", "/challenges", ""), 200,
			[]string{"No action of your organisation is challenged.", `<a href="/challenges" aria-current="page">Challenges</a>`}, a.Title)
		expect(t, "a visitor's menu", anon.Do("GET", "/", ""), 200, nil, `href="/challenges"`)
		if r := anon.Do("GET", "/challenges", ""); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
			t.Errorf("the list, to a visitor: %d %s", r.Status, r.Header.Get("Location"))
		}
		expect(t, "the secretariat's list", sc.Sec.Do("GET", "/challenges", ""), 200, []string{a.Title, labOrg.Name, `<option value="filed" >`})
		expect(t, "the secretariat's list of open ones", sc.Sec.Do("GET", "/challenges?state=open", ""), 200,
			[]string{"No challenge is in this state.", `<option value="open" selected>`}, a.Title)
		expect(t, "the page to the organisation, while filed", sc.Focal.Do("GET", page, ""), 404, nil, a.Title)
		expect(t, "the page to the reviewer", lab.Do("GET", page, ""), 200,
			[]string{"<strong>spyware</strong>", "Forensic report", labOrg.Name, "the secretariat knows"}, "/screen", "/reply", "/decide")
		expect(t, "the page to the secretariat", sc.Sec.Do("GET", page, ""), 200,
			[]string{`action="` + page + `/screen"`, labOrg.Name}, "/reply\"", "/decide\"", "/publish\"")

		// Screening: refusals keep the reason and the choice.
		version := func() string {
			c, err := sc.S.Challenges.Get(ctx, testutil.System, id)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(c.Version)
		}
		expect(t, "screened without saying", sc.Sec.Form(page+"/screen", url.Values{"version": {version()}, "reason": {"Looks <fine>."}}), 422,
			[]string{"Say whether the challenge is admissible.", `href="#cs-yes"`, "Looks &lt;fine&gt;.", `id="e-cs-admissible"`})
		expect(t, "inadmissible without a reason, in French", sc.Sec.FormIn("fr", page+"/screen", url.Values{"version": {version()}, "admissible": {"no"}}), 422,
			[]string{"Donnez la raison de l&#39;irrecevabilité", `value="no" checked`})
		expect(t, "screened from a stale page", sc.Sec.Form(page+"/screen", url.Values{"version": {"99"}, "admissible": {"yes"}, "reason": {"Stale."}}), 422,
			[]string{"Someone acted on this challenge meanwhile", "Stale."})
		expect(t, "screened by the reviewer", lab.Form(page+"/screen", url.Values{"version": {version()}, "admissible": {"yes"}}), 403, nil)
		r = sc.Sec.Form(page+"/screen", url.Values{"version": {version()}, "admissible": {"yes"}})
		if r.Status != 303 || apptest.FlashOf(r) != "flash_challenge_opened" {
			t.Fatalf("screen: %d %s", r.Status, r.Body)
		}
		expect(t, "screened again", sc.Sec.Form(page+"/screen", url.Values{"version": {version()}, "admissible": {"no"}, "reason": {"Too <late>."}}), 422,
			[]string{"This challenge is no longer at this step", `id="kept-text"`, "Too &lt;late&gt;."}, `action="`+page+`/screen"`)

		// Open: the organisation reads it, never the reviewer's name; its
		// focal point replies, its member is told who does.
		for _, c := range []struct {
			name   string
			client apptest.APIClient
			has    []string
			lacks  []string
		}{
			{"member", sc.Member, []string{"A reviewer organisation", "The organisation may reply until 1 October 2026.", "Your organisation&#39;s focal point replies."},
				[]string{labOrg.Name, "/reply\"", "the secretariat knows"}},
			{"focal point", sc.Focal, []string{"A reviewer organisation", `action="` + page + `/reply"`, "Reply for your organisation"}, []string{labOrg.Name}},
			{"reviewer", lab, []string{labOrg.Name, "The organisation may reply until 1 October 2026."}, []string{"/reply\""}},
			{"secretariat", sc.Sec, []string{labOrg.Name, "Decide once it replies, or after that day."}, []string{"/decide\"", "/reply\""}},
		} {
			t.Run("open/"+c.name, func(t *testing.T) {
				expect(t, "page", c.client.For(t).Do("GET", page, ""), 200, c.has, c.lacks...)
			})
		}
		expect(t, "the member's list, once open", sc.Member.Do("GET", "/challenges", ""), 200,
			[]string{a.Title, "A reviewer organisation", "Open", "1 October 2026"}, labOrg.Name)
		expect(t, "the member's list in French", sc.Member.Do("GET", "/challenges?lang=fr", ""), 200,
			[]string{"Une organisation évaluatrice", "Ouverte", "1er octobre 2026"}, labOrg.Name)
		expect(t, "the page to another organisation", sc.Other.Do("GET", page, ""), 404, nil, a.Title)

		// The reply: refusals keep the text and the links.
		reply := func(text string, change func(url.Values)) url.Values {
			v := url.Values{"version": {version()}, "reply": {text},
				"evidence_kind_0": {"law"}, "evidence_url_0": {"https://gov.example/decree"}, "evidence_title_0": {"The decree"}}
			if change != nil {
				change(v)
			}
			return v
		}
		expect(t, "an empty reply", sc.Focal.Form(page+"/reply", reply(" ", nil)), 422,
			[]string{"Write the reply", `href="#cr-text"`, "https://gov.example/decree", "The decree"})
		expect(t, "a bad link, in French", sc.Focal.FormIn("fr", page+"/reply", reply("Le <déploiement> précède le décret.", func(v url.Values) { v.Set("evidence_url_0", "décret") })), 422,
			[]string{"Indiquez une adresse web complète", "Le &lt;déploiement&gt; précède le décret.", `value="décret"`, `href="#cru0"`})
		expect(t, "another link asked for", sc.Focal.Form(page+"/reply", reply("Draft.", func(v url.Values) { v.Set("op", "add_evidence") })), 200,
			[]string{"Draft.", `id="cru2"`}, "Write the reply")
		expect(t, "a member's reply", sc.Member.Form(page+"/reply", reply("Ours.", nil)), 403, nil)
		if c, _ := sc.S.Challenges.Get(ctx, testutil.System, id); c.RepliedAt != nil {
			t.Fatalf("refused, but replied")
		}
		r = sc.Focal.Form(page+"/reply", reply("The deployment predates the decree.", nil))
		if r.Status != 303 || apptest.FlashOf(r) != "flash_challenge_replied" {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		expect(t, "replied again", sc.Focal.Form(page+"/reply", reply("Again <we> disagree.", nil)), 422,
			[]string{"Your organisation can no longer reply.", "Again &lt;we&gt; disagree."}, `action="`+page+`/reply"`)

		// The decision: refusals keep the reasons and the choices.
		decision := func(change func(url.Values)) url.Values {
			v := url.Values{"version": {version()}, "outcome": {"upheld"}, "reasons": {"The findings **stand**."}, "stage": {"planned"}}
			change(v)
			return v
		}
		expect(t, "the secretariat's page, once replied", sc.Sec.Do("GET", page, ""), 200,
			[]string{`action="` + page + `/decide"`, "The deployment predates the decree.", "The organisation replied; the secretariat decides.", "Keep: Adopted", `<option value="planned" >`, "Keep: Self-declared"},
			`<option value="adopted"`, `<option value="self_declared"`)
		expect(t, "no outcome", sc.Sec.Form(page+"/decide", decision(func(v url.Values) { v.Del("outcome") })), 422,
			[]string{"Choose the outcome.", `href="#cd-outcome-upheld"`, "The findings **stand**.", `<option value="planned" selected>`})
		expect(t, "a dismissal that changes the action, in French", sc.Sec.FormIn("fr", page+"/decide", decision(func(v url.Values) { v.Set("outcome", "dismissed") })), 422,
			[]string{"Une contestation rejetée laisse l&#39;action telle quelle", `value="dismissed" checked`})
		expect(t, "the stage it has", sc.Sec.Form(page+"/decide", decision(func(v url.Values) { v.Set("stage", "adopted") })), 422,
			[]string{"Choose a stage other than the action&#39;s.", "The findings **stand**."})
		expect(t, "decided by the reviewer", lab.Form(page+"/decide", decision(func(url.Values) {})), 403, nil)
		r = sc.Sec.Form(page+"/decide", decision(func(url.Values) {}))
		if r.Status != 303 || apptest.FlashOf(r) != "flash_challenge_decided" {
			t.Fatalf("decide: %d %s", r.Status, r.Body)
		}
		// The decision changes the action with its publication, not before.
		if got, _ := sc.S.Actions.Get(ctx, testutil.System, a.ID); got.Stage == action.Planned {
			t.Errorf("the action's stage changed with the decision, before its publication")
		}
		expect(t, "the decision to the member", sc.Member.Do("GET", page, ""), 200,
			[]string{"Upheld", "The findings <strong>stand</strong>.", "With its publication, the action&#39;s stage becomes “Planned”."}, labOrg.Name, "/publish\"")
		expect(t, "the public page before publication", anon.Do("GET", actionPage, ""), 200, nil, "The findings")
		// The action's own page links to its challenges, for its people and
		// the secretariat; the reviewer's name stays the secretariat's.
		expect(t, "the action's page to its organisation", sc.Member.Do("GET", actionPage, ""), 200,
			[]string{fmt.Sprintf(`href="/challenges/%d"`, id), "Contradicted by findings"}, labOrg.Name)
		expect(t, "the action's page to the secretariat", sc.Sec.Do("GET", actionPage, ""), 200, []string{fmt.Sprintf(`href="/challenges/%d"`, id)})

		// Publication asks first, and cannot be undone.
		publish := url.Values{"version": {version()}}
		expect(t, "publish, asked", sc.Sec.Form(page+"/publish", publish), 200,
			[]string{"Publish this challenge?", "This cannot be undone.", "The reviewer is shown as: A reviewer organisation.", `name="confirm" value="yes"`})
		if c, _ := sc.S.Challenges.Get(ctx, testutil.System, id); c.State != challenge.Decided {
			t.Fatalf("published before the confirmation: %s", c.State)
		}
		expect(t, "publish, confirmed from a stale page", sc.Sec.Form(page+"/publish", url.Values{"version": {"1"}, "confirm": {"yes"}}), 422,
			[]string{"Someone acted on this challenge meanwhile"})
		expect(t, "publish, by the organisation", sc.Focal.Form(page+"/publish", url.Values{"version": {version()}, "confirm": {"yes"}}), 403, nil)
		r = sc.Sec.Form(page+"/publish", url.Values{"version": {version()}, "confirm": {"yes"}})
		if r.Status != 303 || apptest.FlashOf(r) != "flash_challenge_published" {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		if got, _ := sc.S.Actions.Get(ctx, testutil.System, a.ID); got.Stage != action.Planned {
			t.Errorf("the action's stage after the publication: %s", got.Stage)
		}
		expect(t, "published, to another organisation", sc.Other.Do("GET", page, ""), 200,
			[]string{"A reviewer organisation", "The deployment predates the decree.", "The findings <strong>stand</strong>.", "Published"}, labOrg.Name, "/publish\"")
		expect(t, "published, to the secretariat", sc.Sec.Do("GET", page, ""), 200, []string{labOrg.Name}, "/publish\"", "/decide\"")
		expect(t, "the public page to the reviewer, once published", lab.Do("GET", actionPage, ""), 200, []string{offer})
	})
}
