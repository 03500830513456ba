package ui_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// jsonLD finds the JSON-LD blocks of a page: the text of each
// <script type="application/ld+json"> up to the first </script>, as a
// browser reads it.
var jsonLD = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

// claimReviewJSON is a ClaimReview as the tests read it.
type claimReviewJSON struct {
	Context       string `json:"@context"`
	Type          string `json:"@type"`
	URL           string `json:"url"`
	ClaimReviewed string `json:"claimReviewed"`
	ReviewBody    string `json:"reviewBody"`
	DatePublished string `json:"datePublished"`
	Author        struct {
		Type string `json:"@type"`
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"author"`
	ReviewRating struct {
		Type          string `json:"@type"`
		AlternateName string `json:"alternateName"`
	} `json:"reviewRating"`
	ItemReviewed struct {
		Type   string `json:"@type"`
		Author struct {
			Name string `json:"name"`
		} `json:"author"`
		Appearance string `json:"appearance"`
	} `json:"itemReviewed"`
}

// claimReviews reads every JSON-LD block of a page, failing the test when
// one is not JSON (a text that ended its script early would leave one
// cut), and checks that the page has no other script.
func claimReviews(t *testing.T, body string) []claimReviewJSON {
	t.Helper()
	var out []claimReviewJSON
	blocks := jsonLD.FindAllStringSubmatch(body, -1)
	for _, m := range blocks {
		var r claimReviewJSON
		if err := json.Unmarshal([]byte(m[1]), &r); err != nil {
			t.Fatalf("a JSON-LD block that is not JSON: %v\n%s", err, m[1])
		}
		out = append(out, r)
	}
	if n := strings.Count(body, "<script"); n != len(blocks) {
		t.Errorf("%d script elements, %d of them JSON-LD", n, len(blocks))
	}
	return out
}

// An action's public page shows each published challenge: who filed it
// (or what it is, when it chose not to be named), its grounds, statement
// and evidence, the reply or its absence, the decision and what it
// changed, with their dates; and each as a ClaimReview in JSON-LD that no
// text can break out of. A challenge still open shows nowhere.
func TestPublicActionChallenges(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ch := sc.Challenges(t)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		page := func(id int64, lang string) string {
			t.Helper()
			r := anon.Do("GET", fmt.Sprintf("/actions/%d?lang=%s", id, lang), "")
			if r.Status != 200 {
				t.Fatalf("/actions/%d: %d", id, r.Status)
			}
			for _, secret := range []string{ch.Anonymous.Name, ch.PendingStatement} {
				if strings.Contains(r.Body, secret) {
					t.Errorf("/actions/%d (%s) shows %q", id, lang, secret)
				}
			}
			return r.Body
		}
		published := func(at *time.Time) string { return at.UTC().Format(time.RFC3339) }

		for _, c := range []struct {
			lang string
			want []string
		}{
			{"en", []string{`<h2 id="challenges">Challenges</h2>`, `<a href="#challenges">Published: 1</a>`,
				"Challenge filed by a reviewer organisation", `<span class="outcome outcome-upheld">Upheld</span>`,
				"Contradicted by findings · filed on 1 September 2026", "Forensic analysis found <strong>spyware</strong> sold after the ban.",
				`<a href="https://lab.example.org/forensics" rel="noopener nofollow">Forensic report</a>`,
				"The organisation&#39;s reply", "Replied on 1 September 2026", "The sales predate the ban.",
				"The secretariat&#39;s decision", "<p>The sales continued after the ban.</p>",
				"The decision set the action&#39;s stage to Planned.", "Published on 1 September 2026"}},
			{"fr", []string{`<h2 id="challenges">Contestations</h2>`, "Contestation déposée par une organisation évaluatrice",
				`<span class="outcome outcome-upheld">Fondée</span>`, "Contredite par des constats · déposée le 1er septembre 2026",
				"La réponse de l&#39;organisation", "La décision a fixé l&#39;état de l&#39;action à «\u00a0Prévue\u00a0»."}},
		} {
			t.Run("upheld, unnamed/"+c.lang, func(t *testing.T) {
				body := page(ch.Upheld.ID, c.lang)
				for _, want := range c.want {
					if !strings.Contains(body, want) {
						t.Errorf("no %q in the page", want)
					}
				}
				reviews := claimReviews(t, body)
				if len(reviews) != 1 {
					t.Fatalf("%d ClaimReviews, want 1", len(reviews))
				}
				r := reviews[0]
				rating := map[string]string{"en": "Challenge upheld", "fr": "Contestation fondée"}[c.lang]
				if r.Context != "https://schema.org" || r.Type != "ClaimReview" || r.ClaimReviewed != ch.Upheld.Title ||
					r.ReviewBody != ch.UpheldChallenge.Statement || r.ReviewRating.Type != "Rating" || r.ReviewRating.AlternateName != rating ||
					r.Author.Type != "Organization" || r.Author.Name != map[string]string{"en": "a reviewer organisation",
					"fr": "une organisation évaluatrice"}[c.lang] || r.Author.URL != "" ||
					r.URL != fmt.Sprintf("http://pct.test/actions/%d#challenge-%d", ch.Upheld.ID, ch.UpheldChallenge.ID) ||
					r.DatePublished != published(ch.UpheldChallenge.PublishedAt) || r.ItemReviewed.Type != "Claim" ||
					r.ItemReviewed.Author.Name != sc.Org.Name || r.ItemReviewed.Appearance != fmt.Sprintf("http://pct.test/actions/%d", ch.Upheld.ID) {
					t.Errorf("ClaimReview: %+v", r)
				}
			})
		}

		t.Run("dismissed, named, without a reply", func(t *testing.T) {
			body := page(ch.Dismissed.ID, "en")
			for _, want := range []string{"Challenge filed by " + ch.Named.Name, `<span class="outcome outcome-dismissed">Dismissed</span>`,
				"The evidence does not support the claim", "No reply within 30 days.", "The decision left the action as it was."} {
				if !strings.Contains(body, want) {
					t.Errorf("no %q in the page", want)
				}
			}
			reviews := claimReviews(t, body)
			if len(reviews) != 1 || reviews[0].Author.Name != ch.Named.Name ||
				reviews[0].Author.URL != fmt.Sprintf("http://pct.test/organisations/%d", ch.Named.ID) ||
				reviews[0].ReviewRating.AlternateName != "Challenge dismissed" {
				t.Errorf("ClaimReviews: %+v", reviews)
			}
		})

		for name, id := range map[string]int64{"open, unpublished": ch.Pending.ID, "never challenged": ch.Plain.ID} {
			t.Run(name, func(t *testing.T) {
				body := page(id, "en")
				if strings.Contains(body, `id="challenges"`) || len(claimReviews(t, body)) != 0 {
					t.Errorf("the page shows challenges")
				}
			})
		}
	})
}

// In a real browser, without JavaScript: the "Contested only" box of the
// list narrows it to the contested actions; the page of one shows its
// challenge, which axe finds nothing wrong with in either language, and
// which fits a 375 px phone.
func TestPublicChallengesInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ch := sc.Challenges(t)
	b := testutil.Browser(t)
	scripts := func(off bool) {
		t.Helper()
		_, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		testutil.Must(t, err)
	}
	scripts(true)
	testutil.Must(t, chromedp.Do(b,
		chromedp.Navigate(sc.TS+"/actions?lang=en"), chromedp.WaitVisible(chromedp.CSS("#f-contested")),
		chromedp.Click(chromedp.CSS("#f-contested")), chromedp.Submit(chromedp.CSS("#f-contested")),
		// The list that comes back no longer has the unchallenged action.
		chromedp.WaitNotPresent(chromedp.CSS(fmt.Sprintf(`a[href="/actions/%d"]`, ch.Plain.ID))),
		chromedp.WaitVisible(chromedp.CSS("#f-contested:checked"))))
	titles, err := chromedp.Run(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".action-title")].map(e => e.textContent.trim())`))
	testutil.Must(t, err)
	if len(titles) != 2 || !slices.Contains(titles, ch.Upheld.Title) || !slices.Contains(titles, ch.Dismissed.Title) {
		t.Errorf("the contested actions: %q", titles)
	}
	scripts(false) // axe is a script
	for _, lang := range []string{"en", "fr"} {
		testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d?lang=%s", sc.TS, ch.Upheld.ID, lang)),
			chromedp.WaitVisible(chromedp.CSS("#challenges"))))
		screens(t, b, "41-public-action-challenged-"+lang)
	}
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d?lang=en", sc.TS, ch.Dismissed.ID)),
		chromedp.WaitVisible(chromedp.CSS("#challenges"))))
	screens(t, b, "42-public-action-challenge-dismissed")
}
