// Package api is pctracker's JSON surface under /api/v1. Handlers bind the
// request, make one service call and answer with a DTO; errors go to the one
// error handler of the server.
package api

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cache"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/idempotency"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// Recommendations is what the API needs of the recommendations.
type Recommendations interface {
	List(ctx context.Context) ([]recommendation.Recommendation, error)
	Get(ctx context.Context, number int) (recommendation.Recommendation, error)
}

// Users is what the API needs of accounts.
type Users interface {
	Get(ctx context.Context, id int64) (user.User, error)
}

// Stakeholders is what the API needs of organisations.
type Stakeholders interface {
	Get(ctx context.Context, id int64) (stakeholder.Stakeholder, error)
	Visible(ctx context.Context, by user.Actor, id int64) (stakeholder.Stakeholder, error)
	PublicNames(ctx context.Context, ids []int64) (map[int64]string, error)
	List(ctx context.Context, f stakeholder.Filter) ([]stakeholder.Stakeholder, int, error)
	Create(ctx context.Context, by user.Actor, in stakeholder.Input) (stakeholder.Stakeholder, error)
	Update(ctx context.Context, by user.Actor, id int64, version int, change func(*stakeholder.Input)) (stakeholder.Stakeholder, error)
}

// Actions is what the API needs of actions.
type Actions interface {
	CreateIn(ctx context.Context, by user.Actor, year int, in action.Input) (action.Action, error)
	Get(ctx context.Context, by user.Actor, id int64) (action.Action, error)
	Update(ctx context.Context, by user.Actor, id int64, version int, change func(*action.Input)) (action.Action, error)
	Delete(ctx context.Context, by user.Actor, id int64) error
	Move(ctx context.Context, by user.Actor, id int64, version int, to action.State, comment string) (action.Action, error)
	History(ctx context.Context, by user.Actor, id int64) ([]action.Version, []action.ReviewEvent, error)
	List(ctx context.Context, by user.Actor, f action.Filter) ([]action.Action, int, error)
	CarryForward(ctx context.Context, by user.Actor, year int) ([]action.Action, error)
	SubmitAll(ctx context.Context, by user.Actor, year int) ([]action.Action, error)
	ImportFile(ctx context.Context, by user.Actor, year int, format action.Format, r io.Reader) (action.Imported, error)
	Review(ctx context.Context, by user.Actor, id int64, version int, r action.Review) (action.Action, error)
	AcceptAll(ctx context.Context, by user.Actor, picks []action.Pick) ([]action.Action, error)
	SetAssurance(ctx context.Context, by user.Actor, id int64, version int, level action.Assurance, note string) (action.Action, error)
	Verify(ctx context.Context, by user.Actor, reviewer, id int64, version int, note string, ev []action.Evidence) (action.Action, action.Verification, error)
	Public(ctx context.Context, f action.Filter) ([]action.Action, int, error)
	EachPublic(ctx context.Context, f action.Filter, fn func([]action.Action) error) error
}

// Cycles is what the API needs of reporting cycles.
type Cycles interface {
	List(ctx context.Context) ([]cycle.Cycle, error)
	Create(ctx context.Context, by user.Actor, in cycle.Input) (cycle.Cycle, error)
	Update(ctx context.Context, by user.Actor, year, version int, change func(*cycle.Input)) (cycle.Cycle, error)
	Extend(ctx context.Context, by user.Actor, year int, stakeholderID int64, deadline time.Time) (cycle.Extension, error)
	Extensions(ctx context.Context, by user.Actor, year int) (cycle.Cycle, []cycle.Extension, error)
	Revoke(ctx context.Context, by user.Actor, year int, stakeholderID int64) (cycle.Extension, error)
	Board(ctx context.Context, by user.Actor, year int, f stakeholder.Filter) (cycle.Cycle, []cycle.BoardRow, error)
}

