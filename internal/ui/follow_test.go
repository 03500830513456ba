package ui_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Each filtered page (the actions list, a recommendation, an
// organisation) carries its feed and a sign-up form for its digest, in its
// language, that works without JavaScript: a post answers the same page
// for every valid sign-up, gives a wrong field back with the person's
// text, and is refused from another site (issue 20.2).
func TestFollowFormOnFilteredPages(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		for page, hidden := range map[string][]string{
			"/actions?recommendation=7&country=FR&lang=fr":      {`name="recommendation" value="7"`, `name="country" value="FR"`},
			"/recommendations/4?lang=en":                        {`name="recommendation" value="4"`},
			fmt.Sprintf("/organisations/%d?lang=en", sc.Org.ID): {fmt.Sprintf(`name="organisation" value="%d"`, sc.Org.ID)},
		} {
			body := anon.Do("GET", page, "").Body
			if !strings.Contains(body, `<form method="post" action="/follow?lang=`) || !strings.Contains(body, `id="follow-email"`) {
				t.Errorf("%s has no sign-up form", page)
			}
			for _, h := range hidden {
				if !strings.Contains(body, `<input type="hidden" `+h+`>`) {
					t.Errorf("%s: no hidden %s", page, h)
				}
			}
		}
		if fr := anon.Do("GET", "/actions?recommendation=7&lang=fr", "").Body; !strings.Contains(fr, "Résumé hebdomadaire") || !strings.Contains(fr, "S&#39;abonner") {
			t.Error("the French form is not in French")
		}
		if body := anon.Do("GET", "/actions?lang=en", "").Body; strings.Contains(body, "follow-email") {
			t.Error("the whole list offers a sign-up: it follows nothing in particular")
		}

		post := func(form url.Values, header ...string) apptest.Response {
			return anon.Do("POST", "/follow?lang=en", form.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
		}
		rows := func() int { return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM subscriptions") }
		bad := post(url.Values{"email": {"not-an-address"}, "recommendation": {"7", "99"}, "frequency": {"daily"}, "mail_lang": {"fr"}})
		if bad.Status != 422 || !strings.Contains(bad.Body, `value="not-an-address"`) || !strings.Contains(bad.Body, "Give an email address") ||
			!strings.Contains(bad.Body, "A recommendation is a number from 1 to 12") || !strings.Contains(bad.Body, `name="recommendation" value="99"`) ||
			!strings.Contains(bad.Body, `id="follow-frequency-daily" name="frequency" value="daily" checked`) || rows() != 0 {
			t.Errorf("a wrong sign-up: %d, %d rows\n%s", bad.Status, rows(), bad.Body)
		}
		good := url.Values{"email": {"reader@example.org"}, "recommendation": {"7"}, "country": {"FR"}, "frequency": {"weekly"}, "mail_lang": {"fr"}}
		if cross := post(good, "Sec-Fetch-Site", "cross-site"); cross.Status != 403 || rows() != 0 {
			t.Errorf("a post from another site: %d, %d rows", cross.Status, rows())
		}
		ok := post(good)
		if ok.Status != 200 || !strings.Contains(ok.Body, "a message with a link to confirm the subscription is on its way") || rows() != 1 {
			t.Fatalf("a sign-up: %d, %d rows", ok.Status, rows())
		}
		var filters, lang string
		if err := db.SQL().QueryRow("SELECT filters, lang FROM subscriptions").Scan(&filters, &lang); err != nil || filters != "country=FR&recommendation=7" || lang != "fr" {
			t.Errorf("stored %q %q %v", filters, lang, err)
		}

		// A link that does not work says so, in each language, as a 404.
		for _, p := range []string{"/follow/confirm/pct_nothing", "/follow/manage/pct_nothing", "/unsubscribe/pct_nothing"} {
			for lang, text := range map[string]string{"en": "has expired", "fr": "a expiré"} {
				if r := anon.Do("GET", p+"?lang="+lang, ""); r.Status != 404 || !strings.Contains(r.Body, text) || r.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("%s in %s: %d, Cache-Control %q", p, lang, r.Status, r.Header.Get("Cache-Control"))
				}
			}
		}
	})
}

// The sign-up, confirmation, manage and unsubscribe pages in a real
// browser, at 1280 px and on a 375 px phone, in English and French: a
// person signs up from a recommendation's page and follows the mail's
// links; nothing is wider than the screen and axe finds nothing.
func TestFollowPagesInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	link := regexp.MustCompile(`http://pct\.test(/follow/(?:confirm|manage)/pct_[A-Za-z0-9_-]+)`)
	for i, width := range []int64{375, 1280} {
		lang := []string{"fr", "en"}[i]
		email := fmt.Sprintf("reader%d@example.org", width)
		b := testutil.Browser(t)
		check := func(name string) {
			t.Helper()
			wide, err := chromedp.Run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
			testutil.Must(t, err)
			if wide {
				t.Errorf("%s is wider than %d px", name, width)
			}
			testutil.CheckAccessibility(t, b, name)
			testutil.Screenshot(t, b, fmt.Sprintf("follow-%s-%s-%d", name, lang, width))
		}
		testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(width, 900), chromedp.Navigate(sc.TS+"/recommendations/4?lang="+lang),
			chromedp.WaitVisible(chromedp.CSS("#follow-email"))))
		check("recommendation")
		testutil.Must(t, chromedp.Do(b, chromedp.SendKeys(chromedp.CSS("#follow-email"), email), chromedp.Click(chromedp.CSS("#follow-frequency-daily")),
			chromedp.Click(chromedp.CSS(".follow-form button")), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
		check("sent")
		if r := sc.Sec.Form("/admin/jobs/mail/run", url.Values{}); r.Status != 303 {
			t.Fatalf("run mail: %d", r.Status)
		}
		mails := testutil.Mails(t, apptest.MailDir(t), email)
		if len(mails) != 1 {
			t.Fatalf("%d mails to %s", len(mails), email)
		}
		links := link.FindAllStringSubmatch(mails[0].Text, -1)
		if len(links) < 2 {
			t.Fatalf("links in:\n%s", mails[0].Text)
		}
		testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+links[0][1]+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("form button"))))
		check("confirm")
		testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS("form button")), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
		check("confirmed")
		testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+links[1][1]+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#follow-lang"))))
		check("manage")
		testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS("#follow-frequency-weekly")), chromedp.Click(chromedp.CSS("form button")),
			chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
		// The manage page shows its own "saved" note: the unsubscribed page
		// is the one without the manage form.
		testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS("button.danger")), chromedp.WaitNotPresent(chromedp.CSS("#follow-lang")),
			chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
		check("unsubscribed")
		if n := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM subscriptions WHERE email = '"+email+"'"); n != 0 {
			t.Errorf("%d subscriptions left for %s", n, email)
		}
	}
}
