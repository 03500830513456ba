package systemtest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Outcomes of a request, as far as access is concerned.
const (
	ok        = "ok"        // allowed (the answer may still be a validation error or a conflict)
	login     = "login"     // 401, or a page's redirect to the sign-in form
	forbidden = "forbidden" // 403
	notFound  = "not found" // 404
)

// The callers and the objects every route is tried with.
var (
	// reviewer is the focal point of a third organisation, of civil
	// society, that the secretariat designated a reviewer.
	roles   = []string{"anonymous", "member", "focal", "other", "secretariat", "reviewer"}
	objects = []string{"own", "others", "missing"}
)

// rule says what a caller gets on an object.
type rule func(role, object string) string

func always(outcome string) rule { return func(string, string) string { return outcome } }

// signedInAs gives anonymous callers login and the others per role; a
// reviewer, unless named, as "other" (both are focal points of a third
// organisation).
func signedInAs(byRole map[string]string) rule {
	return func(role, _ string) string {
		if role == "anonymous" {
			return login
		}
		if got, ok := byRole[role]; ok || role != "reviewer" {
			return got
		}
		return byRole["other"]
	}
}

// onAction is the rule of a route about one action: the owner's people per
// role, other organisations and missing actions not found, the secretariat
// as given.
func onAction(member, focal, secretariat string) rule {
	return func(role, object string) string {
		switch {
		case role == "anonymous":
			return login
		case object == "missing":
			return notFound
		case role == "secretariat":
			return secretariat
		case role == "reviewer":
			return notFound // neither organisation's
		case role == "other" && object == "own", role != "other" && object == "others":
			return notFound
		case role == "member":
			return member
		}
		return focal
	}
}

// tokenRule: the test revokes a token id nobody has; someone else's token
// is not found either.
var tokenRule = signedInAs(map[string]string{"member": notFound, "focal": notFound, "other": notFound, "secretariat": notFound})

var secretariatOnly = signedInAs(map[string]string{"member": forbidden, "focal": forbidden, "other": forbidden, "secretariat": ok})

// secretariatNotFound: supporters are refused; the secretariat asks for an
// organisation that does not exist.
var secretariatNotFound = signedInAs(map[string]string{"member": forbidden, "focal": forbidden, "other": forbidden, "secretariat": notFound})

// secretariatOnAction is a route of the secretariat's about one action,
// such as a review: anyone else is refused before the action is looked up.
func secretariatOnAction(role, object string) string {
	switch {
	case role == "anonymous":
		return login
	case role != "secretariat":
		return forbidden
	case object == "missing":
		return notFound
	}
	return ok
}

// onFramework: a public page or answer about a framework, found unless
// the matrix names one that does not exist.
func onFramework(_, object string) string {
	if object == "missing" {
		return notFound
	}
	return ok
}

// onChallenge is the rule of reading a challenge: "own" is an open
// challenge of an action of the member's organisation, "others" a filed
// one of the other organisation's action, both the reviewer's.
func onChallenge(role, object string) string {
	switch {
	case role == "anonymous":
		return login
	case object == "missing":
		return notFound
	case role == "secretariat", role == "reviewer":
		return ok
	case object == "own" && (role == "member" || role == "focal"):
		return ok
	}
	return notFound // filed: not yet the other organisation's to read
}

// replyRule: the focal point of the organisation challenged replies; the
// secretariat and the reviewer read the challenge, but may not.
func replyRule(role, object string) string {
	switch {
	case role == "anonymous":
		return login
	case object == "missing":
		return notFound
	case role == "secretariat", role == "reviewer":
		return forbidden
	case object == "own" && role == "member":
		return forbidden
	case object == "own" && role == "focal":
		return ok
	}
	return notFound
}

// fileRule: a reviewer's people file challenges, on public actions only
// (the matrix tries drafts, which they do not find); anyone else is
// refused before the action is looked up.
var fileRule = signedInAs(map[string]string{"member": forbidden, "focal": forbidden, "other": forbidden, "secretariat": forbidden, "reviewer": notFound})

var supportersOnly = signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": forbidden})
var focalPointsOnly = signedInAs(map[string]string{"member": forbidden, "focal": ok, "other": ok, "secretariat": forbidden})

