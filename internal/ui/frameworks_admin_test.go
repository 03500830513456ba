package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// auditOf lists the crosswalk's audit entries of an object: verb, actor.
func auditOf(t *testing.T, db *store.DB, typ, id string) string {
	t.Helper()
	return strings.Join(testutil.Column[string](t, db.SQL(), `SELECT verb || ' ' || actor FROM audit_log
		WHERE object_type = $1 AND object_id = $2 ORDER BY id`, typ, id), "; ")
}

// The secretariat lists the frameworks and edits one and a provision,
// whose keys hold spaces, brackets and colons: a form it cannot take
// comes back with the text typed and each problem named (422); a save
// on a version someone else changed meanwhile comes back with the text
// typed and the version now current (409), and saves nothing; a save is
// audited. Supporters are refused, visitors sent to sign in, and a key
// that names nothing is not found.
func TestFrameworkAdminPages(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		sc.S.Crosswalk(t)
		ctx := context.Background()
		anon := apptest.APIClient{T: t, Base: sc.TS}

		list := sc.Sec.Do("GET", "/admin/frameworks", "")
		for _, want := range []string{`href="/admin/frameworks/wassenaar-intrusion-2013"`, "pctracker crosswalk import crosswalk.yaml",
			"(frameworks: 7; provisions: 48)", `href="/admin/frameworks"`} {
			if list.Status != 200 || !strings.Contains(list.Body, want) {
				t.Errorf("the list (%d) lacks %q", list.Status, want)
			}
		}
		if fr := sc.Sec.Do("GET", "/admin/frameworks", "", "Accept-Language", "fr").Body; !strings.Contains(fr, "Table de correspondance\u00a0: cadres et dispositions") {
			t.Errorf("the French list")
		}
		const fw = "/admin/frameworks/us-eo-14093"
		for _, path := range []string{"/admin/frameworks", fw, "/admin/frameworks/wassenaar-intrusion-2013/provisions/4.E.1.c%20%282017%20notes%29"} {
			for name, c := range map[string]apptest.APIClient{"a member": sc.Member, "a focal point": sc.Focal} {
				if r := c.Do("GET", path, ""); r.Status != 403 {
					t.Errorf("%s opens %s: %d", name, path, r.Status)
				}
			}
			if r := anon.Do("GET", path, ""); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/signin?next=") {
				t.Errorf("a visitor opens %s: %d", path, r.Status)
			}
		}
		for _, path := range []string{"/admin/frameworks/no-such-framework", "/admin/frameworks/us-eo-14093/provisions/99",
			"/admin/frameworks/no-such-framework/provisions/1"} {
			if r := sc.Sec.Do("GET", path, ""); r.Status != 404 {
				t.Errorf("%s: %d", path, r.Status)
			}
		}

		// A framework.
		f, err := sc.S.Frameworks.Get(ctx, "us-eo-14093")
		if err != nil {
			t.Fatal(err)
		}
		form := sc.Sec.Do("GET", fw, "").Body
		if !strings.Contains(form, `name="version" value="`+fmt.Sprint(f.Version)+`"`) || !strings.Contains(form, f.Source) {
			t.Fatalf("the framework's form")
		}
		edit := url.Values{"version": {fmt.Sprint(f.Version)}, "title_en": {"Executive Order 14093 <on spyware>"}, "title_fr": {""},
			"issued": {"2023-03-27"}, "source": {"ftp://example.org"}, "note": {"Read on the Federal Register."}}
		r := sc.Sec.FormIn("fr", fw, edit)
		for _, want := range []string{"Donnez un titre en français", "Donnez une adresse web", "Executive Order 14093 &lt;on spyware&gt;", `href="#fw-title_fr"`} {
			if r.Status != 422 || !strings.Contains(r.Body, want) {
				t.Errorf("refused (%d): lacks %q", r.Status, want)
			}
		}
		edit.Set("title_fr", "Décret présidentiel 14093")
		edit.Set("source", "https://www.federalregister.gov/d/2023-06730")
		edit.Set("issued", "27/03/2023")
		if r = sc.Sec.Form(fw, edit); r.Status != 422 || !strings.Contains(r.Body, "Give the day as YYYY-MM-DD") {
			t.Errorf("a day it cannot read: %d", r.Status)
		}
		edit.Set("issued", "2023-03-27")
		// Someone else saves first.
		if _, err := sc.S.Frameworks.UpdateFramework(ctx, testutil.System, f.Key, f.Version, func(in *framework.FrameworkInput) { in.Note = "Theirs." }); err != nil {
			t.Fatal(err)
		}
		before := auditOf(t, db, "framework", f.Key)
		r = sc.Sec.Form(fw, edit)
		for _, want := range []string{"Someone else saved this while you were editing.", fmt.Sprintf("now stands at version %d", f.Version+1),
			`name="version" value="` + fmt.Sprint(f.Version+1) + `"`, "Executive Order 14093 &lt;on spyware&gt;", "Read on the Federal Register."} {
			if r.Status != 409 || !strings.Contains(r.Body, want) {
				t.Errorf("stale (%d): lacks %q", r.Status, want)
			}
		}
		if after := auditOf(t, db, "framework", f.Key); after != before {
			t.Errorf("a stale save wrote: %s", after)
		}
		if got, _ := sc.S.Frameworks.Get(ctx, f.Key); got.Note != "Theirs." {
			t.Errorf("a stale save changed the framework: %q", got.Note)
		}
		edit.Set("version", fmt.Sprint(f.Version+1))
		if r = sc.Sec.Form(fw, edit); r.Status != 303 || apptest.FlashOf(r) != "flash_framework_saved" || r.Header.Get("Location") != fw {
			t.Fatalf("save: %d %s", r.Status, r.Body)
		}
		got, _ := sc.S.Frameworks.Get(ctx, f.Key)
		if got.Title.FR != "Décret présidentiel 14093" || got.FRUnofficial || got.Version != f.Version+2 || got.Issued.Format("2006-01-02") != "2023-03-27" {
			t.Errorf("saved: %+v", got)
		}
		if a := auditOf(t, db, "framework", f.Key); !strings.HasSuffix(a, "framework.update sec@pc.example") {
			t.Errorf("audit: %s", a)
		}
		if r := sc.Member.Form(fw, edit); r.Status != 403 {
			t.Errorf("a supporter saves: %d", r.Status)
		}

		// A provision whose key holds spaces and brackets.
		const key = "4.E.1.c (2017 notes)"
		pv := "/admin/frameworks/wassenaar-intrusion-2013/provisions/" + url.PathEscape(key)
		wf, _ := sc.S.Frameworks.Get(ctx, "wassenaar-intrusion-2013")
		p, err := wf.Provision(key)
		if err != nil {
			t.Fatal(err)
		}
		page := sc.Sec.Do("GET", pv, "")
		if page.Status != 200 || !strings.Contains(page.Body, "<h1>"+key+"</h1>") || !strings.Contains(page.Body, `action="/admin/frameworks/wassenaar-intrusion-2013/provisions/4.E.1.c%20%282017%20notes%29"`) {
			t.Fatalf("the provision's page: %d", page.Status)
		}
		// Colons stay as they are in an address; brackets may come escaped
		// or not: the page finds the provision either way.
		for path, h1 := range map[string]string{"/admin/frameworks/pall-mall-states/provisions/pillar:accountability": "pillar:accountability",
			"/admin/frameworks/un-gge-2015/provisions/13(j)": "13(j)", "/admin/frameworks/un-gge-2015/provisions/13%28j%29": "13(j)"} {
			if r := sc.Sec.Do("GET", path, ""); r.Status != 200 || !strings.Contains(r.Body, "<h1>"+h1+"</h1>") {
				t.Errorf("%s: %d", path, r.Status)
			}
		}
		if !strings.Contains(wfPage(sc), `href="`+pv+`"`) {
			t.Errorf("the framework's page does not link the provision at its escaped address")
		}
		pedit := url.Values{"version": {fmt.Sprint(p.Version)}, "title_en": {"Notes on <intrusion> software"}, "title_fr": {"Notes sur les logiciels d'intrusion"},
			"recommendations": {"2", "13"}, "confidence": {"certain"}, "note": {"Mine."}}
		r = sc.Sec.Form(pv, pedit)
		for _, want := range []string{"Choose only among the twelve recommendations.", "Choose high or medium.", "Notes on &lt;intrusion&gt; software"} {
			if r.Status != 422 || !strings.Contains(r.Body, want) {
				t.Errorf("refused provision (%d): lacks %q", r.Status, want)
			}
		}
		pedit["recommendations"] = []string{"2", "6"}
		pedit.Set("confidence", "medium")
		if _, err := sc.S.Frameworks.UpdateProvision(ctx, testutil.System, wf.Key, key, p.Version, func(in *framework.ProvisionInput) { in.Note = "Theirs." }); err != nil {
			t.Fatal(err)
		}
		r = sc.Sec.Form(pv, pedit)
		for _, want := range []string{fmt.Sprintf("now stands at version %d", p.Version+1), `name="recommendations" value="6" checked`,
			`id="pv-confidence-medium" name="confidence" value="medium" checked`, "Notes on &lt;intrusion&gt; software"} {
			if r.Status != 409 || !strings.Contains(r.Body, want) {
				t.Errorf("stale provision (%d): lacks %q", r.Status, want)
			}
		}
		pedit.Set("version", fmt.Sprint(p.Version+1))
		if r = sc.Sec.Form(pv, pedit); r.Status != 303 || apptest.FlashOf(r) != "flash_provision_saved" || r.Header.Get("Location") != pv {
			t.Fatalf("save the provision: %d %s", r.Status, r.Body)
		}
		wf, _ = sc.S.Frameworks.Get(ctx, wf.Key)
		if p, _ = wf.Provision(key); fmt.Sprint(p.Recommendations) != "[2 6]" || p.Confidence != framework.Medium || p.Note != "Mine." {
			t.Errorf("saved: %+v", p)
		}
		if a := auditOf(t, db, "provision", wf.Key+" "+key); !strings.HasSuffix(a, "; provision.update sec@pc.example") {
			t.Errorf("audit: %s", a)
		}
		if r := sc.Focal.Form(pv, pedit); r.Status != 403 {
			t.Errorf("a supporter saves a provision: %d", r.Status)
		}
	})
}

func wfPage(sc *apptest.Scenario) string {
	return sc.Sec.Do("GET", "/admin/frameworks/wassenaar-intrusion-2013", "").Body
}