// Deps are the services the API calls.
type Deps struct {
	Recommendations Recommendations
	Users           Users
	Stakeholders    Stakeholders
	Actions         Actions
	Idempotency     idempotency.Store
	Accounts        Accounts
	Cycles          Cycles
	Reports         Reports
	Dashboard       Dashboard
	ReportJSON      ReportJSON
	Versions        Versions
	Evidence        Evidence
	Challenges      Challenges
	Frameworks      Frameworks
	Releases        Releases
	Subscriptions   Subscriptions
	BaseURL         string            // the public address, for links in the feed
	Catalogue       *locale.Catalogue // the feed's wording in each language
	Now             func() time.Time
}

// Evidence is what the API needs of the evidence links followed.
type Evidence interface {
	Links(ctx context.Context, actionIDs []int64) (map[int64][]evidence.Link, error)
	CheckNow(ctx context.Context, by user.Actor, actionID int64) (int, error)
}

// Frameworks is what the API need of the crosswalk: frameworks and their
// provisions, their figures in a cycle, and the provisions an action
// counts for.
type Frameworks interface {
	List(ctx context.Context) ([]framework.Framework, error)
	Get(ctx context.Context, key string) (framework.Framework, error)
	Coverage(ctx context.Context, year int) ([]framework.Coverage, int, error)
	Links(ctx context.Context, by user.Actor, id int64) (framework.ActionLinks, error)
	PublicLinks(ctx context.Context, ids []int64) (map[int64][]framework.Link, error)
	Add(ctx context.Context, by user.Actor, id int64, framework, provision string) (framework.Link, error)
	Remove(ctx context.Context, by user.Actor, id int64, framework, provision, reason string) error
	History(ctx context.Context, by user.Actor, id int64) ([]framework.LinkEvent, error)
	UpdateFramework(ctx context.Context, by user.Actor, key string, version int, change func(*framework.FrameworkInput)) (framework.Framework, error)
	UpdateProvision(ctx context.Context, by user.Actor, framework, key string, version int, change func(*framework.ProvisionInput)) (framework.Provision, error)
	EachPublicLink(ctx context.Context, f framework.LinkFilter, fn func([]framework.PublicLink) error) error
}

// Versions names the state of the public data and the day, for ETags.
type Versions interface {
	PublicVersion(ctx context.Context) (string, error)
}

// notModified sets the ETag of a public answer that depends on the public
// data and on the request's query. When the client holds it already it
// answers 304 and reports done; done with an error means the check failed.
func (h *Handler) notModified(c echo.Context) (done bool, err error) {
	v, err := h.Versions.PublicVersion(c.Request().Context())
	if err != nil {
		return true, err
	}
	// Built from the public actions: a decision on any of them purges it.
	etag.SurrogateKeys(c.Response().Header(), purge.Actions)
	if etag.NotModified(c.Response(), c.Request(), v, c.Path(), c.QueryString()) {
		return true, c.NoContent(http.StatusNotModified)
	}
	return false, nil
}

// Dashboard builds the public dashboard.
type Dashboard interface {
	View(ctx context.Context, year int) (dashboard.View, error)
}

// ReportJSON writes figures as the JSON report does.
type ReportJSON interface {
	FiguresJSON(f report.Figures, lang string) ([]byte, error)
}

// Reports is what the API needs of the progress reports.
type Reports interface {
	ReportDocuments
	Get(ctx context.Context, by user.Actor, id int64) (report.Report, error)
	Compile(ctx context.Context, by user.Actor, year int, opt report.CompileOptions) (report.Report, error)
	List(ctx context.Context, by user.Actor, year int) ([]report.Report, error)
	Publish(ctx context.Context, by user.Actor, id int64) (report.Report, error)
}

// Accounts invites people.
type Accounts interface {
	Invite(ctx context.Context, by user.Actor, in user.Input) (account.Invitation, error)
}

// Handler serves the API.
type Handler struct {
	Deps
	shared *cache.Answers // public answers, by what they were built from, compressed
}

// New builds the API handler.
func New(d Deps) *Handler { return &Handler{Deps: d, shared: cache.NewAnswers(16 << 20)} }