// rules holds a rule for every route. A route without one fails the test,
// so that no route is added without deciding who may use it.
var rules = map[string]rule{
	"GET /":                                   always(ok),
	"GET /signin":                             always(ok),
	"POST /signin":                            always(forbidden), // without the token its form page sets
	"POST /signout":                           always(ok),
	"GET /signin/code":                        always(login),     // without a pending sign-in: back to the password
	"POST /signin/code":                       always(forbidden), // without the token its form page sets
	"POST /account/recovery-codes":            signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"GET /healthz":                            always(ok),
	"GET /readyz":                             always(ok),
	"GET /static/*":                           always(ok),
	"GET /metrics":                            always(ok),
	"GET /api/v1/openapi.json":                always(ok),
	"GET /api/v1/recommendations":             always(ok),
	"GET /api/v1/recommendations/:number":     always(ok),
	"GET /api/v1/me":                          signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"GET /api/v1/my/actions":                  supportersOnly,
	"POST /api/v1/actions":                    supportersOnly,
	"POST /api/v1/cycles/:year/carry-forward": supportersOnly,
	"POST /api/v1/cycles/:year/submit-all":    focalPointsOnly,
	"POST /api/v1/invitations":                signedInAs(map[string]string{"member": forbidden, "focal": ok, "other": ok, "secretariat": ok}),
	"GET /invite":                             always(ok),
	"POST /invite":                            always(forbidden),
	"GET /reset":                              always(ok),
	"POST /reset":                             always(forbidden),
	"GET /reset/new":                          always(ok),
	"POST /reset/new":                         always(forbidden),
	"POST /api/v1/actions/import":             supportersOnly,
	"GET /actions/import":                     supportersOnly,
	"POST /actions/import":                    supportersOnly,
	"GET /actions/import/template.csv":        always(ok),
	"GET /account":                            signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"POST /account/tokens":                    signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"POST /account/preferences":               signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"POST /account/tokens/:id/revoke":         tokenRule,
	"POST /people/resend":                     signedInAs(map[string]string{"member": forbidden, "focal": notFound, "other": notFound, "secretariat": notFound}),
	"GET /api/v1/review":                      secretariatOnly,
	"POST /api/v1/review/accept":              secretariatOnly,
	"POST /api/v1/actions/:id/review":         secretariatOnAction,
	"GET /review":                             secretariatOnly,
	"POST /review/accept":                     secretariatOnly,
	"POST /actions/:id/review":                secretariatOnAction,
	"PATCH /api/v1/actions/:id/assurance":     secretariatOnAction, // a draft is refused (409)
	"POST /actions/:id/assurance":             secretariatOnAction,
	// Challenges. Filing (and confirming) is a reviewer's, on a public
	// action: the matrix tries drafts, which the reviewer does not find.
	"POST /api/v1/actions/:id/challenges":       fileRule,
	"POST /api/v1/actions/:id/verifications":    fileRule,
	"GET /api/v1/challenges":                    signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"GET /api/v1/challenges/:id":                onChallenge,
	"POST /api/v1/challenges/:id/screen":        secretariatOnAction,
	"POST /api/v1/challenges/:id/reply":         replyRule,
	"POST /api/v1/challenges/:id/decide":        secretariatOnAction,
	"POST /api/v1/challenges/:id/publish":       secretariatOnAction,
	"GET /actions/:id/challenge":                fileRule,
	"POST /actions/:id/challenge":               fileRule,
	"GET /actions/:id/confirm":                  fileRule,
	"POST /actions/:id/confirm":                 fileRule,
	"GET /challenges":                           signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"GET /challenges/:id":                       onChallenge,
	"POST /challenges/:id/screen":               secretariatOnAction,
	"POST /challenges/:id/reply":                replyRule,
	"POST /challenges/:id/decide":               secretariatOnAction,
	"POST /challenges/:id/publish":              secretariatOnAction, // asks first; a step not possible is refused (422)
	"GET /api/v1/cycles":                        always(ok),
	"POST /api/v1/cycles":                       secretariatOnly,
	"PATCH /api/v1/cycles/:year":                secretariatOnly,
	"POST /api/v1/cycles/:year/extensions":      secretariatOnly,
	"GET /admin/cycles":                         secretariatOnly,
	"POST /admin/cycles":                        secretariatOnly,
	"GET /admin/cycles/:year":                   secretariatOnly,
	"POST /admin/cycles/:year":                  secretariatOnly,
	"POST /admin/cycles/:year/extensions":       secretariatOnly,
	"GET /api/v1/stakeholders":                  always(ok),
	"POST /api/v1/stakeholders":                 secretariatOnly,
	"GET /api/v1/stakeholders/:id":              always(notFound),
	"PATCH /api/v1/stakeholders/:id":            signedInAs(map[string]string{"member": forbidden, "focal": forbidden, "other": forbidden, "secretariat": notFound}),
	"POST /api/v1/stakeholders/:id/invitations": signedInAs(map[string]string{"member": forbidden, "focal": notFound, "other": notFound, "secretariat": ok}),
	"GET /admin/organisations":                  secretariatOnly,
	"POST /admin/organisations":                 secretariatOnly,
	"GET /admin/organisations/:id":              secretariatNotFound,
	"POST /admin/organisations/:id":             secretariatNotFound,
	"POST /admin/organisations/:id/invite":      secretariatNotFound,
	"GET /api/v1/cycles/:year/status":           secretariatOnly,
	"GET /admin/status":                         secretariatOnly,
	"GET /admin/status.csv":                     secretariatOnly,
	"POST /admin/status/:id/remind":             secretariatNotFound,
	"GET /admin/audit":                          secretariatOnly,
	"GET /admin/jobs":                           secretariatOnly,
	"POST /admin/jobs/:name/run":                secretariatOnly,
	"GET /people":                               supportersOnly,
	"POST /people/invite":                       focalPointsOnly,
	"GET /workspace":                            supportersOnly,
	"POST /workspace/carry-forward":             supportersOnly,
	"POST /workspace/submit-all":                focalPointsOnly,
	"GET /actions/new":                          supportersOnly,
	"POST /actions":                             supportersOnly,

	"GET /api/v1/actions/:id":                 onAction(ok, ok, ok),
	"GET /api/v1/actions/:id/history":         onAction(ok, ok, ok),
	"PATCH /api/v1/actions/:id":               onAction(ok, ok, forbidden),
	"DELETE /api/v1/actions/:id":              onAction(ok, ok, forbidden),
	"POST /api/v1/actions/:id/submit":         onAction(forbidden, ok, forbidden),
	"POST /api/v1/actions/:id/withdraw":       onAction(ok, ok, ok),
	"POST /api/v1/actions/:id/reopen":         onAction(ok, ok, forbidden),
	"POST /api/v1/actions/:id/evidence/check": secretariatOnAction, // a draft is refused (409)
	"GET /actions/:id":                        readAction,
	"GET /actions/:id/edit":                   onAction(ok, ok, ok),
	"GET /actions/:id/history":                onAction(ok, ok, ok),
	"POST /actions/:id":                       onAction(ok, ok, forbidden),
	"POST /actions/:id/submit":                onAction(forbidden, ok, forbidden),
	"GET /actions/:id/withdraw":               onAction(ok, ok, ok), // a confirmation, or back with the reason
	"POST /actions/:id/withdraw":              onAction(ok, ok, ok),
	"POST /actions/:id/reopen":                onAction(ok, ok, forbidden),
	"GET /actions/:id/delete":                 onAction(ok, ok, ok),
	"POST /actions/:id/delete":                onAction(ok, ok, forbidden),

	"POST /api/v1/cycles/:year/reports":     secretariatOnly,
	"GET /api/v1/reports":                   always(ok),
	"GET /api/v1/reports/:id":               always(notFound),
	"GET /api/v1/reports/:id/:format":       always(notFound),
	"POST /api/v1/reports/:id/publish":      secretariatNotFound,
	"GET /api/v1/schemas/report.json":       always(ok),
	"GET /api/v1/dashboard":                 always(ok),
	"GET /api/v1/actions":                   always(ok),
	"GET /actions":                          always(ok),
	"GET /recommendations":                  always(ok),
	"GET /recommendations/:number":          always(ok),
	"GET /organisations":                    always(ok),
	"GET /about":                            always(ok),
	"GET /robots.txt":                       always(ok),
	"GET /sitemap.xml":                      always(ok),
	"GET /favicon.ico":                      always(ok),
	"GET /search":                           always(ok),
	"GET /api/v1/open-data/actions.csv":     always(ok),
	"GET /api/v1/open-data/actions.json":    always(ok),
	"GET /api/v1/open-data/challenges.csv":  always(ok),
	"GET /api/v1/open-data/challenges.json": always(ok),
	"GET /feed.atom":                        always(ok),
	"GET /organisations/:id":                always(notFound),
	"POST /admin/cycles/:year/reports":      secretariatOnly,
	"GET /reports":                          always(ok),
	"GET /reports/:id":                      always(notFound),
	"GET /reports/:id/publish":              secretariatNotFound,
	"GET /archive/:sha256":                  always(notFound), // no copy of that name
	"POST /reports/:id/publish":             secretariatNotFound,

	// Data releases: public to read (the matrix names none that exists);
	// the secretariat records DOIs and publishes corrections (the matrix's
	// bodies are refused as invalid, or name no release).
	"GET /api/v1/releases":                 always(ok),
	"GET /api/v1/releases/:id":             always(notFound),
	"PATCH /api/v1/releases/:id":           secretariatOnly,
	"POST /api/v1/reports/:id/corrections": secretariatOnly,
	"GET /catalog.jsonld":                  always(ok),
	"GET /releases":                        always(ok),
	"GET /releases/:id":                    always(notFound),
	"POST /releases/:id/doi":               secretariatOnly,
	"POST /releases/:id/correction":        secretariatNotFound,

	// Deadline extensions. The matrix names no organisation (the path
	// keeps ":stakeholder_id"): the secretariat finds no extension there.
	"GET /api/v1/cycles/:year/extensions":                        secretariatOnly,
	"DELETE /api/v1/cycles/:year/extensions/:stakeholder_id":     secretariatNotFound,
	"GET /admin/cycles/:year/extensions/:stakeholder_id/revoke":  secretariatNotFound,
	"POST /admin/cycles/:year/extensions/:stakeholder_id/revoke": secretariatNotFound,

	// The crosswalk: public pages. The matrix names a framework that
	// exists for "own" and "others", one that does not for "missing".
	"GET /frameworks":              always(ok),
	"GET /frameworks/:key":         onFramework,
	"GET /about/crosswalk-sources": always(ok),

	// (end of the crosswalk's public pages)

	// The crosswalk: API and open data. Edits are the secretariat's, who
	// alone learns whether a framework exists. An action's provisions are
	// its people's and the secretariat's, checked before a body is read.
	"GET /api/v1/frameworks":                              always(ok),
	"GET /api/v1/frameworks/:key":                         onFramework,
	"PATCH /api/v1/frameworks/:key":                       secretariatOnAction, // {"version": 1} alone changes nothing
	"PATCH /api/v1/frameworks/:key/provisions/:provision": secretariatOnAction,
	"GET /api/v1/actions/:id/provisions":                  onAction(ok, ok, ok),
	"POST /api/v1/actions/:id/provisions":                 onAction(ok, ok, ok),
	"POST /api/v1/actions/:id/provisions/remove":          onAction(ok, ok, ok),
	"GET /api/v1/open-data/crosswalk.csv":                 always(ok),
	"GET /api/v1/open-data/crosswalk.json":                always(ok),
	// (end of the crosswalk's API)

	// The crosswalk: the report annex and the organisations' own download.
	// (The annex is inside the report's documents, which have their rules.)
	"GET /workspace/frameworks.csv":  focalPointsOnly,
	"GET /workspace/frameworks.xlsx": focalPointsOnly,

	// (end of the report annex)

	// The crosswalk: editing (the secretariat's alone; a form without its
	// fields comes back with their messages).
	"GET /admin/frameworks":                             secretariatOnly,
	"GET /admin/frameworks/:key":                        secretariatOnAction,
	"POST /admin/frameworks/:key":                       secretariatOnAction,
	"GET /admin/frameworks/:key/provisions/:provision":  secretariatOnAction,
	"POST /admin/frameworks/:key/provisions/:provision": secretariatOnAction,
	"POST /actions/:id/provisions":                      onAction(ok, ok, ok), // no provision named: the page comes back (422)
	"POST /actions/:id/provisions/remove":               onAction(ok, ok, ok),

	// (end of the crosswalk's editing)

	// Import templates (issue 19.18): nothing of anyone's, like the CSV
	// template.
	"GET /actions/import/template.xlsx": always(ok),
	"GET /actions/import/codes.csv":     always(ok),
	// (end of import templates)

	// Open data (issue 19.11): the page for people who reuse the data and
	// the API reference, public to all.
	"GET /open-data":     always(ok),
	"GET /open-data/api": always(ok),
	// (end of open data)

	// Embeds and share cards (issue 20.3): public to all. The matrix names
	// no organisation (999999) and no card file (":file" is left as is).
	"GET /embed/dashboard":               always(ok),
	"GET /embed/recommendations/:number": always(ok),
	"GET /embed/organisations/:id":       always(notFound),
	"GET /cards/dashboard.png":           always(ok),
	"GET /cards/recommendations/:file":   always(notFound),
	"GET /cards/organisations/:file":     always(notFound),
	// (end of embeds)
	// Mail subscriptions (issue 20.2): anyone signs up (the matrix's empty
	// sign-up is refused as invalid); a link's secret is its only key, and
	// the matrix's ":token" opens nothing. The one-click unsubscribe takes
	// no form token; the other posts of a link's page do.
	"POST /api/v1/subscriptions":  always(ok),
	"POST /follow":                always(ok),
	"GET /follow/confirm/:token":  always(notFound),
	"POST /follow/confirm/:token": always(forbidden), // without the token its form page sets
	"GET /follow/manage/:token":   always(notFound),
	"POST /follow/manage/:token":  always(forbidden), // without the token its form page sets
	"GET /unsubscribe/:token":     always(notFound),
	"POST /unsubscribe/:token":    always(notFound),
	// (end of mail subscriptions)
}

