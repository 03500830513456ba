package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

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
	roles   = []string{"anonymous", "member", "focal", "other", "secretariat"}
	objects = []string{"own", "others", "missing"}
)

// rule says what a caller gets on an object.
type rule func(role, object string) string

func always(outcome string) rule { return func(string, string) string { return outcome } }

// signedInAs gives anonymous callers login and the others per role.
func signedInAs(byRole map[string]string) rule {
	return func(role, _ string) string {
		if role == "anonymous" {
			return login
		}
		return byRole[role]
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

// reviewRule: supporters are refused before anything is read; the
// secretariat gets the draft (a conflict: not submitted) or not found.
func reviewRule(role, object string) string {
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

// secretariatNotFound: supporters are refused; the secretariat asks for an
// organisation that does not exist.
var secretariatNotFound = signedInAs(map[string]string{"member": forbidden, "focal": forbidden, "other": forbidden, "secretariat": notFound})

var supportersOnly = signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": forbidden})
var focalPointsOnly = signedInAs(map[string]string{"member": forbidden, "focal": ok, "other": ok, "secretariat": forbidden})

// rules holds a rule for every route. A route without one fails the test,
// so that no route is added without deciding who may use it.
var rules = map[string]rule{
	"GET /":                                     always(ok),
	"GET /signin":                               always(ok),
	"POST /signin":                              always(forbidden), // without the token its form page sets
	"POST /signout":                             always(ok),
	"GET /healthz":                              always(ok),
	"GET /readyz":                               always(ok),
	"GET /static/*":                             always(ok),
	"GET /metrics":                              always(ok),
	"GET /api/v1/openapi.json":                  always(ok),
	"GET /api/v1/recommendations":               always(ok),
	"GET /api/v1/recommendations/:number":       always(ok),
	"GET /api/v1/me":                            signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"GET /api/v1/my/actions":                    supportersOnly,
	"POST /api/v1/actions":                      supportersOnly,
	"POST /api/v1/cycles/:year/carry-forward":   supportersOnly,
	"POST /api/v1/cycles/:year/submit-all":      focalPointsOnly,
	"POST /api/v1/invitations":                  signedInAs(map[string]string{"member": forbidden, "focal": ok, "other": ok, "secretariat": ok}),
	"GET /invite":                               always(ok),
	"POST /invite":                              always(forbidden),
	"GET /reset":                                always(ok),
	"POST /reset":                               always(forbidden),
	"GET /reset/new":                            always(ok),
	"POST /reset/new":                           always(forbidden),
	"POST /api/v1/actions/import":               supportersOnly,
	"GET /actions/import":                       supportersOnly,
	"POST /actions/import":                      supportersOnly,
	"GET /actions/import/template.csv":          always(ok),
	"GET /account":                              signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"POST /account/tokens":                      signedInAs(map[string]string{"member": ok, "focal": ok, "other": ok, "secretariat": ok}),
	"POST /account/tokens/:id/revoke":           tokenRule,
	"POST /people/:id/resend":                   signedInAs(map[string]string{"member": forbidden, "focal": notFound, "other": notFound, "secretariat": notFound}),
	"GET /api/v1/review":                        secretariatOnly,
	"POST /api/v1/review/accept":                secretariatOnly,
	"POST /api/v1/actions/:id/review":           reviewRule,
	"GET /review":                               secretariatOnly,
	"POST /review/accept":                       secretariatOnly,
	"POST /actions/:id/review":                  reviewRule,
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

	"GET /api/v1/actions/:id":           onAction(ok, ok, ok),
	"GET /api/v1/actions/:id/history":   onAction(ok, ok, ok),
	"PATCH /api/v1/actions/:id":         onAction(ok, ok, forbidden),
	"DELETE /api/v1/actions/:id":        onAction(ok, ok, forbidden),
	"POST /api/v1/actions/:id/submit":   onAction(forbidden, ok, forbidden),
	"POST /api/v1/actions/:id/withdraw": onAction(ok, ok, ok),
	"GET /actions/:id":                  onAction(ok, ok, ok),
	"GET /actions/:id/edit":             onAction(ok, ok, ok),
	"GET /actions/:id/history":          onAction(ok, ok, ok),
	"POST /actions/:id":                 onAction(ok, ok, forbidden),
	"POST /actions/:id/submit":          onAction(forbidden, ok, forbidden),
	"POST /actions/:id/withdraw":        onAction(ok, ok, ok),
	"POST /actions/:id/delete":          onAction(ok, ok, forbidden),

	"POST /api/v1/cycles/:year/reports":  secretariatOnly,
	"GET /api/v1/reports":                always(ok),
	"GET /api/v1/reports/:id":            always(notFound),
	"GET /api/v1/reports/:id/:format":    always(notFound),
	"POST /api/v1/reports/:id/publish":   secretariatNotFound,
	"GET /api/v1/schemas/report.json":    always(ok),
	"GET /api/v1/dashboard":              always(ok),
	"GET /api/v1/actions":                always(ok),
	"GET /actions":                       always(ok),
	"GET /recommendations":               always(ok),
	"GET /recommendations/:number":       always(ok),
	"GET /organisations":                 always(ok),
	"GET /about":                         always(ok),
	"GET /search":                        always(ok),
	"GET /api/v1/open-data/actions.csv":  always(ok),
	"GET /api/v1/open-data/actions.json": always(ok),
	"GET /feed.atom":                     always(ok),
	"GET /organisations/:id":             always(notFound),
	"POST /admin/cycles/:year/reports":   secretariatOnly,
	"GET /reports":                       always(ok),
	"GET /reports/:id":                   always(notFound),
	"POST /reports/:id/publish":          secretariatNotFound,
}

func outcomeOf(r response) string {
	switch {
	case r.status == http.StatusUnauthorized, r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/signin"):
		return login
	case r.status == http.StatusForbidden:
		return forbidden
	case r.status == http.StatusNotFound:
		return notFound
	}
	return ok
}

// checksum sums the rows of an organisation's actions, their history and
// evidence, to prove that a refused request changed nothing.
func checksum(t *testing.T, db *store.DB, stakeholderID int64) string {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT a.id, a.version, a.state, a.title,
		(SELECT count(*) FROM action_versions v WHERE v.action_id = a.id),
		(SELECT count(*) FROM evidence e WHERE e.action_id = a.id)
		FROM actions a WHERE a.stakeholder_id = $1 ORDER BY a.id`, stakeholderID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var id, version, versions, evidence int64
		var state, title string
		if err := rows.Scan(&id, &version, &state, &title, &versions, &evidence); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(h, id, version, state, title, versions, evidence)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// Every route, for every kind of caller, on their own organisation's
// action, another organisation's and a missing one: the expected outcome,
// no server error, and the other organisation's rows untouched by anyone
// but the secretariat.
func TestAuthorizationMatrix(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			db := testutil.NewDB(t, engine)
			s := testutil.NewServices(db)
			ctx := context.Background()
			ts, routes := startServerWithRoutes(t, db, s.Clock.Now)
			org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
			s.Cycle(t, 2025)
			s.Cycle(t, 2026)
			tokens := map[string]string{}
			actors := map[string]user.Actor{}
			for role, in := range map[string]user.Input{
				"member":      {Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member},
				"focal":       {Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint},
				"other":       {Role: user.Supporter, StakeholderID: other.ID, OrgRole: user.FocalPoint},
				"secretariat": {Role: user.Secretariat},
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
			draft := func(owner string) int64 {
				a, err := s.Actions.CreateIn(ctx, actors[owner], 2026, testutil.ActionInput())
				if err != nil {
					t.Fatal(err)
				}
				return a.ID
			}

			sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
			covered := 0
			for _, rt := range routes {
				key := rt.Method + " " + rt.Path
				rule, ok := rules[key]
				if !ok {
					t.Errorf("route %s has no authorization rule in this test", key)
					continue
				}
				covered++
				for _, role := range roles {
					for _, object := range objects {
						// Fresh drafts for each request on an action: a refused
						// request must find its target as it was.
						id := int64(999999)
						onAction := strings.Contains(rt.Path, ":id") && !(strings.Contains(rt.Path, "/tokens/") ||
							strings.HasPrefix(rt.Path, "/people/") || strings.Contains(rt.Path, "/stakeholders/") ||
							strings.Contains(rt.Path, "/organisations/") || strings.Contains(rt.Path, "/reports/")) // other ids could collide with action ids
						if onAction && object != "missing" {
							id = draft(map[string]string{"own": "member", "others": "other"}[object])
						}
						before := checksum(t, db, other.ID)
						path := strings.NewReplacer(":id", fmt.Sprint(id), ":year", "2026", ":number", "1", ":name", "housekeeping", ":format", "csv", "*", "css/app.css").Replace(rt.Path)
						body := ""
						if strings.HasPrefix(path, "/api/") && (rt.Method == http.MethodPatch || rt.Method == http.MethodPost) {
							switch {
							case path == "/api/v1/actions":
								body = newActionBody
							case strings.HasSuffix(path, "/review"):
								body = `{"decision": "accept"}`
							default:
								body = `{"version": 1}`
							}
						}
						c := apiClient{t: t, base: ts.URL}
						if role != "anonymous" {
							c.token = tokens[role]
						}
						header := []string{}
						if body == "" && rt.Method != http.MethodGet {
							// What the page's form would send, bar the CSRF token
							// (Bearer callers have no session to need one).
							body = "cycle=2026&version=1&op=save&decision=accept"
							header = []string{"Content-Type", "application/x-www-form-urlencoded"}
						}
						r := c.do(rt.Method, path, body, header...)
						if r.status >= 500 {
							t.Errorf("%s %s as %s: %d %s", rt.Method, path, role, r.status, r.body)
							continue
						}
						if got, want := outcomeOf(r), rule(role, object); got != want {
							t.Errorf("%s as %s on %s: %s (%d), want %s", key, role, object, got, r.status, want)
						}
						if role != "secretariat" && role != "other" && checksum(t, db, other.ID) != before {
							t.Errorf("%s as %s on %s changed another organisation's rows", key, role, object)
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
			t.Logf("%d routes x %d callers x %d objects checked", covered, len(roles), len(objects))
		})
	}
}