// Routes lists every API route.
func (h *Handler) Routes(e *echo.Echo) {
	g := e.Group("/api/v1")
	h.releaseRoutes(e, g)
	h.subscriptionRoutes(e, g)
	g.GET("/openapi.json", h.openAPI)
	g.GET("/recommendations", h.listRecommendations)
	g.GET("/recommendations/:number", h.getRecommendation)
	g.GET("/me", h.me)
	g.GET("/my/actions", h.myActions)
	g.GET("/actions", h.publicActions)
	g.POST("/actions", h.createAction, h.idempotent)
	g.POST("/actions/import", h.importActions)
	g.GET("/actions/:id", h.getAction)
	g.PATCH("/actions/:id", h.patchAction)
	g.DELETE("/actions/:id", h.deleteAction)
	g.POST("/actions/:id/submit", h.move(action.Submitted))
	g.POST("/actions/:id/withdraw", h.move(action.Withdrawn))
	g.POST("/actions/:id/reopen", h.move(action.Draft))
	g.GET("/actions/:id/history", h.actionHistory)
	g.PATCH("/actions/:id/assurance", h.setAssurance)
	g.POST("/actions/:id/verifications", h.verify)
	g.POST("/actions/:id/challenges", h.fileChallenge)
	g.GET("/challenges", h.listChallenges)
	g.GET("/challenges/:id", h.getChallenge)
	g.POST("/challenges/:id/screen", h.screenChallenge())
	g.POST("/challenges/:id/reply", h.replyChallenge())
	g.POST("/challenges/:id/decide", h.decideChallenge())
	g.POST("/challenges/:id/publish", h.publishChallenge())
	g.POST("/actions/:id/evidence/check", h.checkEvidence)
	g.POST("/cycles/:year/carry-forward", h.carryForward)
	g.POST("/cycles/:year/submit-all", h.submitAll)
	g.POST("/invitations", h.invite)
	g.GET("/cycles", h.listCycles)
	g.POST("/cycles", h.createCycle)
	g.PATCH("/cycles/:year", h.patchCycle)
	g.GET("/cycles/:year/extensions", h.listExtensions)
	g.POST("/cycles/:year/extensions", h.extendDeadline)
	g.DELETE("/cycles/:year/extensions/:stakeholder_id", h.revokeExtension)
	g.GET("/cycles/:year/status", h.board)
	g.GET("/stakeholders", h.listStakeholders)
	g.POST("/stakeholders", h.createStakeholder)
	g.GET("/stakeholders/:id", h.getStakeholder)
	g.PATCH("/stakeholders/:id", h.patchStakeholder)
	g.POST("/stakeholders/:id/invitations", h.inviteToStakeholder)
	g.GET("/review", h.queue)
	g.POST("/actions/:id/review", h.review)
	g.POST("/review/accept", h.acceptAll)
	g.POST("/cycles/:year/reports", h.compileReport)
	g.GET("/reports", h.listReports)
	g.GET("/reports/:id", h.getReport)
	g.GET("/reports/:id/:format", h.reportDocument)
	g.POST("/reports/:id/publish", h.publishReport)
	g.GET("/schemas/report.json", h.reportSchema)
	g.GET("/dashboard", h.dashboard)
	g.GET("/open-data/actions.csv", h.openDataCSV)
	g.GET("/open-data/actions.json", h.openDataJSON)
	g.GET("/open-data/challenges.csv", h.openDataChallengesCSV)
	g.GET("/open-data/challenges.json", h.openDataChallengesJSON)
	// The crosswalk: frameworks and their figures (public), the
	// secretariat's edits, the provisions an action counts for, the links
	// as open data.
	g.GET("/frameworks", h.listFrameworks)
	g.GET("/frameworks/:key", h.getFramework)
	g.PATCH("/frameworks/:key", h.patchFramework)
	g.PATCH("/frameworks/:key/provisions/:provision", h.patchProvision)
	g.GET("/actions/:id/provisions", h.actionLinks)
	g.POST("/actions/:id/provisions", h.addLink, h.idempotent)
	g.POST("/actions/:id/provisions/remove", h.removeLink, h.idempotent)
	g.GET("/open-data/crosswalk.csv", h.openDataCrosswalkCSV)
	g.GET("/open-data/crosswalk.json", h.openDataCrosswalkJSON)
	e.GET("/feed.atom", h.feed)
}