func outcomeOf(r apptest.Response) string {
	switch {
	case r.Status == http.StatusUnauthorized, r.Status == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/signin"):
		return login
	case r.Status == http.StatusForbidden:
		return forbidden
	case r.Status == http.StatusNotFound:
		return notFound
	}
	return ok
}

// unpublishedTitles returns the titles of the actions a caller of
// organisation home (0: none) may not read: every other organisation's
// action that is not accepted and public. A title that an action the
// caller may read shares is left out: showing that one is no leak.
func unpublishedTitles(t testing.TB, db *store.DB, home int64) []string {
	t.Helper()
	return testutil.Column[string](t, db.SQL(), `SELECT DISTINCT title FROM actions
		WHERE stakeholder_id <> $1 AND NOT (state = 'accepted' AND visibility = 'public')
		AND title NOT IN (SELECT title FROM actions WHERE stakeholder_id = $1 OR (state = 'accepted' AND visibility = 'public'))`, home)
}

// Every route of the router (API, pages, forms), for every kind of caller,
// on their own organisation's action, another organisation's and a missing
// one: the expected outcome and no server error. After each request:
//   - neither organisation's rows changed, unless it was a write by that
//     organisation's own people or by the secretariat;
//   - the answer holds no action its caller may not read: a reader outside
//     the secretariat never sees another organisation's unaccepted or
//     withheld actions, and public routes show them to no one at all.
//
// Every GET is sent a second time searching for those actions by a word
// their titles share, for the lists and searches that need a query.
func TestAuthorizationMatrix(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		ts, routes := apptest.StartServerWithRoutes(t, db, s.Clock.Now)
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		s.Crosswalk(t) // real frameworks and provisions, which actions count for
		s.Cycle(t, 2025)
		c2026 := s.Cycle(t, 2026)
		// A reviewer organisation with a name no other text holds: an
		// answer that shows a pseudonymous challenge must not show it.
		const reviewerName = "Numbat Forensics Collective"
		reviewerOrg, err := s.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: reviewerName,
			Kind: stakeholder.CivilSociety, Country: "CA", Active: true, Verified: true})
		if err == nil {
			reviewerOrg, err = s.Stakeholders.Update(ctx, testutil.System, reviewerOrg.ID, reviewerOrg.Version,
				func(in *stakeholder.Input) { in.Reviewer = true })
		}
		if err != nil {
			t.Fatal(err)
		}
		tokens := map[string]string{}
		actors := map[string]user.Actor{}
		for role, in := range map[string]user.Input{
			"member":      {Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member},
			"focal":       {Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint},
			"other":       {Role: user.Supporter, StakeholderID: other.ID, OrgRole: user.FocalPoint},
			"secretariat": {Role: user.Secretariat},
			"reviewer":    {Role: user.Supporter, StakeholderID: reviewerOrg.ID, OrgRole: user.FocalPoint},
		} {
			in.Email, in.Name = role+"@matrix.example", role
			u, err := s.Users.Create(ctx, testutil.System, in)
			if err != nil {
				t.Fatal(err)
			}
			actors[role] = u.Actor()
			if _, tokens[role], err = s.Users.CreateToken(ctx, testutil.System, in.Email, "matrix"); err != nil {
				t.Fatal(err)
			}
		}
		// Every action of the test has a title of its own with a word no
		// other text holds, so that an answer showing it is caught.
		const word = "quokka"
		made := 0
		create := func(owner string, change func(*action.Input)) action.Action {
			t.Helper()
			made++
			in := testutil.ActionInput()
			in.Title = fmt.Sprintf("Unpublished %s plan %04d", word, made)
			if change != nil {
				change(&in)
			}
			a, err := s.Actions.CreateIn(ctx, actors[owner], 2026, in)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		draft := func(owner string) int64 { return create(owner, nil).ID }
		// Standing actions of each organisation that no outsider may see,
		// in every state a list could pick: a draft, a submitted action and
		// an accepted one kept for the secretariat.
		for _, owner := range []string{"member", "other"} {
			draft(owner)
			a := create(owner, nil)
			a, err := s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, "")
			if err != nil {
				t.Fatal(err)
			}
			a = create(owner, func(in *action.Input) { in.Visibility = action.SecretariatOnly })
			if a, err = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err == nil {
				_, err = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, "")
			}
			if err != nil {
				t.Fatal(err)
			}
		}

		// Challenges, all pseudonymous: standing ones that callers outside
		// their parties may not read (one filed against the member's
		// organisation, not yet its to read; one open against the
		// other's), and fresh ones for each request on a challenge. An
		// answer that shows a challenge must never name its reviewer.
		const secret = "wombat"
		accepted := func(owner stakeholder.Stakeholder, title string) action.Action {
			in := testutil.ActionInput()
			in.Title = title
			return s.Accepted(t, owner, c2026, in)
		}
		file := func(a action.Action, text string, open bool) int64 {
			t.Helper()
			ch, err := s.Challenges.File(ctx, actors["reviewer"], a.ID, challenge.Input{Grounds: challenge.Outdated, Statement: text, Pseudonymous: true})
			if err == nil && open {
				yes := true
				ch, err = s.Challenges.Screen(ctx, testutil.System, ch.ID, 0, &yes, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			return ch.ID
		}
		filedText, openText := "Unpublished "+secret+" challenge, filed", "Unpublished "+secret+" challenge, open"
		file(accepted(org, "Public action under a filed challenge"), filedText, false)
		file(accepted(other, "Public action under an open challenge"), openText, true)
		freshOn := map[string]action.Action{"own": accepted(org, "Public action of the member's organisation"),
			"others": accepted(other, "Public action of the other organisation")}
		unreadable := map[string][]string{"anonymous": {filedText, openText}, "member": {filedText, openText},
			"focal": {filedText, openText}, "other": {filedText}}
		// And one published: anyone may read it, and the public answers
		// show it (the open data, the feed), but none names its reviewer.
		publishedText := "Published " + secret + " challenge"
		s.PublishedChallenge(t, reviewerOrg, accepted(org, "Public action under a published challenge"),
			challenge.Input{Grounds: challenge.Outdated, Statement: publishedText, Pseudonymous: true},
			"The decree still stands.", challenge.Decision{Outcome: challenge.Upheld, Reasons: "The decree was repealed."})
		shownPublished := 0

		owned := apptest.OwnedTables(t, db)
		orgs := map[string]int64{"own": org.ID, "others": other.ID, "reviewer's": reviewerOrg.ID}
		home := map[string]string{"member": "own", "focal": "own", "other": "others", "reviewer": "reviewer's"}
		sums := func() map[string]string {
			rows, out := apptest.OrgRows(t, db, owned), map[string]string{}
			for name, id := range orgs {
				out[name] = apptest.SumOf(rows[id])
			}
			return out
		}
		// mayChange says whether a request may change an organisation's
		// rows: a write by its own people or by the secretariat.
		mayChange := func(method, role, orgName string) bool {
			return method != http.MethodGet && (role == "secretariat" || home[role] == orgName)
		}

		sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
		covered, requests, searches, leakChecks, leaks, trespasses, challenges := 0, 0, 0, 0, 0, 0, 0
		var known map[string]string // the sums after the last request, while nothing else wrote
		for _, rt := range routes {
			key := rt.Method + " " + rt.Path
			rule, found := rules[key]
			if !found {
				t.Errorf("route %s has no authorization rule in this test", key)
				continue
			}
			covered++
			public := rule("anonymous", "missing") == ok
			for _, role := range roles {
				for _, object := range objects {
					// Fresh drafts for each request on an action: a refused
					// request must find its target as it was.
					id := int64(999999)
					onAction := strings.Contains(rt.Path, ":id") && !(strings.Contains(rt.Path, "/tokens/") ||
						strings.HasPrefix(rt.Path, "/people/") || strings.Contains(rt.Path, "/stakeholders/") ||
						strings.Contains(rt.Path, "/organisations/") || strings.Contains(rt.Path, "/reports/") ||
						strings.HasPrefix(rt.Path, "/admin/status/") || strings.Contains(rt.Path, "/challenges/")) // other ids could collide with action ids
					if onAction && object != "missing" {
						id = draft(map[string]string{"own": "member", "others": "other"}[object])
						known = nil
					}
					// A fresh challenge for each request on one: "own" open
					// against the member's organisation, "others" filed against
					// the other's.
					onChallengeID := strings.Contains(rt.Path, "/challenges/:id")
					if onChallengeID && object != "missing" {
						challenges++
						id = file(freshOn[object], fmt.Sprintf("Fresh %s challenge %d", secret, challenges), object == "own")
						known = nil
					}
					// A framework and a provision that exist, escaped as a
					// client escapes them, or none for a missing object.
					fw, provision := "un-gge-2015", url.PathEscape("4.E.1.c (2017 notes)")
					if strings.Contains(rt.Path, "/provisions/:provision") {
						fw = "wassenaar-intrusion-2013"
					}
					if object == "missing" {
						fw, provision = "no-such-framework", "no-such-provision"
					}
					path := strings.NewReplacer(":id", fmt.Sprint(id), ":year", "2026", ":number", "1", ":name", "housekeeping", ":format", "csv",
						":key", fw, ":provision", provision, "*", "css/app.css").Replace(rt.Path)
					body := ""
					if strings.HasPrefix(path, "/api/") && (rt.Method == http.MethodPatch || rt.Method == http.MethodPost) {
						switch {
						case path == "/api/v1/actions":
							body = apptest.NewActionBody
						case strings.HasSuffix(path, "/review"):
							body = `{"decision": "accept"}`
						case strings.HasSuffix(path, "/challenges"):
							body = `{"grounds": "outdated", "statement": "The decree was repealed."}`
						default:
							body = `{"version": 1}`
						}
					}
					c := apptest.APIClient{T: t, Base: ts.URL}
					if role != "anonymous" {
						c.Token = tokens[role]
					}
					header := []string{}
					if body == "" && rt.Method != http.MethodGet {
						// What the page's form would send, bar the CSRF token
						// (Bearer callers have no session to need one).
						body = "cycle=2026&version=1&op=save&decision=accept"
						header = []string{"Content-Type", "application/x-www-form-urlencoded"}
					}
					targets := []string{path}
					if rt.Method == http.MethodGet {
						targets = append(targets, path+"?q="+word+"&cycle=2026&state=draft")
					}
					for i, target := range targets {
						before := known
						if before == nil {
							before = sums()
						}
						r := c.Do(rt.Method, target, body, header...)
						requests++
						if i > 0 {
							searches++
						}
						if r.Status >= 500 {
							t.Errorf("%s %s as %s: %d %s", rt.Method, target, role, r.Status, r.Body)
							known = nil
							continue
						}
						if got, want := outcomeOf(r), rule(role, object); i == 0 && got != want {
							t.Errorf("%s as %s on %s: %s (%d), want %s", key, role, object, got, r.Status, want)
						}
						after := sums()
						known = after
						for name := range orgs {
							if !mayChange(rt.Method, role, name) && after[name] != before[name] {
								trespasses++
								t.Errorf("%s %s as %s on %s changed the rows of organisation %q", rt.Method, target, role, object, name)
							}
						}
						if role != "secretariat" && role != "reviewer" {
							leakChecks++
							for _, text := range unreadable[role] {
								if strings.Contains(r.Body, text) {
									leaks++
									t.Errorf("%s %s as %s on %s shows the challenge %q, which the caller may not read", rt.Method, target, role, object, text)
								}
							}
							if strings.Contains(r.Body, publishedText) {
								shownPublished++
							}
							if strings.Contains(r.Body, secret) && strings.Contains(r.Body, reviewerName) {
								leaks++
								t.Errorf("%s %s as %s on %s names the pseudonymous reviewer of a challenge", rt.Method, target, role, object)
							}
						}
						if role == "secretariat" && !public {
							continue // the secretariat reads every action
						}
						var hidden []string
						if public {
							hidden = unpublishedTitles(t, db, 0)
						} else {
							hidden = unpublishedTitles(t, db, orgs[home[role]])
						}
						leakChecks++
						for _, title := range hidden {
							if strings.Contains(r.Body, title) {
								leaks++
								t.Errorf("%s %s as %s on %s shows %q, which the caller may not read", rt.Method, target, role, object, title)
							}
						}
					}
					if id != 999999 {
						// The draft (or challenge) goes once tried, so that the
						// checksums read as many rows at the end of the test as
						// at its start.
						table := "actions"
						if onChallengeID {
							table = "challenges"
						}
						if _, err := db.SQL().Exec("DELETE FROM "+table+" WHERE id = $1", id); err != nil {
							t.Fatal(err)
						}
						known = nil
					}
				}
			}
		}
		for key := range rules {
			found := false
			for _, rt := range routes {
				found = found || rt.Method+" "+rt.Path == key
			}
			if !found {
				t.Errorf("rule %s names no route", key)
			}
		}

		// The matrix reads reports by an id that does not exist; the
		// published report of the cycle, every document in each language,
		// shows none of the actions kept from the public either.
		sec := apptest.APIClient{T: t, Base: ts.URL, Token: tokens["secretariat"]}
		r := sec.Do("POST", "/api/v1/cycles/2026/reports", "")
		report := apptest.Decode[apptest.ReportJSON](t, r)
		if r.Status != http.StatusCreated {
			t.Fatalf("compile: %d %s", r.Status, r.Body)
		}
		if r = sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", report.ID), ""); r.Status != http.StatusOK {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		hidden := unpublishedTitles(t, db, 0)
		if len(hidden) == 0 {
			t.Fatal("no action kept from the public to look for")
		}
		documents := 0
		for _, d := range apptest.Decode[apptest.ReportJSON](t, r).Documents {
			if d.SHA256 == "" {
				continue // the PDF, which needs Chromium
			}
			got := apptest.APIClient{T: t, Base: ts.URL}.Do("GET", strings.TrimPrefix(d.URL, ts.URL), "")
			text := got.Body
			if d.Format == "xlsx" {
				text = strings.Join(xlsxCells(t, "report xlsx", []byte(got.Body)), "\n")
			}
			documents++
			if strings.Contains(text, reviewerName) {
				leaks++
				t.Errorf("the published report's %s (%s) names the pseudonymous reviewer of a challenge", d.Format, d.Lang)
			}
			if d.Lang == "en" && d.Format != "csv" && !strings.Contains(text, "a reviewer organisation") {
				t.Errorf("the published report's %s (en) does not list the challenge upheld", d.Format)
			}
			for _, title := range hidden {
				if strings.Contains(text, title) {
					leaks++
					t.Errorf("the published report's %s (%s) shows %q", d.Format, d.Lang, title)
				}
			}
		}
		if shownPublished == 0 {
			t.Error("no answer showed the published challenge: the check that its reviewer is never named looked at nothing")
		}
		t.Logf("matrix: %d fresh challenges tried, pseudonymous, with 2 standing ones and 1 published, which %d answers outside "+
			"the secretariat and the reviewer showed without naming its reviewer", challenges, shownPublished)
		t.Logf("matrix: %d routes × %d roles × %d objects = %d requests, plus %d GETs searching for %q: %d requests; "+
			"both organisations' rows (%d tables) checksummed after each: %d changed by a request that may not change them; "+
			"%d answers and the published report's %d documents read for actions their caller may not read: %d shown",
			covered, len(roles), len(objects), covered*len(roles)*len(objects), searches, word, requests, len(owned), trespasses,
			leakChecks, documents, leaks)
	})
}

// Lists (issue 19.5)

// readAction is the rule of an action's page: as onAction, except that a
// caller not signed in is told not found or not public, as anyone is on a
// draft not theirs, rather than sent to sign in.
func readAction(role, object string) string {
	if role == "anonymous" {
		return notFound
	}
	return onAction(ok, ok, ok)(role, object)
}

// (end of lists)
